"""Storage units on a grid whose units differ in size (rectilinear chunk grids).

On a regular grid every unit has one codec spec, which the fast read path
(:mod:`zarrdist.chunkio.read`: batched decodes, raw placement) relies on. On a
rectilinear grid each unit has its own shape, so reads go through
:func:`read_units_varying`: unit by unit, each decoded with its own spec; a sharded
unit reads only the inner chunks it needs. Inner chunks of a sharded rectilinear
array are regular (every shard edge holds whole inner chunks), so selections still
project onto a regular io grid and only the unit a chunk belongs to varies.
"""

from __future__ import annotations

from collections.abc import Sequence
from operator import sub
from typing import TYPE_CHECKING, Any

from zarrdist.chunking.grid import AxisChunks, VaryingAxis, axis_bounds, axis_chunk_of
from zarrdist.codecs import decode_chunk
from zarrdist.codecs.sharding import read_shard_partial
from zarrdist.errors import ChunkNotFoundError, CodecError
from zarrdist.stores._base import slice_bytes

if TYPE_CHECKING:
    from zarrdist.chunking.indexing import ChunkProjection
    from zarrdist.chunkio.units import ArrayHandle, Units
    from zarrdist.codecs import ArraySpec

__all__ = [
    "check_units_stored",
    "inner_chunks_stored",
    "inner_origin",
    "io_chunks_per_unit",
    "read_units_varying",
    "unit_of",
    "unit_spec_at",
]


def io_chunks_per_unit(outer: Sequence[AxisChunks], inner: Sequence[int]) -> tuple[AxisChunks, ...]:
    """Per axis, how many io chunks a unit holds: an int, or a VaryingAxis of counts."""
    out: list[AxisChunks] = []
    for o, i in zip(outer, inner, strict=True):
        if o == i:  # unsharded: a unit is one io chunk, whatever its size
            out.append(1)
        elif isinstance(o, VaryingAxis):
            out.append(o if i == 1 else VaryingAxis([e // i for e in o.edges]))
        else:
            out.append(o // i)
    return tuple(out)


def unit_of(coords: Sequence[int], per_unit: Sequence[AxisChunks]) -> tuple[int, ...]:
    """The unit holding io chunk ``coords``."""
    return tuple(axis_chunk_of(c, n) for c, n in zip(coords, per_unit, strict=True))


def inner_origin(unit: Sequence[int], per_unit: Sequence[AxisChunks]) -> tuple[int, ...]:
    """The io-chunk coordinates of the first inner chunk of ``unit``."""
    return tuple(axis_bounds(u, n, 1 << 62)[0] for u, n in zip(unit, per_unit, strict=True))


def inner_chunks_stored(handle: ArrayHandle, keys: Sequence[str]) -> int:
    """Read chunks held by the stored units ``keys`` (each shard counts all of its own)."""
    per_unit = io_chunks_per_unit(handle.metadata.chunk_shape, handle.io_chunk_shape)
    encoding = handle.metadata.chunk_key_encoding
    total = 0
    for key in keys:
        coords = encoding.parse_chunk_key(key[len(handle.prefix) :])
        if coords is None:
            continue
        count = 1
        for c, n in zip(coords, per_unit, strict=True):
            start, stop = axis_bounds(c, n, 1 << 62)
            count *= stop - start
        total += count
    return total


def unit_spec_at(handle: ArrayHandle, unit: Sequence[int]) -> ArraySpec:
    """The codec spec of the unit at ``unit`` (its own shape on a rectilinear grid)."""
    spec: ArraySpec = handle.metadata.chunk_spec(handle.prototype, tuple(unit))
    return spec


def _decode(handle: ArrayHandle, key: str, data: Any, spec: ArraySpec) -> Any:
    try:
        return decode_chunk(handle.metadata.codec_chain, data, spec)
    except CodecError as error:
        message = str(error.args[0]) if error.args else "codec failed"
        raise type(error)(
            f"cannot decode {key!r}: {message}",
            codec=error.codec,
            key=key,
            store=handle.store.url,
        ) from error


def _missing(handle: ArrayHandle, keys: Sequence[str], units: Sequence[Any]) -> ChunkNotFoundError:
    listed = "\n".join(
        f"  chunk {k!r} (grid position {tuple(u)})" for k, u in zip(keys, units, strict=True)
    )
    return ChunkNotFoundError(
        f"{len(keys)} chunk(s) not found in store {handle.store.url!r}; set the array "
        f"config read_missing_chunks=True to read them as the fill value:\n{listed}"
    )


def check_units_stored(handle: ArrayHandle, units: Units) -> None:
    """Refuse a read that needs units not stored (``read_missing_chunks=False``).

    Only stored units count, as in zarr-python: an inner chunk missing from a stored
    shard reads as the fill value.

    Raises
    ------
    ChunkNotFoundError
        Naming every missing unit's key, before anything is read.
    """
    coords = list(units)
    keys = handle.keys(coords)
    missing = [(k, u) for k, u in zip(keys, coords, strict=True) if not handle.store.exists(k)]
    if missing:
        raise _missing(handle, [k for k, _ in missing], [u for _, u in missing])


def read_units_varying(handle: ArrayHandle, units: Units, out: Any) -> None:
    """Read every projection of ``units`` into ``out``, each unit with its own spec."""
    fill = handle.metadata.fill_value
    codec = handle.sharding
    per_unit = (
        io_chunks_per_unit(handle.metadata.chunk_shape, handle.io_chunk_shape) if codec else None
    )
    for unit, projections in units.items():
        key = handle.key(unit)
        data = handle.store.get(key)
        if data is None:
            for p in projections:
                out[p.out_selection] = fill
            continue
        spec = unit_spec_at(handle, unit)
        if codec is None:
            chunk = _decode(handle, key, data, spec)
            for p in projections:
                out[p.out_selection] = chunk[p.chunk_selection]
            continue
        assert per_unit is not None
        _read_shard(handle, key, data, spec, unit, projections, per_unit, out)


def _read_shard(
    handle: ArrayHandle,
    key: str,
    data: Any,
    spec: ArraySpec,
    unit: tuple[int, ...],
    projections: Sequence[ChunkProjection],
    per_unit: Sequence[AxisChunks],
    out: Any,
) -> None:
    codec = handle.sharding
    assert codec is not None
    origin = inner_origin(unit, per_unit)
    by_inner: dict[tuple[int, ...], list[ChunkProjection]] = {}
    for p in projections:
        by_inner.setdefault(tuple(map(sub, p.chunk_coords, origin)), []).append(p)
    view = memoryview(data).cast("B")
    try:
        chunks = read_shard_partial(
            lambda r: slice_bytes(view, r),
            lambda rs: [slice_bytes(view, r) for r in rs],
            codec,
            spec,
            list(by_inner),
        )
    except CodecError as error:
        raise type(error)(
            f"cannot decode {key!r}: {error.args[0] if error.args else 'codec failed'}",
            codec=error.codec,
            key=key,
            store=handle.store.url,
        ) from error
    fill = handle.metadata.fill_value
    for coords, ps in by_inner.items():
        chunk = chunks.get(coords)
        for p in ps:
            out[p.out_selection] = fill if chunk is None else chunk[p.chunk_selection]
