"""The grids of an array one cell at a time: chunk and shard coordinates, store keys,
the regions they cover, and which shards are stored.

zarr-python 3.1.5 offers these as private helpers (``Array._iter_chunk_coords`` and
the functions of the same names in ``zarr.core.array``) that its own tests and some
downstream code call; :class:`GridWalk` gives ``Array`` the same members. Everything
is computed from the metadata (no I/O) except the stored-shard queries, which list
the store once. The chunk grid is the grid reads use (a sharded array's inner
chunks); the shard grid is the grid of stored objects (the chunks when unsharded).
"""

from __future__ import annotations

import asyncio
import itertools
import math
from collections.abc import Iterator, Sequence
from typing import Any, cast

from zarrdist.chunking.walk import iter_grid

__all__ = [
    "GridWalk",
    "chunk_grid_shape",
    "iter_chunk_coords",
    "iter_chunk_regions",
    "iter_shard_coords",
    "iter_shard_keys",
    "iter_shard_regions",
    "shard_grid_shape",
    "shards_initialized",
    "stored_shard_keys",
]

Box = Sequence[int] | None


def chunk_grid_shape(array: Any) -> tuple[int, ...]:
    """Chunks per axis (inner chunks of a sharded array)."""
    return tuple(len(axis) for axis in array.metadata.read_chunk_sizes)


def shard_grid_shape(array: Any) -> tuple[int, ...]:
    """Stored objects per axis: shards, or chunks when the array is not sharded."""
    return tuple(len(axis) for axis in array.metadata.write_chunk_sizes)


def iter_chunk_coords(
    array: Any, *, origin: Box = None, selection_shape: Box = None
) -> Iterator[tuple[int, ...]]:
    """Chunk-grid coordinates in C order, optionally of a box of chunks only."""
    return iter_grid(chunk_grid_shape(array), origin=origin, selection_shape=selection_shape)


def iter_shard_coords(
    array: Any, *, origin: Box = None, selection_shape: Box = None
) -> Iterator[tuple[int, ...]]:
    """Shard-grid coordinates in C order, optionally of a box of shards only."""
    return iter_grid(shard_grid_shape(array), origin=origin, selection_shape=selection_shape)


def iter_shard_keys(
    array: Any, *, origin: Box = None, selection_shape: Box = None
) -> Iterator[str]:
    """Store keys (relative to the array) of the shards, in the order of
    :func:`iter_shard_coords`."""
    metadata = array.metadata
    for coords in iter_shard_coords(array, origin=origin, selection_shape=selection_shape):
        yield metadata.chunk_key(coords)


def _regions(
    sizes: tuple[tuple[int, ...], ...], origin: Box, selection_shape: Box
) -> Iterator[tuple[slice, ...]]:
    edges = [(0, *itertools.accumulate(axis)) for axis in sizes]
    grid = tuple(len(axis) for axis in sizes)
    for cell in iter_grid(grid, origin=origin, selection_shape=selection_shape):
        yield tuple(slice(e[i], e[i + 1], 1) for e, i in zip(edges, cell, strict=True))


def iter_chunk_regions(
    array: Any, *, origin: Box = None, selection_shape: Box = None
) -> Iterator[tuple[slice, ...]]:
    """The array region each chunk covers (clipped at the array's edge), in C order."""
    return _regions(array.metadata.read_chunk_sizes, origin, selection_shape)


def iter_shard_regions(
    array: Any, *, origin: Box = None, selection_shape: Box = None
) -> Iterator[tuple[slice, ...]]:
    """The array region each shard covers (clipped at the array's edge), in C order."""
    return _regions(array.metadata.write_chunk_sizes, origin, selection_shape)


def stored_shard_keys(array: Any, stored: Sequence[str]) -> tuple[str, ...]:
    """Of ``stored`` (store keys of the array's stored objects, with the array's path),
    the keys relative to the array, in shard-grid C order; sorted from the keys
    themselves, so a huge, mostly empty grid is never enumerated."""
    metadata = array.metadata
    prefix = f"{array.path}/" if array.path else ""
    cells = []
    for key in stored:
        relative = key.removeprefix(prefix)
        coords = metadata.chunk_key_encoding.parse_chunk_key(relative)
        if coords is not None:
            cells.append((coords, relative))
    return tuple(relative for _, relative in sorted(cells))


async def shards_initialized(array: Any) -> tuple[str, ...]:
    """The keys (relative to the array) of the shards that are stored, in grid order,
    listed off the event loop; ``array`` is an ``AsyncArray`` or an ``Array``."""
    sync = getattr(array, "_sync", array)  # the Array an AsyncArray faces
    return await asyncio.to_thread(lambda: stored_shard_keys(sync, sync._stored_keys()))


class GridWalk:
    """zarr-python's private grid members of ``Array`` (see the module docstring)."""

    @property
    def _chunk_grid_shape(self) -> tuple[int, ...]:
        return chunk_grid_shape(self)

    @property
    def _shard_grid_shape(self) -> tuple[int, ...]:
        return shard_grid_shape(self)

    @property
    def _nshards(self) -> int:
        return math.prod(shard_grid_shape(self))

    @property
    def _nshards_initialized(self) -> int:
        # Array's _stored_keys lists the objects stored under the array's path.
        return len(stored_shard_keys(self, cast(Any, self)._stored_keys()))

    def _iter_chunk_coords(
        self, *, origin: Box = None, selection_shape: Box = None
    ) -> Iterator[tuple[int, ...]]:
        return iter_chunk_coords(self, origin=origin, selection_shape=selection_shape)

    def _iter_shard_coords(
        self, *, origin: Box = None, selection_shape: Box = None
    ) -> Iterator[tuple[int, ...]]:
        return iter_shard_coords(self, origin=origin, selection_shape=selection_shape)

    def _iter_shard_keys(self, *, origin: Box = None, selection_shape: Box = None) -> Iterator[str]:
        return iter_shard_keys(self, origin=origin, selection_shape=selection_shape)

    def _iter_chunk_regions(
        self, *, origin: Box = None, selection_shape: Box = None
    ) -> Iterator[tuple[slice, ...]]:
        return iter_chunk_regions(self, origin=origin, selection_shape=selection_shape)

    def _iter_shard_regions(
        self, *, origin: Box = None, selection_shape: Box = None
    ) -> Iterator[tuple[slice, ...]]:
        return iter_shard_regions(self, origin=origin, selection_shape=selection_shape)
