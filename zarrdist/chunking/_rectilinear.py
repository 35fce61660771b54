"""The rectilinear chunk grid: chunks of different lengths along each axis.

Spec: https://github.com/zarr-developers/zarr-extensions/tree/main/chunk-grids/rectilinear

zarr-python 3.4 writes it (behind its ``array.rectilinear_chunks`` flag) as::

    {"name": "rectilinear",
     "configuration": {"kind": "inline", "chunk_shapes": [[[3, 2], 4], 5]}}

one entry per axis: a bare integer is a regular step repeating over the axis, a
list gives the edges, where ``[size, count]`` stands for ``count`` edges of
``size`` (run-length encoding, used where it is shorter).

>>> grid = RectilinearChunkGrid(((3, 3, 4), 5))
>>> grid.grid_shape((10, 7)), grid.chunk_region((2, 1), (10, 7))
((3, 2), (slice(6, 10, None), slice(5, 7, None)))
>>> grid.to_json()["configuration"]["chunk_shapes"]
[[[3, 2], 4], 5]
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from zarrdist.chunking._axes import (
    AxisChunks,
    VaryingAxis,
    axis_bounds,
    axis_nchunks,
    axis_size,
)
from zarrdist.errors import MetadataError, Problem

__all__ = ["RectilinearChunkGrid", "compress_rle", "expand_rle", "rectilinear_from_user"]

DimSpec = int | tuple[int, ...]


def _positive(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise MetadataError(f"{where} must be an integer >= 1, got {value!r}")
    return value


def expand_rle(entries: Sequence[Any], axis: int) -> tuple[int, ...]:
    """The edges of one axis from bare edges and ``[size, count]`` pairs."""
    out: list[int] = []
    for k, item in enumerate(entries):
        where = f"chunk_grid.chunk_shapes.{axis}.{k}"
        if isinstance(item, list | tuple):
            if len(item) != 2:
                raise MetadataError(f"{where} must be an edge or [size, count], got {item!r}")
            out.extend([_positive(item[0], where)] * _positive(item[1], where + " count"))
        else:
            out.append(_positive(item, where))
    if not out:
        raise MetadataError(f"chunk_grid.chunk_shapes.{axis} has no chunk edges")
    return tuple(out)


def compress_rle(edges: Sequence[int]) -> list[Any]:
    """Runs of equal edges as ``[size, count]`` (single ones bare), as zarr-python writes."""
    out: list[Any] = []
    for size, run in itertools.groupby(edges):
        count = len(list(run))
        out.append([size, count] if count > 1 else size)
    return out


@dataclass(frozen=True)
class RectilinearChunkGrid:
    """Per-axis chunk edges; a bare int on an axis is a regular step.

    The same interface as :class:`~zarrdist.chunking.RegularChunkGrid` (``grid_shape``,
    ``nchunks``, ``all_chunk_coords``, ``chunk_region``, ``chunk_shape_at``,
    ``axes``, ``to_json``), so indexing, I/O and graphs take either.

    Attributes
    ----------
    chunk_shapes : tuple
        Per axis: an int (regular step) or a tuple of edges.
    """

    chunk_shapes: tuple[DimSpec, ...]
    name: ClassVar[str] = "rectilinear"

    def __post_init__(self) -> None:
        shapes: list[DimSpec] = []
        for axis, spec in enumerate(self.chunk_shapes):
            if isinstance(spec, int | VaryingAxis) and not isinstance(spec, bool):
                shapes.append(spec.edges if isinstance(spec, VaryingAxis) else spec)
            elif isinstance(spec, Sequence) and not isinstance(spec, str):
                shapes.append(expand_rle(list(spec), axis))
            else:
                raise MetadataError(f"chunk_grid.chunk_shapes.{axis}: invalid entry {spec!r}")
        for axis, spec in enumerate(shapes):
            if isinstance(spec, int):
                _positive(spec, f"chunk_grid.chunk_shapes.{axis}")
        object.__setattr__(self, "chunk_shapes", tuple(shapes))

    @property
    def ndim(self) -> int:
        """Number of dimensions."""
        return len(self.chunk_shapes)

    @property
    def axes(self) -> tuple[AxisChunks, ...]:
        """One entry per axis: the int step, or a :class:`VaryingAxis`."""
        return tuple(s if isinstance(s, int) else VaryingAxis(s) for s in self.chunk_shapes)

    @property
    def max_chunk_shape(self) -> tuple[int, ...]:
        """The largest edge along each axis (a bound for buffers and size estimates)."""
        return tuple(s if isinstance(s, int) else max(s) for s in self.chunk_shapes)

    def check_covers(self, array_shape: Sequence[int]) -> list[Problem]:
        """Problems if the edges of an axis sum to less than the array's extent."""
        problems = []
        if len(array_shape) != self.ndim:
            return [
                Problem(
                    "chunk_grid", f"{self.ndim} axes for an array of shape {tuple(array_shape)}"
                )
            ]
        for axis, (spec, extent) in enumerate(zip(self.chunk_shapes, array_shape, strict=True)):
            if not isinstance(spec, int) and sum(spec) < extent:
                problems.append(
                    Problem(
                        f"chunk_grid.chunk_shapes.{axis}",
                        f"edges sum to {sum(spec)}, less than the extent {extent}",
                    )
                )
        return problems

    def grid_shape(self, array_shape: Sequence[int]) -> tuple[int, ...]:
        """Chunks per dimension that hold part of the array."""
        return tuple(axis_nchunks(int(n), a) for n, a in zip(array_shape, self.axes, strict=True))

    def nchunks(self, array_shape: Sequence[int]) -> int:
        """Total number of chunks."""
        return math.prod(self.grid_shape(array_shape))

    def all_chunk_coords(self, array_shape: Sequence[int]) -> Iterator[tuple[int, ...]]:
        """Every chunk's grid coordinates, in C order."""
        return itertools.product(*(range(n) for n in self.grid_shape(array_shape)))

    def chunk_region(self, coords: Sequence[int], array_shape: Sequence[int]) -> tuple[slice, ...]:
        """The slices of the array that chunk ``coords`` covers (clipped to the array)."""
        grid = self.grid_shape(array_shape)
        if len(coords) != len(grid) or any(
            not 0 <= c < n for c, n in zip(coords, grid, strict=True)
        ):
            raise IndexError(f"chunk {tuple(coords)} is outside the chunk grid {grid}")
        return tuple(
            slice(*axis_bounds(c, a, int(n)))
            for c, a, n in zip(coords, self.axes, array_shape, strict=True)
        )

    def chunk_shape_at(self, coords: Sequence[int]) -> tuple[int, ...]:
        """The codec shape of chunk ``coords`` (its edges, unclipped)."""
        return tuple(axis_size(c, a) for c, a in zip(coords, self.axes, strict=True))

    def chunk_sizes(self, array_shape: Sequence[int]) -> tuple[tuple[int, ...], ...]:
        """Dask-style data lengths of the chunks along each axis (clipped to the array)."""
        out = []
        for a, n in zip(self.axes, array_shape, strict=True):
            bounds = [axis_bounds(c, a, int(n)) for c in range(axis_nchunks(int(n), a))]
            out.append(tuple(stop - start for start, stop in bounds))
        return tuple(out)

    def resized(self, new_shape: Sequence[int]) -> RectilinearChunkGrid:
        """The grid for a resized array: an axis that outgrows its edges gains one chunk."""
        shapes: list[DimSpec] = []
        for spec, extent in zip(self.chunk_shapes, new_shape, strict=True):
            if isinstance(spec, int):
                shapes.append(spec)
            else:
                shapes.append(VaryingAxis(spec).resized(int(extent)).edges)
        return RectilinearChunkGrid(tuple(shapes))

    def to_json(self) -> dict[str, Any]:
        """zarr-python 3.4's form: bare ints kept, edge lists run-length encoded if shorter."""
        out: list[Any] = []
        for spec in self.chunk_shapes:
            if isinstance(spec, int):
                out.append(spec)
                continue
            rle = compress_rle(spec)
            out.append(rle if len(rle) < len(spec) else list(spec))
        return {"name": self.name, "configuration": {"kind": "inline", "chunk_shapes": out}}

    @classmethod
    def from_json(cls, data: Any) -> RectilinearChunkGrid:
        """Parse a v3 ``chunk_grid`` member named ``rectilinear``.

        Raises
        ------
        MetadataError
            If ``kind`` is not ``"inline"`` or an entry is not a valid edge list.
        """
        if not isinstance(data, Mapping) or data.get("name") != cls.name:
            raise MetadataError(f"not a rectilinear chunk grid: {data!r}")
        config = data.get("configuration")
        if not isinstance(config, Mapping):
            raise MetadataError("chunk_grid.configuration is missing")
        if config.get("kind") != "inline":
            raise MetadataError(
                f"chunk_grid.configuration.kind must be 'inline', got {config.get('kind')!r}"
            )
        shapes = config.get("chunk_shapes")
        if not isinstance(shapes, list):
            raise MetadataError(
                f"chunk_grid.configuration.chunk_shapes must be a list, got {shapes!r}"
            )
        return cls(tuple(s if isinstance(s, int) else tuple(s) for s in shapes))


