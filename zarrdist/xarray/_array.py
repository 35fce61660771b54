"""Lazy, dask-free indexing of a zarrdist Array for xarray."""

from __future__ import annotations

from typing import Any

import numpy as np
from xarray.backends.common import BackendArray
from xarray.core import indexing

from zarrdist.arrayops.array import Array

__all__ = ["ZarrdistBackendArray"]


class ZarrdistBackendArray(BackendArray):
    """An xarray backend array over a zarrdist :class:`~zarrdist.Array`.

    Basic, outer and vectorized indexers become ``array[...]``, ``array.oindex[...]``
    and ``array.vindex[...]``: zarrdist reads only the chunks a selection touches,
    on the direct path for small selections and as one graph for large ones.
    """

    __slots__ = ("_array", "dtype", "shape")

    def __init__(self, array: Array) -> None:
        self._array = array
        self.shape = tuple(array.shape)
        # Variable-length strings read as NumPy's StringDType, as with zarr-python 3.
        self.dtype = array.dtype

    def get_array(self) -> Array:
        """The zarrdist Array this wraps."""
        return self._array

    def __getitem__(self, key: indexing.ExplicitIndexer) -> Any:
        array = self._array
        basic = all(isinstance(k, slice | int | np.integer) for k in key.tuple)
        if isinstance(key, indexing.VectorizedIndexer) and not basic:
            method = array.vindex.__getitem__
        elif isinstance(key, indexing.OuterIndexer) and not basic:
            method = array.oindex.__getitem__
        else:
            # dask's blocks come as outer indexers of slices: a plain region read
            method = array.__getitem__
        value = indexing.explicit_indexing_adapter(
            key, self.shape, indexing.IndexingSupport.VECTORIZED, method
        )
        if self.dtype.kind == "T" and isinstance(value, str):
            return np.asarray(value, dtype=self.dtype)
        return value
