"""From a user's selection to an indexer: basic, orthogonal, coordinate, mask, block, and
``z[sel]`` (NumPy's full rules)."""

from __future__ import annotations

from typing import Any

import numpy as np

from zarrdist.chunking.grid import VaryingAxis, axis_bounds, axis_nchunks
from zarrdist.chunking.indexing._core import Indexer, check_chunk_shape
from zarrdist.chunking.indexing._dims import ArrayDim, IntDim, SliceDim
from zarrdist.chunking.indexing._indexers import (
    NEW_AXIS,
    POINTS,
    PointIndexer,
    ProductIndexer,
    VectorIndexer,
)
from zarrdist.chunking.indexing._normalize import (
    Entry,
    as_entry,
    check_bool_array,
    expand_selection,
    normalize_int,
    normalize_int_array,
)
from zarrdist.errors import (
    ArrayIndexError,
    BoundsCheckError,
    SelectionError,
    VindexInvalidSelectionError,
)

__all__ = [
    "basic_indexer",
    "block_indexer",
    "coordinate_indexer",
    "mask_indexer",
    "orthogonal_indexer",
]


def point_fast_path(
    selection: Any, shape: tuple[int, ...], chunk_shape: tuple[int, ...]
) -> PointIndexer | None:
    """A PointIndexer when ``selection`` is one integer per axis, else None.

    Exact type checks first: this runs for every point read, and ``type(i) is int``
    costs less than any isinstance or ``operator.index`` call.
    """
    if type(selection) is not tuple:
        if len(shape) != 1 or not (type(selection) is int or isinstance(selection, np.integer)):
            return None
        selection = (selection,)
    elif len(selection) != len(shape):
        return None
    index = []
    for axis, (i, n) in enumerate(zip(selection, shape, strict=True)):
        if type(i) is not int:
            if not isinstance(i, np.integer):
                return None
            i = int(i)
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise BoundsCheckError(
                f"index {selection[axis]} is out of bounds for axis {axis} with size {n}"
            )
        index.append(i)
    return PointIndexer(tuple(index), shape, chunk_shape)


