"""Read and write storage units (chunks or shards) through the codec pipeline.

This is the one implementation of chunk I/O: the direct path of ``Array`` and
every task of the dask graphs call these functions, so both paths produce the
same bytes. Reads live in :mod:`zarrdist.chunkio.read`; this module holds what
both directions share and the writes.

Vocabulary
----------
*io chunk*
    The granularity selections are projected onto: the inner chunk of a sharded
    array (so a small read touches only the inner chunks it needs), else the chunk.
*unit*
    A stored object: a shard, or an unsharded chunk. A write of a unit is a
    read-modify-write unless the selection covers it whole.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from functools import cached_property, partial
from operator import floordiv, sub
from typing import TYPE_CHECKING, Any

import numpy as np

from zarrdist.chunking.grid import axis_bounds
from zarrdist.chunking.indexing import ChunkProjection
from zarrdist.chunkio.buffers import NDBufferPrototype, cpu_prototype
from zarrdist.chunkio.unitgrid import inner_origin, io_chunks_per_unit, unit_of, unit_spec_at
from zarrdist.codecs import (
    CodecChain,
    decode_chunk,
    encode_chunk,
)
from zarrdist.codecs.sharding import (
    ShardingCodec,
    all_fill_value,
    merge_into_shard,
    read_shard_partial,
)
from zarrdist.errors import CodecError, DecodeError
from zarrdist.stores import Store
from zarrdist.stores._base import slice_bytes

if TYPE_CHECKING:
    from zarrdist.chunking.indexing import Indexer
    from zarrdist.codecs import ArraySpec
    from zarrdist.metadata import ArrayMetadata

__all__ = [
    "ArrayHandle",
    "Fields",
    "LockFactory",
    "Units",
    "delete_units_outside",
    "stored_units",
    "group_by_unit",
    "io_chunk_shape",
    "sharding_of",
    "write_selection",
    "write_units",
]

#: ``lock(store_key)`` -> a context manager held around a unit's read-modify-write.
LockFactory = Callable[[str], AbstractContextManager[Any]]
#: Unit coordinates -> the io-chunk projections that fall inside that unit.
Units = Mapping[tuple[int, ...], Sequence[ChunkProjection]]
#: Fields of a structured dtype to write, as NumPy indexes with them: one name, or a list.
Fields = str | list[str]


@dataclass(frozen=True)
class ArrayHandle:
    """Everything chunk I/O needs: a store, the array's path in it, and its metadata.

    Attributes
    ----------
    store : Store
    path : str
        Path of the array inside the store ("" for the root).
    metadata : ArrayMetadata
        v2 or v3 array metadata.
    write_empty_chunks : bool
        Store units whose every element equals the fill value.
    prototype : NDBufferPrototype
        Array module for decoded data.
    read_missing_chunks : bool
        False: a read that needs a unit not stored raises ChunkNotFoundError.
    """

    store: Store
    path: str
    metadata: ArrayMetadata
    write_empty_chunks: bool = False
    prototype: NDBufferPrototype = field(default=cpu_prototype, compare=False)
    read_missing_chunks: bool = True

    @property
    def prefix(self) -> str:
        """Key prefix of the array's objects ("" or ``"path/"``)."""
        return f"{self.path}/" if self.path else ""

    def key(self, unit: Sequence[int]) -> str:
        """Store key of the unit at grid position ``unit``."""
        return self.prefix + self.metadata.chunk_key(tuple(unit))

    def keys(self, units: Iterable[Sequence[int]]) -> list[str]:
        """Store keys of many units, looking the prefix and key encoding up once."""
        prefix = self.prefix
        encode = self.metadata.chunk_key_encoding.encode_chunk_key
        return [prefix + encode(tuple(u)) for u in units]

    @property
    def sharding(self) -> ShardingCodec | None:
        """The sharding codec when units can be read and written inner chunk by inner chunk.

        A sharded array with other codecs around the sharding codec is treated as
        unsharded: its shards are decoded whole.
        """
        return sharding_of(self.metadata)

    @property
    def io_chunk_shape(self) -> tuple[int, ...]:
        """Shape selections are projected onto (inner chunks for sharded arrays)."""
        return io_chunk_shape(self.metadata)

    @cached_property
    def unit_spec(self) -> ArraySpec:
        """Codec spec of one stored unit (made once per handle: a handle's metadata
        and prototype do not change)."""
        spec: ArraySpec = self.metadata.chunk_spec(self.prototype)
        return spec

    def with_metadata(self, metadata: ArrayMetadata) -> ArrayHandle:
        """The same handle over other metadata (a resized array)."""
        return ArrayHandle(
            self.store,
            self.path,
            metadata,
            self.write_empty_chunks,
            self.prototype,
            self.read_missing_chunks,
        )


