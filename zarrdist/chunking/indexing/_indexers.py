"""The three indexer shapes: a single point, a product of axes, and pointwise groups."""

from __future__ import annotations

import math
from itertools import product
from typing import TYPE_CHECKING, Any

import numpy as np

from zarrdist.chunking.grid import AxisChunks, axis_bounds, axis_chunk_of
from zarrdist.chunking.indexing._core import ChunkProjection
from zarrdist.chunking.indexing._dims import ArrayDim, IntDim, SliceDim
from zarrdist.chunking.indexing._normalize import advanced_adjacent
from zarrdist.chunking.indexing._points import group_points

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from zarrdist.chunking.indexing._dims import Dim, DimEntry

__all__ = [
    "NEW_AXIS",
    "POINTS",
    "PointIndexer",
    "ProductIndexer",
    "VectorIndexer",
    "numpy_keeps_order",
    "orthogonal_to_direct",
]

NEW_AXIS = -1
"""Layout slot of an axis added by ``np.newaxis``."""
POINTS = -2
"""Layout slot where the points of a vectorized selection sit in the output."""


class PointIndexer:
    """Every axis indexed by one integer: one chunk, one element, Python ints only.

    This is the point-read path (the W4 workload), so it avoids numpy and builds no
    per-axis objects.
    """

    __slots__ = ("array_shape", "chunk_shape", "drop_axes", "index", "is_scalar", "shape")
    kind = "basic"

    def __init__(
        self,
        index: tuple[int, ...],
        array_shape: tuple[int, ...],
        chunk_shape: tuple[int, ...],
        is_scalar: bool = True,
    ) -> None:
        self.index = index
        self.array_shape = array_shape
        self.chunk_shape = chunk_shape
        self.is_scalar = is_scalar
        self.shape: tuple[int, ...] = ()
        self.drop_axes = tuple(range(len(index)))

    def selection_key(self) -> tuple[Any, ...]:
        """A small, exact description of the selection (for graph tokens)."""
        return ("point", self.index, self.array_shape, self.chunk_shape)

    def __iter__(self) -> Iterator[ChunkProjection]:
        coords = []
        local = []
        complete = True
        for i, c, n in zip(self.index, self.chunk_shape, self.array_shape, strict=True):
            if type(c) is int:
                ci, li = divmod(i, c)
                width = min(c, n - ci * c)
            else:  # a rectilinear axis
                ci = axis_chunk_of(i, c)
                lo, hi = axis_bounds(ci, c, n)
                li, width = i - lo, hi - lo
            coords.append(ci)
            local.append(li)
            if complete and width != 1:
                complete = False
        yield ChunkProjection(tuple(coords), tuple(local), (), complete)

    def chunk_coords(self) -> Iterator[tuple[int, ...]]:
        yield tuple(axis_chunk_of(i, c) for i, c in zip(self.index, self.chunk_shape, strict=True))

    @property
    def nchunks_touched(self) -> int:
        return 1

    @property
    def region(self) -> tuple[slice, ...]:
        return tuple(slice(i, i + 1) for i in self.index)


def axis_max(axis: AxisChunks) -> int:
    """The longest chunk along ``axis``."""
    return axis if type(axis) is int else axis.max_edge  # type: ignore[union-attr]


def numpy_keeps_order(selection: Sequence[Any], gap: int | None = None) -> bool:
    """Whether plain NumPy indexing with ``selection`` is also orthogonal indexing.

    True with no array, or one array that NumPy leaves in place: its advanced
    neighbours (integers) are adjacent to it, or no slice precedes it (so moving the
    array's axis to the front changes nothing). ``gap`` is as in
    :func:`zarrdist.chunking.indexing._normalize.advanced_adjacent`.
    """
    arrays = [i for i, s in enumerate(selection) if isinstance(s, np.ndarray)]
    if len(arrays) != 1:
        return not arrays
    if advanced_adjacent(list(selection), gap):
        return True
    return not any(isinstance(s, slice) for s in selection[: arrays[0]])


def _as_vector(entry: Any) -> np.ndarray[Any, Any]:
    if isinstance(entry, slice):
        stop = entry.stop
        if stop is None:
            # Only an output slice running backwards to index 0 has an open stop.
            stop = -1
        return np.arange(entry.start, stop, entry.step, dtype=np.int64)
    return np.asarray(entry).reshape(-1)


def orthogonal_to_direct(selection: tuple[Any, ...]) -> tuple[Any, ...]:
    """An orthogonal selection (int / slice / 1-D array per axis) as a plain NumPy index.

    Unchanged when NumPy already reads it orthogonally; otherwise every non-integer
    entry becomes an ``np.ix_``-shaped array (integers stay and broadcast).
    """
    if numpy_keeps_order(selection):
        return selection
    kept = [i for i, s in enumerate(selection) if not isinstance(s, int)]
    out = list(selection)
    for k, i in enumerate(kept):
        vector = _as_vector(selection[i])
        shape = [1] * len(kept)
        shape[k] = len(vector)
        out[i] = vector.reshape(shape)
    return tuple(out)


