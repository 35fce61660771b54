"""Pointwise (vectorized) coordinates grouped by the chunk that holds them."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from zarrdist.chunking.grid import AxisChunks, axis_bounds, axis_chunks_of, axis_nchunks
from zarrdist.chunking.indexing._dims import compact_run

__all__ = ["PointGroup", "group_points"]

# (chunk coords on the point axes, chunk selection on those axes, the output entries
# that place the points, the points cover every element of the chunk on those axes)
PointGroup = tuple[tuple[int, ...], tuple[Any, ...], tuple[Any, ...], bool]


def _covers(locals_: list[np.ndarray[Any, Any]], widths: tuple[int, ...]) -> bool:
    size = math.prod(widths)
    if len(locals_[0]) < size:
        return False
    flat = np.ravel_multi_index(tuple(locals_), widths) if len(widths) > 1 else locals_[0]
    return len(np.unique(flat)) == size


def _out_entries(
    order: np.ndarray[Any, Any] | None, a: int, b: int, out_shape: tuple[int, ...]
) -> tuple[Any, ...]:
    if order is None:
        if len(out_shape) == 1:
            return (slice(a, b),)
        positions = np.arange(a, b)
    else:
        positions = order[a:b]
        if len(out_shape) == 1:
            first = int(positions[0])
            # The stable sort keeps a chunk's positions ascending, so a run is a slice.
            if int(positions[-1]) - first == b - a - 1:
                return (slice(first, first + b - a),)
            return (positions,)
    return tuple(np.unravel_index(positions, out_shape))


def group_points(
    coords: list[np.ndarray[Any, Any]],
    extents: tuple[int, ...],
    chunks: tuple[AxisChunks, ...],
    out_shape: tuple[int, ...],
    allow_slices: bool,
) -> list[PointGroup]:
    """Split points into per-chunk groups.

    Parameters
    ----------
    coords
        One flat, wrapped, bound-checked int64 array per point axis, all the same
        length; point ``p`` goes to flat position ``p`` of an output of ``out_shape``.
    extents, chunks
        Array and chunk extents of the point axes.
    out_shape
        Shape the points form in the output (the broadcast shape of the indices).
    allow_slices
        Whether a run of consecutive indices may become a slice in the chunk
        selection (only safe with a single point axis and no other advanced index,
        where NumPy places a slice's axis and an array's axis alike).
    """
    n = len(coords[0])
    if n == 0:
        return []
    grid = tuple(axis_nchunks(e, c) for e, c in zip(extents, chunks, strict=True))
    ids = [axis_chunks_of(axis, c) for axis, c in zip(coords, chunks, strict=True)]
    linear = ids[0] if len(ids) == 1 else np.ravel_multi_index(tuple(ids), grid)
    order: np.ndarray[Any, Any] | None = None
    if n > 1 and bool(np.any(linear[1:] < linear[:-1])):
        order = np.argsort(linear, kind="stable")
        linear = linear[order]
        ids = [axis[order] for axis in ids]
        coords = [axis[order] for axis in coords]
    cuts = (np.flatnonzero(linear[1:] != linear[:-1]) + 1).tolist()
    groups: list[PointGroup] = []
    for a, b in zip([0, *cuts], [*cuts, n], strict=True):
        chunk_coords = tuple(int(axis[a]) for axis in ids)
        spans = [
            axis_bounds(ci, c, e) for ci, c, e in zip(chunk_coords, chunks, extents, strict=True)
        ]
        bases = [lo for lo, _ in spans]
        widths = tuple(hi - lo for lo, hi in spans)
        locals_ = [axis[a:b] - base for axis, base in zip(coords, bases, strict=True)]
        complete = _covers(locals_, widths)
        selection: tuple[Any, ...] = tuple(locals_)
        if allow_slices:
            run = compact_run(locals_[0])
            if run is not None:
                selection = (run,)
        groups.append((chunk_coords, selection, _out_entries(order, a, b, out_shape), complete))
    return groups