def sharding_of(metadata: ArrayMetadata) -> ShardingCodec | None:
    """The sharding codec of ``metadata`` when units can be read and written inner chunk
    by inner chunk (see :attr:`ArrayHandle.sharding`), else None."""
    chain: CodecChain = metadata.codec_chain
    codec = chain.array_bytes
    if isinstance(codec, ShardingCodec) and not chain.array_array and not chain.bytes_bytes:
        return codec
    return None


def io_chunk_shape(metadata: ArrayMetadata) -> tuple[int, ...]:
    """Shape selections of an array with ``metadata`` are projected onto (inner chunks
    for sharded arrays): no handle needed."""
    sharding = sharding_of(metadata)
    return tuple(sharding.chunk_shape) if sharding else tuple(metadata.chunk_shape)


def chunks_per_unit(handle: ArrayHandle) -> tuple[Any, ...]:
    """io chunks per unit along each axis (a VaryingAxis of counts on a rectilinear axis)."""
    return io_chunks_per_unit(handle.metadata.chunk_shape, handle.io_chunk_shape)


def group_by_unit(handle: ArrayHandle, projections: Iterable[ChunkProjection]) -> Units:
    """Group io-chunk projections by the stored unit that holds them, in first-seen order."""
    per_unit = chunks_per_unit(handle)
    units: dict[tuple[int, ...], list[ChunkProjection]] = {}
    if all(n == 1 for n in per_unit):
        for p in projections:
            units.setdefault(p.chunk_coords, []).append(p)
        return units
    if handle.metadata.is_rectilinear:
        for p in projections:
            units.setdefault(unit_of(p.chunk_coords, per_unit), []).append(p)
        return units
    for p in projections:
        units.setdefault(tuple(map(floordiv, p.chunk_coords, per_unit)), []).append(p)
    return units


def naming_key(error: CodecError, key: str, store: Store) -> CodecError:
    """The same kind of error, now naming the store key it came from."""
    message = str(error.args[0]) if error.args else "codec failed"
    # A plain codec failure while decoding stored bytes is a corrupt chunk: the
    # RuntimeError/OSError zarr-python raises there (DecodeError is both).
    kind = DecodeError if type(error) is CodecError else type(error)
    return kind(f"cannot decode {key!r}: {message}", codec=error.codec, key=key, store=store.url)


def decode_stored(
    handle: ArrayHandle, key: str, data: Any, spec: ArraySpec, chain: CodecChain | None = None
) -> Any:
    """Decode one stored chunk (with the array's chain unless ``chain`` is given); a
    codec error names ``key``."""
    try:
        return decode_chunk(handle.metadata.codec_chain if chain is None else chain, data, spec)
    except CodecError as error:
        raise naming_key(error, key, handle.store) from error


def by_inner_chunk(
    handle: ArrayHandle, unit: tuple[int, ...], projections: Sequence[ChunkProjection]
) -> dict[tuple[int, ...], list[ChunkProjection]]:
    """The projections into the shard at ``unit``, grouped by inner-chunk position."""
    origin = inner_origin(unit, chunks_per_unit(handle))
    by_inner: dict[tuple[int, ...], list[ChunkProjection]] = {}
    for p in projections:
        by_inner.setdefault(tuple(map(sub, p.chunk_coords, origin)), []).append(p)
    return by_inner


Getters = tuple[Callable[[Any], Any], Callable[[Any], Any]]


def getters_over(data: Any) -> Getters:
    """Shard byte getters over a shard already in memory (None: no shard stored)."""
    if data is None:
        return (lambda _: None), (lambda requests: [None] * len(requests))
    # Ranges are views, not copies: a coalesced range can be most of the shard.
    view = memoryview(data).cast("B")
    return (lambda r: slice_bytes(view, r)), (lambda rs: [slice_bytes(view, r) for r in rs])


# -- writes --------------------------------------------------------------------------


def _fresh_chunk(handle: ArrayHandle, shape: tuple[int, ...], order: str) -> Any:
    return handle.prototype.full(shape, handle.metadata.fill_value, handle.metadata.dtype, order)