class ProductIndexer:
    """Basic, block and orthogonal selections: each axis projects on its own.

    Parameters
    ----------
    dims
        One per array axis.
    layout
        The output's axes in order: an array axis number, or ``NEW_AXIS``.
    """

    __slots__ = (
        "_direct",
        "array_shape",
        "chunk_shape",
        "dims",
        "drop_axes",
        "is_scalar",
        "kind",
        "layout",
        "shape",
    )

    def __init__(
        self,
        dims: list[Dim],
        layout: list[int],
        array_shape: tuple[int, ...],
        chunk_shape: tuple[int, ...],
        is_scalar: bool = False,
    ) -> None:
        self.dims = dims
        self.layout = layout
        self.array_shape = array_shape
        self.chunk_shape = chunk_shape
        self.is_scalar = is_scalar
        self.shape = tuple(1 if ax == NEW_AXIS else dims[ax].out_len or 0 for ax in layout)
        self.drop_axes = tuple(i for i, d in enumerate(dims) if isinstance(d, IntDim))
        self._direct = any(isinstance(d, ArrayDim) for d in dims)
        self.kind = "orthogonal" if self._direct else "basic"

    def selection_key(self) -> tuple[Any, ...]:
        """A small, exact description of the selection (for graph tokens).

        Each axis as its kind and settings; index arrays are included as arrays,
        for the caller's tokenizer to hash by content.
        """
        axes = tuple(
            (type(d).__name__, *(getattr(d, name) for name in d.__slots__ if name[0] != "_"))
            for d in self.dims
        )
        return ("product", tuple(self.layout), axes, self.array_shape, self.chunk_shape)

    def __iter__(self) -> Iterator[ChunkProjection]:
        layout = self.layout
        direct = self._direct
        per_dim = [d.entries() for d in self.dims]
        placed = [ax for ax in layout if ax != NEW_AXIS]
        if not direct and placed == sorted(placed):
            # Each field is its own product over the axes, built in C: the products
            # iterate in the same order, since the axes missing from the output
            # (integers) and new axes have one entry each.
            coords = product(*([e[0] for e in entries] for entries in per_dim))
            chunk_sels = product(*([e[1] for e in entries] for entries in per_dim))
            out_sels = product(
                *([0] if ax == NEW_AXIS else [e[2] for e in per_dim[ax]] for ax in layout)
            )
            complete = map(all, product(*([e[3] for e in entries] for entries in per_dim)))
            yield from map(
                ChunkProjection._make, zip(coords, chunk_sels, out_sels, complete, strict=True)
            )
            return
        for combo in product(*per_dim):
            chunk_sel = tuple(e[1] for e in combo)
            out_sel = tuple(0 if ax == NEW_AXIS else combo[ax][2] for ax in layout)
            if direct:
                chunk_sel = orthogonal_to_direct(chunk_sel)
                out_sel = orthogonal_to_direct(out_sel)
            yield ChunkProjection(
                tuple(e[0] for e in combo), chunk_sel, out_sel, all(e[3] for e in combo)
            )

    def chunk_coords(self) -> Iterator[tuple[int, ...]]:
        return product(*(d.chunk_indices() for d in self.dims))

    @property
    def nchunks_touched(self) -> int:
        return math.prod(len(d.chunk_indices()) for d in self.dims)

    @property
    def region(self) -> tuple[slice, ...]:
        return tuple(slice(*d.bounds()) for d in self.dims)


