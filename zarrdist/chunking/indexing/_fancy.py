"""``z[selection]``: NumPy's indexing rules in full, projected onto a chunk grid."""

from __future__ import annotations

from typing import Any

import numpy as np

from zarrdist.chunking.indexing._build import (
    checked_shapes,
    point_fast_path,
    product_indexer,
    vector_indexer,
)
from zarrdist.chunking.indexing._core import Indexer, check_chunk_shape
from zarrdist.chunking.indexing._dims import IntDim, SliceDim
from zarrdist.chunking.indexing._indexers import POINTS, numpy_keeps_order
from zarrdist.chunking.indexing._normalize import (
    Entry,
    advanced_adjacent,
    check_bool_array,
    expand_selection,
    normalize_int,
    normalize_int_array,
)
from zarrdist.errors import SelectionError

__all__ = ["fancy_indexer", "is_basic_selection", "is_pure_fancy"]


def _vectorized(
    entries: list[Entry], gap: int | None, shape: tuple[int, ...], chunk_shape: tuple[int, ...]
) -> Indexer:
    """NumPy advanced indexing: arrays (and the integers beside them) index pointwise.

    Boolean arrays become their ``nonzero()`` coordinates, as in NumPy. The points'
    axes go where the first advanced entry is when the advanced entries are
    adjacent, and first otherwise.
    """
    point_axes: list[int] = []
    arrays: list[np.ndarray[Any, Any]] = []
    dims: dict[int, IntDim | SliceDim] = {}
    advanced: list[int] = []
    slice_axis_at: dict[int, int] = {}
    axis = 0
    for position, entry in enumerate(entries):
        n, c = shape[axis], chunk_shape[axis]
        if isinstance(entry, np.ndarray):
            advanced.append(position)
            if entry.dtype == np.bool_:
                check_bool_array(entry, shape[axis : axis + entry.ndim], axis)
                for offset, found in enumerate(np.nonzero(entry)):
                    point_axes.append(axis + offset)
                    arrays.append(found.astype(np.int64, copy=False))
                axis += entry.ndim
                continue
            point_axes.append(axis)
            arrays.append(normalize_int_array(entry, n, axis))
        elif isinstance(entry, int):
            advanced.append(position)
            dims[axis] = IntDim(normalize_int(entry, n, axis), n, c)
        else:
            assert isinstance(entry, slice)
            slice_axis_at[position] = axis
            dims[axis] = SliceDim(entry, n, c)
        axis += 1
    if advanced_adjacent(entries, gap):
        layout = []
        for position in range(len(entries)):
            if position in slice_axis_at:
                layout.append(slice_axis_at[position])
            elif position == advanced[0]:
                layout.append(POINTS)
    else:
        layout = [POINTS, *slice_axis_at.values()]
    return vector_indexer(point_axes, arrays, dims, layout, shape, chunk_shape)


def fancy_indexer(selection: Any, shape: Any, chunk_shape: Any) -> Indexer:
    """Project what ``a[selection]`` selects in NumPy (the rules of ``z[...]``).

    * integers, slices (any step), Ellipsis and ``None`` only: basic indexing;
    * one 1-D int or bool array among them, where NumPy keeps axis order: the
      orthogonal projection (cheapest for a single array);
    * otherwise NumPy's advanced indexing: arrays (int of any dimension, bool
      arrays standing for their ``nonzero()``) broadcast together, integers count as
      advanced indices, and the broadcast axes go in place when the advanced entries
      are adjacent, first when a slice separates them. ``a[mask]`` with a
      full-shape mask is a 1-D result, ``a[bool_1d]`` masks the first axis.

    Unlike zarr-python 3.1.5, ``a[[0, 1], [True, False, True]]`` is pointwise (as in
    NumPy), not orthogonal; use ``oindex`` for the product.

    Raises
    ------
    SelectionError
        What NumPy refuses (out of bounds, too many indices, arrays that do not
        broadcast, bool arrays of the wrong shape), plus boolean scalars and
        ``None`` mixed with index arrays, which zarrdist does not support.

    Examples
    --------
    >>> idx = fancy_indexer(([0, 2], slice(None), [1, 3]), shape=(3, 4, 5), chunk_shape=(2, 2, 2))
    >>> idx.shape
    (2, 4)
    """
    fast = point_fast_path(selection, tuple(shape), tuple(chunk_shape))
    if fast is not None:
        check_chunk_shape(fast.array_shape, fast.chunk_shape)
        return fast
    shape, chunk_shape = checked_shapes(shape, chunk_shape)
    entries, had_ellipsis, gap = expand_selection(selection, len(shape))
    arrays = [entry for entry in entries if isinstance(entry, np.ndarray)]
    if not arrays:
        return product_indexer(entries, shape, chunk_shape, had_ellipsis)
    if any(entry is None for entry in entries):
        raise SelectionError(
            "np.newaxis / None cannot be combined with index arrays; add the axis to the "
            "result afterwards"
        )
    if len(arrays) == 1 and arrays[0].ndim == 1 and numpy_keeps_order(entries, gap):
        return product_indexer(entries, shape, chunk_shape, had_ellipsis)
    return _vectorized(entries, gap, shape, chunk_shape)


def _is_index_scalar(entry: Any) -> bool:
    return isinstance(entry, int | np.integer) and not isinstance(entry, bool | np.bool_)


def is_basic_selection(selection: Any) -> bool:
    """Whether ``selection`` holds only integers, slices, Ellipsis and ``None``.

    Examples
    --------
    >>> is_basic_selection((1, slice(None), ...)), is_basic_selection([1, 2])
    (True, False)
    """
    raw = selection if isinstance(selection, tuple) else (selection,)
    return all(
        entry is None or entry is Ellipsis or isinstance(entry, slice) or _is_index_scalar(entry)
        for entry in raw
    )


def is_pure_fancy(selection: Any, ndim: int) -> bool:
    """Whether ``selection`` is a coordinate (vindex-style) selection.

    True for a tuple of ``ndim`` integers and integer arrays with at least one array,
    a full-dimensional boolean mask, or, on a 1-D array, a single int or bool array.
    This is zarr-python's routing test for ``z[...]``; :func:`fancy_indexer` gives
    the same results for these selections and handles the rest as well.

    Examples
    --------
    >>> is_pure_fancy(([0, 1], [2, 3]), 2), is_pure_fancy(([0, 1], slice(None)), 2)
    (True, False)
    """
    raw = selection if isinstance(selection, tuple) else (selection,)

    def kind(entry: Any) -> str:
        if _is_index_scalar(entry):
            return "int"
        if isinstance(entry, np.ndarray | list):
            dtype = np.asarray(entry).dtype
            if dtype == np.bool_:
                return "bool"
            return "array" if dtype.kind in "iu" or np.size(entry) == 0 else "other"
        return "other"

    kinds = [kind(entry) for entry in raw]
    if len(raw) == 1 and kinds[0] == "bool":
        return np.ndim(raw[0]) == ndim
    if ndim == 1 and len(raw) == 1:
        return kinds[0] == "array"
    return len(raw) == ndim and "array" in kinds and all(k in ("int", "array") for k in kinds)
