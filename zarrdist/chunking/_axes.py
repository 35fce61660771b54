"""One axis of a chunk grid: a regular step (an ``int``) or explicit edges (:class:`VaryingAxis`).

Indexing, planning and graphs see a grid as one entry per axis. A regular axis stays
a plain ``int``, so the arithmetic of regular grids (by far the common case, and the
point-read path) is unchanged; the functions here take either form.

>>> axis = VaryingAxis((3, 3, 4))
>>> axis.chunk_of(5), axis.bounds(2, 9), axis_nchunks(9, axis)
(1, (6, 9), 3)
>>> axis_bounds(1, 4, 7), axis_chunk_of(5, 4)
((4, 7), 1)
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = [
    "AxisChunks",
    "VaryingAxis",
    "axis_bounds",
    "axis_chunk_of",
    "axis_chunks_of",
    "axis_nchunks",
    "axis_size",
    "is_regular_axis",
]


class VaryingAxis:
    """The chunk edges of one axis of a rectilinear grid.

    Edges may cover more than the array (the spec allows trailing chunks past the
    extent, which a shrink leaves); the functions that take an extent clip to it.

    Attributes
    ----------
    edges : tuple of int
        Every chunk's length along the axis, each at least 1.
    starts : tuple of int
        Where each chunk starts; ``starts[i] + edges[i]`` is where it ends.
    """

    __slots__ = ("_ends", "edges", "max_edge", "min_edge", "starts", "total")

    def __init__(self, edges: Sequence[int]) -> None:
        self.edges = tuple(int(e) for e in edges)
        if not self.edges or any(e < 1 for e in self.edges):
            raise ValueError(f"chunk edges must be a non-empty list of integers >= 1, got {edges}")
        ends = tuple(itertools.accumulate(self.edges))
        self.starts = (0, *ends[:-1])
        self._ends = np.asarray(ends, dtype=np.int64)
        self.total = ends[-1]
        self.max_edge = max(self.edges)
        self.min_edge = min(self.edges)

    def __repr__(self) -> str:
        return f"VaryingAxis({list(self.edges)})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, VaryingAxis) and other.edges == self.edges

    def __hash__(self) -> int:
        return hash(("VaryingAxis", self.edges))

    def __reduce__(self) -> tuple[Any, ...]:
        return (VaryingAxis, (self.edges,))

    def chunk_of(self, index: int) -> int:
        """The chunk that holds element ``index`` (which must lie inside the edges)."""
        return bisect.bisect_right(self.starts, index) - 1

    def chunks_of(self, indices: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        """:meth:`chunk_of` for an int array."""
        return np.searchsorted(self._ends, indices, side="right")

    def bounds(self, ci: int, extent: int) -> tuple[int, int]:
        """Start and stop of chunk ``ci``'s data, clipped to ``extent``."""
        start = self.starts[ci]
        return start, min(start + self.edges[ci], extent)

    def nchunks(self, extent: int) -> int:
        """How many chunks hold part of an axis of length ``extent``."""
        return 0 if extent <= 0 else bisect.bisect_left(self.starts, extent)

    def resized(self, extent: int) -> VaryingAxis:
        """The edges for a new extent: grown by one chunk covering the gap, else kept.

        zarr-python 3.4 does the same, and the spec allows edges past the extent.
        """
        if extent <= self.total:
            return self
        return VaryingAxis((*self.edges, extent - self.total))


AxisChunks = int | VaryingAxis


def is_regular_axis(axis: AxisChunks) -> bool:
    """Whether ``axis`` is a plain regular step."""
    return type(axis) is int


def axis_chunk_of(index: int, axis: AxisChunks) -> int:
    """The chunk along ``axis`` holding element ``index``."""
    if type(axis) is int:
        return index // axis
    return axis.chunk_of(index)  # type: ignore[union-attr]


def axis_chunks_of(indices: np.ndarray[Any, Any], axis: AxisChunks) -> np.ndarray[Any, Any]:
    """:func:`axis_chunk_of` for an int array."""
    if type(axis) is int:
        return indices // axis
    return axis.chunks_of(indices)  # type: ignore[union-attr]


def axis_bounds(ci: int, axis: AxisChunks, extent: int) -> tuple[int, int]:
    """Start and stop of chunk ``ci`` along ``axis``, clipped to ``extent``."""
    if type(axis) is int:
        start = ci * axis
        return start, min(start + axis, extent)
    return axis.bounds(ci, extent)  # type: ignore[union-attr]


def axis_size(ci: int, axis: AxisChunks) -> int:
    """The codec length of chunk ``ci`` (the unclipped edge)."""
    if type(axis) is int:
        return axis
    return axis.edges[ci]  # type: ignore[union-attr]


def axis_nchunks(extent: int, axis: AxisChunks) -> int:
    """Chunks along an axis of length ``extent``."""
    if type(axis) is int:
        return -(-extent // axis)
    return axis.nchunks(extent)  # type: ignore[union-attr]