class VectorIndexer:
    """NumPy advanced (vectorized) indexing: coordinates, masks, and arrays mixed with
    slices and integers.

    The index arrays are broadcast together into points; points are grouped by the
    chunk that holds them, and the remaining axes (integers, slices) project on their
    own. In each projection the chunk selection keeps the original's pattern of
    advanced entries, so NumPy puts the points' axis in the same place in
    ``chunk[chunk_selection]`` as the flat point positions take in ``out[out_selection]``.
    """

    __slots__ = (
        "_groups",
        "_ix_chunk",
        "array_shape",
        "chunk_shape",
        "dims",
        "drop_axes",
        "is_scalar",
        "layout",
        "point_axes",
        "point_bounds",
        "shape",
    )
    kind = "vectorized"

    def __init__(
        self,
        point_axes: tuple[int, ...],
        coords: list[np.ndarray[Any, Any]],
        point_shape: tuple[int, ...],
        dims: dict[int, IntDim | SliceDim],
        layout: list[int],
        array_shape: tuple[int, ...],
        chunk_shape: tuple[int, ...],
    ) -> None:
        self.point_axes = point_axes
        self.dims = dims
        self.layout = layout
        self.array_shape = array_shape
        self.chunk_shape = chunk_shape
        self.is_scalar = False
        shape: list[int] = []
        for slot in layout:
            shape.extend(point_shape if slot == POINTS else (dims[slot].out_len or 0,))
        self.shape = tuple(shape)
        self.drop_axes = tuple(ax for ax, d in sorted(dims.items()) if isinstance(d, IntDim))
        allow_slices = len(point_axes) == 1 and not self.drop_axes
        self._groups = group_points(
            coords,
            tuple(array_shape[ax] for ax in point_axes),
            tuple(chunk_shape[ax] for ax in point_axes),
            point_shape,
            allow_slices,
        )
        self.point_bounds = [(int(c.min()), int(c.max()) + 1) if c.size else (0, 0) for c in coords]
        self._ix_chunk = self._needs_ix()

    def _needs_ix(self) -> bool:
        """Whether plain indexing of a chunk would put the points' axis elsewhere than
        the output does.

        Only when NumPy put the points first because an Ellipsis standing for no axis
        separated the advanced entries: the chunk selection has no such separator, so
        NumPy would keep the points in place, after the slices that precede them.
        """
        if self.layout[0] != POINTS:
            return False
        first = min([*self.point_axes, *self.drop_axes])
        return any(isinstance(d, SliceDim) and ax < first for ax, d in self.dims.items())

    def _to_ix(self, chunk_sel: list[Any]) -> list[Any]:
        """Every entry but integers as a broadcasting array: points along the first
        result axis, each slice along its own, as the output places them."""
        slice_axes = [slot for slot in self.layout if slot != POINTS]
        m = 1 + len(slice_axes)
        for ax in self.point_axes:
            chunk_sel[ax] = np.asarray(chunk_sel[ax]).reshape((-1,) + (1,) * (m - 1))
        for j, ax in enumerate(slice_axes, start=1):
            shape = [1] * m
            shape[j] = -1
            # Projected slices have explicit bounds: any length at least the chunk's works.
            bound = axis_max(self.chunk_shape[ax])
            chunk_sel[ax] = np.arange(*chunk_sel[ax].indices(bound)).reshape(shape)
        return chunk_sel

    def _other_axes(self) -> list[int]:
        return sorted(self.dims)

    def __iter__(self) -> Iterator[ChunkProjection]:
        ndim = len(self.array_shape)
        others = self._other_axes()
        other_entries: list[list[DimEntry]] = [self.dims[ax].entries() for ax in others]
        for g_coords, g_sel, g_out, g_complete in self._groups:
            coords: list[int] = [0] * ndim
            chunk_sel: list[Any] = [None] * ndim
            for ax, ci, sel in zip(self.point_axes, g_coords, g_sel, strict=True):
                coords[ax] = ci
                chunk_sel[ax] = sel
            for combo in product(*other_entries):
                by_axis: dict[int, DimEntry] = {}
                for ax, entry in zip(others, combo, strict=True):
                    coords[ax] = entry[0]
                    chunk_sel[ax] = entry[1]
                    by_axis[ax] = entry
                out_sel: list[Any] = []
                for slot in self.layout:
                    if slot == POINTS:
                        out_sel.extend(g_out)
                    else:
                        out_sel.append(by_axis[slot][2])
                complete = g_complete and all(e[3] for e in combo)
                final = self._to_ix(list(chunk_sel)) if self._ix_chunk else chunk_sel
                yield ChunkProjection(tuple(coords), tuple(final), tuple(out_sel), complete)

    def chunk_coords(self) -> Iterator[tuple[int, ...]]:
        ndim = len(self.array_shape)
        others = self._other_axes()
        other_indices = [self.dims[ax].chunk_indices() for ax in others]
        for g_coords, _, _, _ in self._groups:
            coords = [0] * ndim
            for ax, ci in zip(self.point_axes, g_coords, strict=True):
                coords[ax] = ci
            for combo in product(*other_indices):
                for ax, ci in zip(others, combo, strict=True):
                    coords[ax] = ci
                yield tuple(coords)

    @property
    def nchunks_touched(self) -> int:
        others = math.prod(len(d.chunk_indices()) for d in self.dims.values())
        return len(self._groups) * others

    @property
    def region(self) -> tuple[slice, ...]:
        bounds: dict[int, tuple[int, int]] = {ax: d.bounds() for ax, d in self.dims.items()}
        bounds.update(zip(self.point_axes, self.point_bounds, strict=True))
        return tuple(slice(*bounds[ax]) for ax in range(len(self.array_shape)))