def checked_shapes(shape: Any, chunk_shape: Any) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The array and chunk shapes as tuples of int, checked against each other."""
    shape = tuple(int(n) for n in shape)
    # A rectilinear axis comes as a VaryingAxis and stays one.
    chunk_shape = tuple(c if isinstance(c, VaryingAxis) else int(c) for c in chunk_shape)
    check_chunk_shape(shape, chunk_shape)
    return shape, chunk_shape


def product_indexer(
    entries: list[Entry],
    shape: tuple[int, ...],
    chunk_shape: tuple[int, ...],
    had_ellipsis: bool,
) -> ProductIndexer:
    """Per-axis projection of ints, slices, new axes and 1-D index arrays."""
    dims: list[Any] = []
    layout: list[int] = []
    for entry in entries:
        if entry is None:
            layout.append(NEW_AXIS)
            continue
        axis = len(dims)
        n, c = shape[axis], chunk_shape[axis]
        if isinstance(entry, int):
            dims.append(IntDim(normalize_int(entry, n, axis), n, c))
            continue
        layout.append(axis)
        if isinstance(entry, slice):
            dims.append(SliceDim(entry, n, c))
        elif entry.dtype == np.bool_:
            check_bool_array(entry, (n,), axis)
            dims.append(ArrayDim(np.flatnonzero(entry), n, c))
        else:
            dims.append(ArrayDim(normalize_int_array(entry, n, axis), n, c))
    is_scalar = not had_ellipsis and len(layout) == 0
    return ProductIndexer(dims, layout, shape, chunk_shape, is_scalar)


def basic_indexer(selection: Any, shape: Any, chunk_shape: Any) -> Indexer:
    """Project a basic selection (integers, slices of any step, Ellipsis, ``None``).

    Parameters
    ----------
    selection
        What NumPy calls basic indexing; ``None`` / ``np.newaxis`` adds a size-1 axis.
    shape, chunk_shape
        Array and chunk shapes (the last chunk along an axis may be partial).

    Returns
    -------
    Indexer
        ``shape`` is NumPy's ``a[selection].shape``; ``is_scalar`` is set when NumPy
        returns a scalar (integers on every axis, no Ellipsis).

    Raises
    ------
    SelectionError
        Index out of bounds, too many indices, a zero step, an index array, or a
        non-index object; the message names the axis and value.

    Examples
    --------
    >>> idx = basic_indexer((slice(None, None, -1), 2), shape=(5, 4), chunk_shape=(2, 2))
    >>> idx.shape, idx.nchunks_touched
    ((5,), 3)
    """
    fast = point_fast_path(selection, tuple(shape), tuple(chunk_shape))
    if fast is not None:
        check_chunk_shape(fast.array_shape, fast.chunk_shape)
        return fast
    shape, chunk_shape = checked_shapes(shape, chunk_shape)
    entries, had_ellipsis, _ = expand_selection(selection, len(shape))
    for position, entry in enumerate(entries):
        if isinstance(entry, np.ndarray):
            raise SelectionError(
                f"basic selection takes integers, slices, Ellipsis and None; got an index "
                f"array at position {position} (use oindex for orthogonal or vindex for "
                "coordinate selection)"
            )
    return product_indexer(entries, shape, chunk_shape, had_ellipsis)


def orthogonal_indexer(selection: Any, shape: Any, chunk_shape: Any) -> Indexer:
    """Project an orthogonal selection (``z.oindex[...]``): each axis independently.

    Each axis takes an integer, a slice (any step), a 1-D int array (any order,
    repeats allowed, negatives wrap) or a 1-D bool array of the axis' length;
    Ellipsis fills the rest. The result has one axis per non-integer entry, like
    ``a[np.ix_(...)]``.

    Raises
    ------
    SelectionError
        Out-of-bounds index, wrong-length bool array, multi-dimensional index array,
        ``None``, too many indices, or a non-index object.

    Examples
    --------
    >>> idx = orthogonal_indexer(([3, 0], slice(1, 3)), shape=(4, 4), chunk_shape=(2, 2))
    >>> idx.shape, sorted(idx.chunk_coords())
    ((2, 2), [(0, 0), (0, 1), (1, 0), (1, 1)])
    """
    shape, chunk_shape = checked_shapes(shape, chunk_shape)
    entries, had_ellipsis, _ = expand_selection(selection, len(shape))
    for position, entry in enumerate(entries):
        if entry is None:
            raise SelectionError("np.newaxis / None is not supported in orthogonal selection")
        if isinstance(entry, np.ndarray) and entry.ndim != 1:
            raise SelectionError(
                f"orthogonal selection takes 1-D index arrays; got an array of shape "
                f"{entry.shape} at position {position}"
            )
    return product_indexer(entries, shape, chunk_shape, had_ellipsis)


def _broadcast(arrays: list[np.ndarray[Any, Any]]) -> tuple[int, ...]:
    try:
        return tuple(np.broadcast_shapes(*(a.shape for a in arrays)))
    except ValueError:
        shapes = " ".join(str(a.shape) for a in arrays)
        raise SelectionError(
            f"shape mismatch: indexing arrays could not be broadcast together with shapes {shapes}"
        ) from None


def vector_indexer(
    point_axes: list[int],
    arrays: list[np.ndarray[Any, Any]],
    dims: dict[int, IntDim | SliceDim],
    layout: list[int],
    shape: tuple[int, ...],
    chunk_shape: tuple[int, ...],
) -> VectorIndexer:
    """Broadcast (already wrapped and checked) point arrays and build the indexer."""
    point_shape = _broadcast(arrays)
    coords = [np.broadcast_to(a, point_shape).reshape(-1) for a in arrays]
    return VectorIndexer(tuple(point_axes), coords, point_shape, dims, layout, shape, chunk_shape)


def coordinate_indexer(selection: Any, shape: Any, chunk_shape: Any) -> Indexer:
    """Project a coordinate selection (``z.vindex[...]``): points, not a product.

    ``selection`` has one integer array (or integer) per axis; they broadcast
    together and the result has the broadcast shape, as ``a[tuple_of_arrays]`` in
    NumPy. Indices may be unsorted and repeated. A single bool array of the array's
    full shape is a mask (see :func:`mask_indexer`).

    Raises
    ------
    SelectionError
        Slices, Ellipsis or None (use oindex or ``z[...]``), a wrong number of
        arrays, arrays that do not broadcast, or out-of-bounds indices.

    Examples
    --------
    >>> idx = coordinate_indexer(([3, 0, 1], [1, 1, 2]), shape=(4, 4), chunk_shape=(2, 2))
    >>> idx.shape, idx.nchunks_touched
    ((3,), 3)
    """
    shape, chunk_shape = checked_shapes(shape, chunk_shape)
    raw = selection if isinstance(selection, tuple) else (selection,)
    entries = [as_entry(entry) for entry in raw]
    if len(entries) == 1 and isinstance(entries[0], np.ndarray) and entries[0].dtype == np.bool_:
        return mask_indexer(entries[0], shape, chunk_shape)
    checked: list[int | np.ndarray[Any, Any]] = []
    for position, entry in enumerate(entries):
        if isinstance(entry, int) or (isinstance(entry, np.ndarray) and entry.dtype != np.bool_):
            checked.append(entry)
            continue
        raise VindexInvalidSelectionError(
            f"coordinate selection takes one integer array (or integer) per axis; got "
            f"{entry!r} at position {position}"
        )
    if len(checked) != len(shape):
        raise VindexInvalidSelectionError(
            f"coordinate selection needs {len(shape)} index arrays (one per axis), "
            f"got {len(checked)}"
        )
    pairs = list(enumerate(zip(checked, shape, strict=True)))
    if not any(isinstance(entry, np.ndarray) for entry in checked):
        index = tuple(normalize_int(e, n, ax) for ax, (e, n) in pairs if isinstance(e, int))
        return PointIndexer(index, shape, chunk_shape)
    arrays = [
        normalize_int_array(e, n, ax)
        if isinstance(e, np.ndarray)
        else np.asarray(normalize_int(e, n, ax))
        for ax, (e, n) in pairs
    ]
    return vector_indexer(list(range(len(shape))), arrays, {}, [POINTS], shape, chunk_shape)


def mask_indexer(mask: Any, shape: Any, chunk_shape: Any) -> Indexer:
    """Project a boolean mask of the array's full shape (``z.vindex[mask]``, ``z[mask]``).

    The result is 1-D, the selected elements in C order, as ``a[mask]`` in NumPy.

    Raises
    ------
    SelectionError
        If ``mask`` is not boolean, its shape differs from the array's, or the array
        is 0-d.

    Examples
    --------
    >>> mask = np.eye(3, dtype=bool)
    >>> mask_indexer(mask, shape=(3, 3), chunk_shape=(2, 2)).shape
    (3,)
    """
    shape, chunk_shape = checked_shapes(shape, chunk_shape)
    array = np.asarray(mask)
    if array.dtype != np.bool_:
        raise SelectionError(f"a mask selection must be a boolean array, got dtype {array.dtype}")
    if array.shape != shape or not shape:
        raise SelectionError(
            f"mask shape {array.shape} does not match the array shape {shape} "
            "(a mask needs one boolean per element of an array with at least one axis)"
        )
    arrays = [a.astype(np.int64, copy=False) for a in np.nonzero(array)]
    return vector_indexer(list(range(len(shape))), arrays, {}, [POINTS], shape, chunk_shape)


def block_indexer(selection: Any, shape: Any, chunk_shape: Any) -> Indexer:
    """Project a block selection (``z.blocks[...]``): whole chunks by grid index.

    Each axis takes a chunk index (negative counts from the end; the axis is kept,
    as in zarr-python and dask) or a step-1 slice of chunk indices (clipped to the
    grid); Ellipsis fills the rest. The result is the region those chunks cover,
    clipped to the array.

    Raises
    ------
    SelectionError
        A chunk index outside the grid, a slice step other than 1, an index array,
        None, or too many indices.

    Examples
    --------
    >>> idx = block_indexer((1, slice(0, 2)), shape=(5, 5), chunk_shape=(2, 2))
    >>> idx.shape, idx.region
    ((2, 4), (slice(2, 4, None), slice(0, 4, None)))
    """
    shape, chunk_shape = checked_shapes(shape, chunk_shape)
    entries, _, _ = expand_selection(selection, len(shape))
    region: list[Entry] = []
    for axis, entry in enumerate(entries):
        if not isinstance(entry, int | slice):
            error = ArrayIndexError if isinstance(entry, np.ndarray) else SelectionError
            raise error(
                "block selection takes chunk indices (integers) and slices with step 1; "
                f"got {entry!r} at position {axis}"
            )
        if isinstance(entry, slice) and entry.step not in (None, 1):
            raise SelectionError(
                f"block selection slices must have step 1; got {entry!r} on axis {axis}"
            )
    for axis, (entry, n, c) in enumerate(zip(entries, shape, chunk_shape, strict=True)):
        nblocks = axis_nchunks(n, c)
        if isinstance(entry, slice):
            start, stop, _ = entry.indices(nblocks)
            lo = axis_bounds(start, c, n)[0] if start < nblocks else n
            hi = axis_bounds(stop - 1, c, n)[1] if stop > start else lo
            region.append(slice(lo, max(lo, hi)))
            continue
        assert isinstance(entry, int)
        if not -nblocks <= entry < nblocks:
            raise BoundsCheckError(
                f"block index {entry} is out of bounds for axis {axis} with {nblocks} chunks"
            )
        start = entry + nblocks if entry < 0 else entry
        region.append(slice(*axis_bounds(start, c, n)))
    return product_indexer(region, shape, chunk_shape, had_ellipsis=True)