def _is_list(value: Any) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, str | bytes)


def rectilinear_from_user(
    spec: Any, shape: Sequence[int], *, enabled: bool
) -> RectilinearChunkGrid | None:
    """The rectilinear grid a user's ``chunks`` (or ``shards``) asks for, else None.

    A :class:`RectilinearChunkGrid` is taken as is. With ``enabled`` (the config key
    ``array.rectilinear_chunks``, zarr-python 3.4's flag), a sequence with a list
    of edges on some axis is one: each list must sum to the axis length, an int is
    a regular step (``-1``: the whole axis). Without the flag such sequences keep
    their older meaning (dask-style blocks, first block per axis).

    Raises
    ------
    MetadataError
        If the ranks differ, or an axis' edges do not sum to its length.
    """
    if isinstance(spec, RectilinearChunkGrid):
        return spec
    if not enabled or not _is_list(spec) or not any(_is_list(entry) for entry in spec):
        return None
    if len(spec) != len(shape):
        raise MetadataError(
            f"chunks {spec!r} have {len(spec)} axes; the shape {tuple(shape)} has {len(shape)}"
        )
    out: list[DimSpec] = []
    for axis, (entry, extent) in enumerate(zip(spec, shape, strict=True)):
        if _is_list(entry):
            edges = tuple(_positive(e, f"chunks.{axis}") for e in entry)
            if extent > 0 and sum(edges) != extent:
                raise MetadataError(
                    f"chunk edges {list(edges)} on axis {axis} sum to {sum(edges)}, not the "
                    f"axis length {extent}"
                )
            out.append(edges)
        elif entry == -1:
            out.append(max(int(extent), 1))
        else:
            out.append(_positive(entry, f"chunks.{axis}"))
    return RectilinearChunkGrid(tuple(out))