def _updated_chunk(
    handle: ArrayHandle,
    projections: Sequence[ChunkProjection],
    value: Any,
    existing: Callable[[], Any | None],
    shape: tuple[int, ...],
    order: str,
    fields: Fields | None = None,
) -> Any:
    """The chunk after assigning ``value`` at ``projections`` (reading it first if partial);
    with ``fields``, ``value`` replaces only those fields of a structured chunk."""
    # A write of some fields keeps the others: it never covers a chunk whole.
    complete = fields is None and any(p.is_complete_chunk for p in projections)
    if complete and len(projections) == 1:
        whole = _whole_piece(projections[0], value, shape)
        # Only a value of the array's dtype can be encoded as is; others are cast below.
        if whole is not None and whole.dtype == handle.metadata.dtype:
            # The value already holds the entire chunk: encode it in place, no fill, no copy.
            return whole
    chunk = None if complete else existing()
    if chunk is None:
        chunk = _fresh_chunk(handle, shape, order)
    elif not chunk.flags.writeable:
        chunk = chunk.copy(order=order)
    # One field, or several, of a structured chunk is a view: writing it writes the chunk.
    target = chunk if fields is None else chunk[fields]
    for p in projections:
        target[p.chunk_selection] = value[p.out_selection]
    return chunk


def _whole_piece(p: ChunkProjection, value: Any, shape: tuple[int, ...]) -> Any | None:
    """``value``'s part for a chunk it covers entirely in order, else None."""
    for s, n in zip(p.chunk_selection, shape, strict=False):
        if not (isinstance(s, slice) and s.step in (None, 1) and not s.start and s.stop >= n):
            return None
    if len(p.chunk_selection) != len(shape):
        return None
    piece = value[p.out_selection]
    return piece if getattr(piece, "shape", None) == shape else None


def write_units(
    handle: ArrayHandle,
    units: Units,
    value: Any,
    *,
    lock: LockFactory | None = None,
    fields: Fields | None = None,
) -> int:
    """Write ``value`` (broadcast to the selection's shape) at every projection of ``units``.

    Each unit is written once; a unit the projections cover only partly is read,
    updated and rewritten, under ``lock(key)`` when a lock factory is given. With
    ``fields`` (names of a structured dtype's fields) only those fields are
    replaced, so every unit is read and updated under its lock.
    Returns the encoded bytes stored (units left empty count 0), so callers that
    report sizes need no request per key afterwards.
    """
    stored = 0
    # The same for every unit of the call: looked up once, not per unit.
    sharding, spec = handle.sharding, handle.unit_spec
    varying = handle.metadata.is_rectilinear
    for unit, projections in units.items():
        key = handle.key(unit)
        if varying:
            spec = unit_spec_at(handle, unit)
        partial = fields is not None or not all(p.is_complete_chunk for p in projections)
        guard = lock(key) if (lock is not None and (partial or sharding)) else None
        with guard if guard is not None else contextlib.nullcontext():
            if sharding is not None:
                stored += _write_shard(
                    handle, unit, key, projections, value, sharding, spec, fields
                )
            else:
                stored += _write_chunk(handle, key, projections, value, spec, fields)
    return stored


def _write_chunk(
    handle: ArrayHandle,
    key: str,
    projections: Sequence[ChunkProjection],
    value: Any,
    spec: ArraySpec,
    fields: Fields | None = None,
) -> int:
    def existing() -> Any | None:
        data = handle.store.get(key)
        return None if data is None else decode_stored(handle, key, data, spec)

    chunk = _updated_chunk(handle, projections, value, existing, spec.shape, spec.order, fields)
    if not handle.write_empty_chunks and all_fill_value(chunk, spec):
        handle.store.delete(key)
        return 0
    data = encode_chunk(handle.metadata.codec_chain, chunk, spec)
    return _put(handle, key, data)


def _put(handle: ArrayHandle, key: str, data: Any | None) -> int:
    """Store ``data`` at ``key`` (None deletes it); the bytes stored."""
    if data is None:
        handle.store.delete(key)
        return 0
    handle.store.set(key, data)
    return memoryview(data).nbytes


