"""The Buffer classes of zarr-python's store API (its ``zarr.core.buffer.core``).

zarrdist's own stores move ``bytes``/``memoryview`` and its codecs ask an
``NDBufferPrototype`` (``zarrdist.chunkio.buffers``) for arrays. zarr-python's
asynchronous store face (``zarrdist.storage``, ``zarrdist.abc.store``) takes and
returns :class:`Buffer` objects instead, and code written for zarr-python makes them
itself (``cpu.Buffer.from_bytes(b"...")``). These classes are that face: a
:class:`Buffer` holds 1-D bytes in an array (NumPy on the host), an :class:`NDBuffer`
an n-dimensional array, and a :class:`BufferPrototype` names the two classes a
caller wants results made with.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple, Protocol, runtime_checkable

import numpy as np

from zarrdist.chunkio.arraylike import NDArrayLike, NDArrayLikeOrScalar

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from typing import Self

__all__ = [
    "ArrayLike",
    "Buffer",
    "BufferPrototype",
    "NDArrayLike",
    "NDArrayLikeOrScalar",
    "NDBuffer",
]


@runtime_checkable
class ArrayLike(Protocol):
    """A 1-D array (NumPy's, CuPy's, ...) a :class:`Buffer` can hold."""

    @property
    def dtype(self) -> np.dtype[Any]:
        """Element type (one byte per element in a Buffer)."""

    @property
    def ndim(self) -> int:
        """Number of dimensions (1 in a Buffer)."""

    @property
    def size(self) -> int:
        """Number of elements."""

    def __len__(self) -> int:
        """Number of elements."""

    def __getitem__(self, key: Any) -> Any:
        """Element or slice read."""

    def __setitem__(self, key: Any, value: Any) -> None:
        """Element or slice write."""


def _bytes_of(value: Any) -> bytes:
    """The bytes of a Buffer, a bytes-like object or an array."""
    if isinstance(value, Buffer):
        return value.to_bytes()
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    return np.asarray(value).tobytes()


class Buffer:
    """One-dimensional bytes held in an array (zarr-python's ``Buffer``).

    Parameters
    ----------
    array_like : ArrayLike
        A 1-D array of one-byte elements; held, not copied.

    Raises
    ------
    ValueError
        If ``array_like`` is not 1-D or its elements are not single bytes.
    """

    def __init__(self, array_like: Any) -> None:
        if array_like.ndim != 1:
            raise ValueError(f"a Buffer holds a 1-D array, not {array_like.ndim}-D")
        if array_like.dtype.itemsize != 1:
            raise ValueError(
                f"a Buffer holds one-byte elements, not {array_like.dtype} "
                "(view the array as bytes first)"
            )
        self._data = array_like

    # -- constructors ----------------------------------------------------------------
    @classmethod
    def create_zero_length(cls) -> Self:
        """An empty buffer."""
        return cls(np.empty(0, dtype="B"))

    @classmethod
    def from_array_like(cls, array_like: Any) -> Self:
        """A buffer over ``array_like`` (no copy)."""
        return cls(array_like)

    @classmethod
    def from_buffer(cls, buffer: Buffer) -> Self:
        """A buffer of this class with the bytes of another Buffer."""
        return cls.from_bytes(buffer.to_bytes())

    @classmethod
    def from_bytes(cls, bytes_like: bytes | bytearray | memoryview) -> Self:
        """A buffer over ``bytes_like`` (no copy; read-only where ``bytes_like`` is)."""
        return cls(np.frombuffer(bytes_like, dtype="B"))

    # -- views -----------------------------------------------------------------------
    def as_array_like(self) -> Any:
        """The array the buffer holds."""
        return self._data

    def as_numpy_array(self) -> np.ndarray[Any, Any]:
        """The bytes as a NumPy array (a copy when they live on a device)."""
        return np.asarray(self._data)

    def as_buffer_like(self) -> memoryview:
        """The bytes as an object of Python's buffer protocol (a host view)."""
        return np.ascontiguousarray(self.as_numpy_array()).data

    def to_bytes(self) -> bytes:
        """The bytes, copied into a ``bytes`` object."""
        return bytes(self.as_numpy_array())

    def __bytes__(self) -> bytes:
        return self.to_bytes()

    # -- sequence behaviour --------------------------------------------------------
    def __getitem__(self, key: slice) -> Self:
        if not isinstance(key, slice) or key.step not in (None, 1):
            raise TypeError(f"a Buffer is sliced with a contiguous slice, not {key!r}")
        return type(self)(self._data[key])

    def __setitem__(self, key: Any, value: Any) -> None:
        self._data[key] = value

    def __len__(self) -> int:
        return int(self._data.size)

    @property
    def nbytes(self) -> int:
        """Size in bytes."""
        return int(self._data.nbytes)

    def __add__(self, other: Buffer) -> Self:
        """The bytes of ``self`` followed by those of ``other``."""
        joined = np.concatenate((self.as_numpy_array(), other.as_numpy_array()))
        return type(self)(joined)

    def __eq__(self, other: object) -> bool:
        # Buffers are equal when their bytes are, whatever class or device holds them.
        if not isinstance(other, Buffer | bytes | bytearray | memoryview):
            return NotImplemented
        return self.to_bytes() == _bytes_of(other)

    __hash__ = None  # type: ignore[assignment]  # mutable, as a bytearray

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {len(self)} bytes>"


class NDBuffer:
    """An n-dimensional array (zarr-python's ``NDBuffer``), held, not copied.

    Parameters
    ----------
    array : NDArrayLike
        The array.
    """

    def __init__(self, array: Any) -> None:
        self._data = array

    # -- constructors ----------------------------------------------------------------
    @classmethod
    def create(
        cls,
        *,
        shape: Iterable[int],
        dtype: Any,
        order: str = "C",
        fill_value: Any | None = None,
    ) -> Self:
        """A new host array of ``shape`` and ``dtype``, filled with ``fill_value``
        (uninitialised where it is None)."""
        array = np.empty(tuple(shape), dtype=np.dtype(dtype), order=order)  # type: ignore[call-overload]
        if fill_value is not None:
            array.fill(fill_value)
        return cls(array)

    @classmethod
    def empty(cls, shape: tuple[int, ...], dtype: Any, order: str = "C") -> Self:
        """A new uninitialised host array."""
        return cls.create(shape=shape, dtype=dtype, order=order)

    @classmethod
    def from_ndarray_like(cls, ndarray_like: Any) -> Self:
        """A buffer over ``ndarray_like`` (no copy)."""
        return cls(ndarray_like)

    @classmethod
    def from_numpy_array(cls, array_like: Any) -> Self:
        """A buffer over ``array_like`` as a NumPy array."""
        return cls.from_ndarray_like(np.asanyarray(array_like))

    # -- views -----------------------------------------------------------------------
    def as_ndarray_like(self) -> Any:
        """The array the buffer holds."""
        return self._data

    def as_numpy_array(self) -> np.ndarray[Any, Any]:
        """The array as NumPy's (a copy when it lives on a device)."""
        return np.asarray(self._data)

    def as_scalar(self) -> Any:
        """The one element of a one-element array.

        Raises
        ------
        ValueError
            If the array does not hold exactly one element.
        """
        if self._data.size != 1:
            raise ValueError("Buffer does not contain a single scalar value")
        return self.as_numpy_array().reshape(())[()]

    @property
    def dtype(self) -> np.dtype[Any]:
        """Element type."""
        return np.dtype(self._data.dtype)

    @property
    def shape(self) -> tuple[int, ...]:
        """Extent of each dimension."""
        return tuple(self._data.shape)

    @property
    def byteorder(self) -> str:
        """``"little"`` or ``"big"``: the order of the elements' bytes."""
        order = self.dtype.byteorder
        if order in ("=", "|"):
            return "little" if np.little_endian else "big"
        return "little" if order == "<" else "big"

    def reshape(self, newshape: tuple[int, ...] | int) -> Self:
        """The array in another shape."""
        return type(self)(self._data.reshape(newshape))

    def squeeze(self, axis: tuple[int, ...]) -> Self:
        """The array without the length-1 dimensions ``axis``."""
        return type(self)(self._data.squeeze(axis=axis))

    def astype(self, dtype: Any, order: str = "K") -> Self:
        """The array converted to ``dtype``."""
        return type(self)(self._data.astype(dtype=dtype, order=order))

    def transpose(self, axes: Sequence[int] | None = None) -> Self:
        """The array with its axes permuted."""
        return type(self)(self._data.transpose(axes))

    def copy(self) -> Self:
        """A copy of the array."""
        return type(self)(self._data.copy())

    def fill(self, value: Any) -> None:
        """Set every element to ``value``."""
        self._data.fill(value)

    def all_equal(self, other: Any, equal_nan: bool = True) -> bool:
        """Whether every element equals ``other`` (NaN equal to NaN if ``equal_nan``)."""
        data = self.as_numpy_array()
        if other is None:
            return False
        if equal_nan and data.dtype.kind in "fc":
            return bool(np.array_equal(data, np.broadcast_to(other, data.shape), equal_nan=True))
        return bool(np.all(data == other))

    def __getitem__(self, key: Any) -> Self:
        return type(self)(np.asanyarray(self._data[key]))

    def __setitem__(self, key: Any, value: Any) -> None:
        if isinstance(value, NDBuffer):
            value = value.as_ndarray_like()
        self._data[key] = value

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} shape={self.shape} dtype={self.dtype}>"


class BufferPrototype(NamedTuple):
    """The Buffer and NDBuffer classes a caller wants results made with."""

    buffer: type[Buffer]
    nd_buffer: type[NDBuffer]
