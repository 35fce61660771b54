"""What counts as an in-memory array: the methods reads return and writes accept.

A read gives back whatever the buffer prototype made (NumPy, CuPy, ...); code that
checks "is this an array?" tests against :class:`NDArrayLike` instead of naming a
library. zarr-python 3 exposes the same kind of check as ``zarr.core.buffer.NDArrayLike``.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

import numpy as np

__all__ = ["NDArrayLike", "NDArrayLikeOrScalar"]


@runtime_checkable
class NDArrayLike(Protocol):
    """An n-dimensional array with NumPy's core interface (``numpy.ndarray``,
    ``cupy.ndarray``...); ``isinstance`` checks that the members exist."""

    @property
    def dtype(self) -> np.dtype[Any]:
        """Element type."""

    @property
    def shape(self) -> tuple[int, ...]:
        """Extent of each dimension."""

    @property
    def ndim(self) -> int:
        """Number of dimensions."""

    @property
    def size(self) -> int:
        """Number of elements."""

    def __array__(self, *args: Any, **kwargs: Any) -> Any:
        """A NumPy view or copy."""

    def __len__(self) -> int:
        """Length of the first dimension."""

    def __getitem__(self, key: Any) -> Any:
        """Element or sub-array read."""

    def __setitem__(self, key: Any, value: Any) -> None:
        """Element or sub-array write."""

    def reshape(self, *args: Any, **kwargs: Any) -> Any:
        """The same data in another shape."""

    def astype(self, *args: Any, **kwargs: Any) -> Any:
        """The data converted to another element type."""

    def view(self, *args: Any, **kwargs: Any) -> Any:
        """The same bytes seen as another element type."""

    def copy(self, *args: Any, **kwargs: Any) -> Any:
        """An independent copy."""

    def ravel(self, *args: Any, **kwargs: Any) -> Any:
        """The data as one dimension."""

    def transpose(self, *args: Any, **kwargs: Any) -> Any:
        """The dimensions permuted."""

    def fill(self, value: Any) -> None:
        """Set every element to ``value``."""

    def all(self, *args: Any, **kwargs: Any) -> Any:
        """Whether every element is true."""


#: A read of a whole array or of one element (a NumPy scalar or Python number).
NDArrayLikeOrScalar = np.generic | NDArrayLike