def _inner_in_bounds(handle: ArrayHandle, unit: tuple[int, ...]) -> int:
    """How many inner chunks of the shard at ``unit`` lie (partly) inside the array."""
    inner = handle.io_chunk_shape
    per_unit = chunks_per_unit(handle)
    count = 1
    for u, n, c, extent in zip(unit, per_unit, inner, handle.metadata.shape, strict=True):
        start, stop = axis_bounds(u, n, -(-extent // c))
        count *= max(stop - start, 0)
    return count


def _write_shard(
    handle: ArrayHandle,
    unit: tuple[int, ...],
    key: str,
    projections: Sequence[ChunkProjection],
    value: Any,
    codec: ShardingCodec,
    spec: ArraySpec,
    fields: Fields | None = None,
) -> int:
    inner_spec = codec.inner_spec(spec)
    by_inner = by_inner_chunk(handle, unit, projections)
    complete = (
        {c for c, ps in by_inner.items() if any(p.is_complete_chunk for p in ps)}
        if fields is None
        else set()
    )
    # A write covering every inner chunk of the shard needs no read of the old shard.
    whole = len(complete) == _inner_in_bounds(handle, unit)
    existing = None if whole else handle.store.get(key)
    old: dict[tuple[int, ...], Any] = {}
    if existing is not None:
        needed = [c for c in by_inner if c not in complete]
        getters = getters_over(existing)
        try:
            old = read_shard_partial(*getters, codec, spec, needed)
        except CodecError as error:
            raise naming_key(error, key, handle.store) from error
    updates: dict[Sequence[int], Any] = {
        coords: _updated_chunk(
            handle,
            ps,
            value,
            partial(old.get, coords),
            inner_spec.shape,
            inner_spec.order,
            fields,
        )
        for coords, ps in by_inner.items()
    }
    try:
        data = merge_into_shard(existing, updates, codec, spec, handle.write_empty_chunks)
    except CodecError as error:
        raise naming_key(error, key, handle.store) from error
    return _put(handle, key, data)


def write_selection(
    handle: ArrayHandle,
    indexer: Indexer,
    value: Any,
    *,
    lock: LockFactory | None = None,
    fields: Fields | None = None,
) -> None:
    """Write ``value`` (already broadcast to ``indexer.shape``) at the selection; with
    ``fields``, into those fields only."""
    units = group_by_unit(handle, indexer)
    if units:
        write_units(handle, units, value, lock=lock, fields=fields)


# -- resize --------------------------------------------------------------------------


#: Units outside a shrunk shape enumerated by their keys up to this count; more are
#: found by listing the store (a grid of 10**18 units cannot be enumerated).
MAX_ENUMERATED_UNITS = 1 << 16


def stored_units(handle: ArrayHandle) -> list[tuple[str, tuple[int, ...]]]:
    """``(key, grid position)`` of every unit stored for the array, from one listing.

    Only canonical chunk keys inside the grid count (``c/01`` or a key past the grid
    is another object). Costs the listing, never the grid's size.
    """
    meta = handle.metadata
    prefix = handle.prefix
    grid = tuple(meta.grid_shape)
    encoding = meta.chunk_key_encoding
    store = handle.store
    listed = store.list_prefix(prefix.rstrip("/")) if prefix else store.list()
    found: list[tuple[str, tuple[int, ...]]] = []
    for key in listed:
        if not key.startswith(prefix):
            continue
        rel = key[len(prefix) :]
        if not grid:  # 0-d: the one unit's key
            if rel == encoding.encode_chunk_key(()):
                found.append((key, ()))
            continue
        coords = encoding.parse_chunk_key(rel)
        if (
            coords is not None
            and len(coords) == len(grid)
            and all(c < g for c, g in zip(coords, grid, strict=True))
            and encoding.encode_chunk_key(coords) == rel
        ):
            found.append((key, coords))
    return found


def delete_units_outside(handle: ArrayHandle, new_shape: tuple[int, ...]) -> list[str]:
    """Store keys of the units that lie wholly outside ``new_shape`` (for shrinking).

    Few such units are enumerated (keys that may not exist included); many are found
    among the stored units, so the cost never grows with the grid's size.
    """
    grid = handle.metadata.chunk_grid
    old_grid = grid.grid_shape(handle.metadata.shape)
    new_grid = grid.grid_shape(new_shape)
    kept = math.prod(min(o, n) for o, n in zip(old_grid, new_grid, strict=True))
    if math.prod(old_grid) - kept > MAX_ENUMERATED_UNITS:
        return [
            key
            for key, unit in stored_units(handle)
            if any(u >= n for u, n in zip(unit, new_grid, strict=True))
        ]
    keys = []
    # The units outside, as disjoint boxes: past the new grid on axis ``a``, inside it
    # on the axes before ``a``; each box is small when their total is.
    for axis in range(len(old_grid)):
        starts = [0] * len(old_grid)
        stops = list(old_grid)
        starts[axis] = min(new_grid[axis], old_grid[axis])
        for before in range(axis):
            stops[before] = min(new_grid[before], old_grid[before])
        sizes = [b - a for a, b in zip(starts, stops, strict=True)]
        if min(sizes, default=1) <= 0:
            continue
        for offset in np.ndindex(*sizes):
            keys.append(handle.key(tuple(a + o for a, o in zip(starts, offset, strict=True))))
    return keys
