"""One axis of a basic or orthogonal selection, split along the chunk grid.

Each dimension yields entries ``(chunk_index, chunk_selection, out_selection,
complete)``: ``out_selection`` is ``None`` for an axis an integer drops, and
``complete`` says the entry covers every element of that chunk along this axis.
Python ints do the work for integers and slices (the point-read path must cost
microseconds); numpy only runs for index arrays. ``chunk`` is an int for a regular
axis, or a :class:`~zarrdist.chunking.VaryingAxis` for a rectilinear one; the int
case keeps its inline arithmetic.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from zarrdist.chunking.grid import AxisChunks, axis_bounds, axis_chunk_of, axis_chunks_of

__all__ = ["ArrayDim", "Dim", "DimEntry", "IntDim", "SliceDim", "compact_run"]

DimEntry = tuple[int, Any, Any, bool]


class IntDim:
    """An axis indexed by one (already wrapped and checked) integer; the axis drops."""

    __slots__ = ("chunk", "extent", "index")
    out_len: int | None = None

    def __init__(self, index: int, extent: int, chunk: AxisChunks) -> None:
        self.index = index
        self.extent = extent
        self.chunk = chunk

    def chunk_indices(self) -> Sequence[int]:
        return (axis_chunk_of(self.index, self.chunk),)

    def entries(self) -> list[DimEntry]:
        ci = axis_chunk_of(self.index, self.chunk)
        lo, hi = axis_bounds(ci, self.chunk, self.extent)
        return [(ci, self.index - lo, None, hi - lo == 1)]

    def bounds(self) -> tuple[int, int]:
        return self.index, self.index + 1


class SliceDim:
    """An axis indexed by a slice of any step.

    A negative step is turned into the ascending run of the same elements; each
    chunk then reads a positive-step slice and its values land in the output through
    a negative-step slice, so they come out reversed as NumPy has them.
    """

    __slots__ = ("chunk", "count", "extent", "reverse", "start", "step")

    def __init__(self, selection: slice, extent: int, chunk: AxisChunks) -> None:
        start, stop, step = selection.indices(extent)
        count = len(range(start, stop, step))
        self.reverse = step < 0
        if self.reverse:
            start += (count - 1) * step if count else 0
            step = -step
        self.start, self.step, self.count = start, step, count
        self.extent, self.chunk = extent, chunk

    @property
    def out_len(self) -> int:
        return self.count

    def chunk_indices(self) -> Sequence[int]:
        if not self.count:
            return ()
        start, step, chunk = self.start, self.step, self.chunk
        last = start + (self.count - 1) * step
        if type(chunk) is not int:
            first_ci, last_ci = chunk.chunk_of(start), chunk.chunk_of(last)  # type: ignore[union-attr]
            if step <= chunk.min_edge:  # type: ignore[union-attr]
                return range(first_ci, last_ci + 1)
            hit = chunk.chunks_of(np.arange(start, last + 1, step))  # type: ignore[union-attr]
            return np.unique(hit).tolist()
        # A step no wider than a chunk leaves no chunk in between untouched.
        if step <= chunk:
            return range(start // chunk, last // chunk + 1)
        if step % chunk == 0:
            return range(start // chunk, last // chunk + 1, step // chunk)
        return [(start + k * step) // chunk for k in range(self.count)]

    def project(self, ci: int) -> tuple[slice, slice, bool]:
        """Chunk selection, output selection and completeness for chunk ``ci``."""
        start, step = self.start, self.step
        lo, hi = axis_bounds(ci, self.chunk, self.extent)
        first = start if start >= lo else start + -(-(lo - start) // step) * step
        last = min(start + (self.count - 1) * step, hi - 1)
        last = start + ((last - start) // step) * step
        k0 = (first - start) // step
        k1 = (last - start) // step + 1
        chunk_sel = slice(first - lo, last - lo + 1, step)
        if self.reverse:
            top = self.count - 1
            stop = top - k1
            out = slice(top - k0, stop if stop >= 0 else None, -1)
        else:
            out = slice(k0, k1)
        return chunk_sel, out, k1 - k0 == hi - lo

    def entries(self) -> list[DimEntry]:
        return [(ci, *self.project(ci)) for ci in self.chunk_indices()]

    def bounds(self) -> tuple[int, int]:
        if not self.count:
            return 0, 0
        return self.start, self.start + (self.count - 1) * self.step + 1


def compact_run(local: np.ndarray[Any, Any]) -> slice | None:
    """``local`` as a step-1 slice when it is a strictly increasing run, else None."""
    n = len(local)
    first = int(local[0])
    if int(local[-1]) - first != n - 1:
        return None
    if n > 2 and not bool(np.all(np.diff(local) == 1)):
        return None
    return slice(first, first + n)


def _unique_count(local: np.ndarray[Any, Any], is_sorted: bool) -> int:
    if is_sorted:
        return 1 + int(np.count_nonzero(np.diff(local)))
    return len(np.unique(local))


class ArrayDim:
    """An axis indexed by a 1-D int array (wrapped, checked; any order, repeats allowed).

    Indices are grouped by chunk with a stable sort, so within a chunk they keep
    their original order (a write with repeated indices keeps NumPy's last-wins) and
    the output positions they go to are the sort's permutation.
    """

    __slots__ = ("_entries", "array", "chunk", "extent")

    def __init__(self, array: np.ndarray[Any, Any], extent: int, chunk: AxisChunks) -> None:
        self.array, self.extent, self.chunk = array, extent, chunk
        self._entries = self._split()

    @property
    def out_len(self) -> int:
        return len(self.array)

    def _split(self) -> list[DimEntry]:
        array, chunk, n = self.array, self.chunk, len(self.array)
        if n == 0:
            return []
        ids = axis_chunks_of(array, chunk)
        order: np.ndarray[Any, Any] | None = None
        if n > 1 and bool(np.any(ids[1:] < ids[:-1])):
            order = np.argsort(ids, kind="stable")
            ids, array = ids[order], array[order]
        is_sorted = order is None and (n < 2 or bool(np.all(array[1:] >= array[:-1])))
        cuts = (np.flatnonzero(ids[1:] != ids[:-1]) + 1).tolist()
        out: list[DimEntry] = []
        for a, b in zip([0, *cuts], [*cuts, n], strict=True):
            ci = int(ids[a])
            base, stop = axis_bounds(ci, chunk, self.extent)
            width = stop - base
            local = array[a:b] - base
            run = compact_run(local)
            if run is not None:
                chunk_sel: Any = run
                complete = b - a == width
            else:
                chunk_sel = local
                complete = b - a >= width and _unique_count(local, is_sorted) == width
            if order is None:
                out_sel: Any = slice(a, b)
            else:
                positions = order[a:b]
                # A stable sort keeps each chunk's positions ascending: a run is a slice.
                first = int(positions[0])
                contiguous = int(positions[-1]) - first == b - a - 1
                out_sel = slice(first, first + b - a) if contiguous else positions
            out.append((ci, chunk_sel, out_sel, complete))
        return out

    def chunk_indices(self) -> Sequence[int]:
        return [entry[0] for entry in self._entries]

    def entries(self) -> list[DimEntry]:
        return self._entries

    def bounds(self) -> tuple[int, int]:
        if not len(self.array):
            return 0, 0
        return int(self.array.min()), int(self.array.max()) + 1


Dim = IntDim | SliceDim | ArrayDim
