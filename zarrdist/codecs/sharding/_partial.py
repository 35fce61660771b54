"""Partial shard reads and writes, through callables so that no store is imported here.

A reader does: fetch the index (one byte request) -> decode it -> plan the needed
inner chunks' byte ranges -> fetch them (one ``get_ranges`` call) -> decode only
those inner chunks. A partial writer re-encodes only the inner chunks it touches
and copies every other stored inner chunk's bytes verbatim.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from zarrdist.codecs.sharding._codec import (
    ShardingCodec,
    assemble_shard,
    decode_inner_chunk,
    encode_inner_chunk,
    split_shard,
)
from zarrdist.codecs.sharding._index import (
    CODEC_NAME,
    MAX_UINT64,
    decode_index,
    empty_index,
)
from zarrdist.codecs.sharding._plan import (
    RangePlan,
    index_byte_request,
    morton_order,
    plan_shard_read,
)
from zarrdist.errors import CodecError
from zarrdist.stores import RangeByteRequest

if TYPE_CHECKING:
    from zarrdist.codecs._base import ArraySpec, Encoded
    from zarrdist.stores._base import ByteRequest

__all__ = [
    "GetIndex",
    "GetRanges",
    "fetch_inner_chunks",
    "merge_into_shard",
    "plan_inner_fetch",
    "read_shard_partial",
    "split_ranges",
]

#: ``get_index(request) -> bytes or None``: one byte request of the shard key.
GetIndex = Callable[["ByteRequest"], "Encoded | None"]
#: ``get_ranges(requests) -> [bytes or None, ...]``: several ranges of the shard key.
GetRanges = Callable[[Sequence["RangeByteRequest"]], Sequence["Encoded | None"]]


def _coords(values: Iterable[Any]) -> tuple[int, ...]:
    return tuple(int(v) for v in values)


def plan_inner_fetch(
    get_index: GetIndex,
    codec: ShardingCodec,
    spec: ArraySpec,
    needed_inner_coords: Iterable[Sequence[int]],
    *,
    max_gap_bytes: int | None = None,
    max_range_bytes: int | None = None,
) -> list[RangePlan]:
    """Fetch the shard's index and plan the byte ranges that hold the needed inner chunks.

    Inner chunks that are not stored (or a shard that does not exist) are in no
    plan: read them as fill value. Fetch the ranges with ``get_ranges`` and cut
    them apart with :func:`split_ranges`.

    Raises
    ------
    CodecError
        If the index is short (truncated shard) or corrupt.
    ChecksumError
        If the index checksum fails.
    """
    cps = codec.chunks_per_shard(spec)
    # plan_shard_read checks and deduplicates the coordinates.
    needed = list(needed_inner_coords)
    if not needed:
        return []
    raw = get_index(index_byte_request(codec.index_location, codec.index_size(cps)))
    if raw is None:
        return []
    size = codec.index_size(cps)
    if codec.index_location == "start":
        # Chunk bytes start after the index: an entry pointing into it is corrupt.
        index = decode_index(raw, codec.index_chain, cps, data_start=size)
        return plan_shard_read(index, needed, max_gap_bytes, max_range_bytes)
    index = decode_index(raw, codec.index_chain, cps)
    plans = plan_shard_read(index, needed, max_gap_bytes, max_range_bytes)
    return _through_index(plans, size)


#: An index up to this size is re-read with the furthest chunk range (see
#: :func:`_through_index`); a larger one is checked with a one-byte probe instead.
_EXTEND_MAX_BYTES = 64 << 10


def _through_index(plans: list[RangePlan], index_size: int) -> list[RangePlan]:
    """``plans`` that also prove no chunk range reaches into an index at the end.

    The shard's length is not known here (its index came from a suffix request), so
    an entry pointing into the index bytes would be read as data. In a sound shard
    the index follows every chunk: the byte ``index_size - 1`` past the furthest
    range's end exists. The furthest range is extended over it (a small index), or a
    one-byte range with no chunks probes it (a large one); if the shard is shorter,
    :func:`split_ranges` rejects it. No round trip is added.
    """
    if not plans:
        return plans
    last = max(range(len(plans)), key=lambda i: plans[i][0].end)
    request, slots = plans[last]
    out = list(plans)
    if index_size <= _EXTEND_MAX_BYTES:
        out[last] = (RangeByteRequest(request.start, request.end + index_size), slots)
    else:
        probe = request.end + index_size - 1
        out.append((RangeByteRequest(probe, probe + 1), []))
    return out


def split_ranges(
    plans: Sequence[RangePlan], blobs: Sequence[Encoded | None]
) -> dict[tuple[int, ...], memoryview]:
    """Cut fetched ranges (``blobs``, in the order of ``plans``) into their inner chunks.

    Returns inner coordinates -> the chunk's encoded bytes, views into ``blobs``.

    Raises
    ------
    CodecError
        If a range came back short: the shard was truncated or replaced after its
        index was read.
    """
    if len(blobs) != len(plans):
        raise CodecError(
            f"asked for {len(plans)} byte ranges of the shard, got {len(blobs)}",
            codec=CODEC_NAME,
        )
    out: dict[tuple[int, ...], memoryview] = {}
    for (request, slots), blob in zip(plans, blobs, strict=True):
        wanted = request.end - request.start
        view = memoryview(b"" if blob is None else blob).cast("B")
        if len(view) != wanted:
            raise CodecError(
                f"shard bytes [{request.start}, {request.end}) returned {len(view)} bytes, "
                f"expected {wanted} (truncated shard or stale index, or an index entry "
                "pointing past the chunk bytes, into the index or beyond the shard)",
                codec=CODEC_NAME,
            )
        for coords, offset, nbytes in slots:
            out[coords] = view[offset : offset + nbytes]
    return out


def fetch_inner_chunks(
    get_index: GetIndex,
    get_ranges: GetRanges,
    codec: ShardingCodec,
    spec: ArraySpec,
    needed_inner_coords: Iterable[Sequence[int]],
    *,
    max_gap_bytes: int | None = None,
    max_range_bytes: int | None = None,
) -> dict[tuple[int, ...], memoryview | None]:
    """Fetch the stored bytes of the needed inner chunks of one shard, undecoded.

    One index request, then one ``get_ranges`` call for the planned (coalesced)
    ranges. Callers that decode one chunk at a time and drop it (a read placing
    chunks into its output) hold one decoded chunk per thread, not the shard's.

    Returns
    -------
    dict
        Inner coordinates -> the chunk's encoded bytes, or None where the chunk (or
        the whole shard) is absent: read it as fill value.

    Raises
    ------
    CodecError
        If the index or a range is short (truncated shard), or the index is corrupt.
    ChecksumError
        If the index checksum fails.
    """
    needed = [_coords(c) for c in needed_inner_coords]
    out: dict[tuple[int, ...], memoryview | None] = dict.fromkeys(needed)
    plans = plan_inner_fetch(
        get_index,
        codec,
        spec,
        needed,
        max_gap_bytes=max_gap_bytes,
        max_range_bytes=max_range_bytes,
    )
    if plans:
        out.update(split_ranges(plans, get_ranges([request for request, _ in plans])))
    return out


def read_shard_partial(
    get_index: GetIndex,
    get_ranges: GetRanges,
    codec: ShardingCodec,
    spec: ArraySpec,
    needed_inner_coords: Iterable[Sequence[int]],
    *,
    max_gap_bytes: int | None = None,
    max_range_bytes: int | None = None,
) -> dict[tuple[int, ...], Any]:
    """Read and decode only the needed inner chunks of one shard.

    Parameters
    ----------
    get_index : callable
        ``get_index(request)`` returns the requested bytes of the shard, or None
        if the shard does not exist.
    get_ranges : callable
        ``get_ranges(requests)`` returns the bytes of each range, in order.
    codec : ShardingCodec
    spec : ArraySpec
        The shard's spec.
    needed_inner_coords : iterable of tuple of int
        Inner chunks to read.
    max_gap_bytes, max_range_bytes : int, optional
        Coalescing limits (config ``io.coalesce_*`` by default).

    Returns
    -------
    dict
        Inner coordinates -> decoded inner chunk (possibly a read-only view), or
        None where the chunk (or the whole shard) is absent: read it as fill value.

    Raises
    ------
    CodecError
        If the index or a range is short (truncated shard), or the index is corrupt.
    ChecksumError
        If an index or chunk checksum fails.
    """
    encoded = fetch_inner_chunks(
        get_index,
        get_ranges,
        codec,
        spec,
        needed_inner_coords,
        max_gap_bytes=max_gap_bytes,
        max_range_bytes=max_range_bytes,
    )
    return {
        coords: None if data is None else decode_inner_chunk(codec, data, spec)
        for coords, data in encoded.items()
    }


def merge_into_shard(
    existing: Encoded | None,
    updates: Mapping[Sequence[int], Any],
    codec: ShardingCodec,
    spec: ArraySpec,
    write_empty_chunks: bool,
) -> bytes | None:
    """Replace some inner chunks of a stored shard, copying the others' bytes verbatim.

    Parameters
    ----------
    existing : bytes-like or None
        The stored shard, or None if there is none yet.
    updates : mapping
        Inner coordinates -> the whole new inner chunk (shape ``codec.chunk_shape``).
    codec : ShardingCodec
    spec : ArraySpec
        The shard's spec.
    write_empty_chunks : bool
        Store updated inner chunks that equal the fill value; when False they are
        removed from the shard.

    Returns
    -------
    bytes or None
        The new shard, or None if it holds no inner chunk (delete the key).

    Raises
    ------
    CodecError
        If an update has the wrong shape or coordinates, or ``existing`` is corrupt.
    """
    cps = codec.chunks_per_shard(spec)
    inner_spec = codec.inner_spec(spec)
    new: dict[tuple[int, ...], Any] = {}
    for key, chunk in updates.items():
        coords = _coords(key)
        if len(coords) != len(cps) or not all(0 <= c < n for c, n in zip(coords, cps, strict=True)):
            raise CodecError(f"inner chunk {coords} is outside the shard", codec=CODEC_NAME)
        if tuple(chunk.shape) != codec.chunk_shape:
            raise CodecError(
                f"update of inner chunk {coords} has shape {tuple(chunk.shape)}, "
                f"expected {codec.chunk_shape}",
                codec=CODEC_NAME,
            )
        new[coords] = chunk
    if existing is None or len(existing) == 0:
        index, view = empty_index(cps), memoryview(b"")
    else:
        index, view = split_shard(codec, existing, spec)

    def piece(coords: tuple[int, ...]) -> Encoded | None:
        if coords in new:
            return encode_inner_chunk(codec, new[coords], inner_spec, write_empty_chunks)
        offset, nbytes = (int(v) for v in index[coords])
        return None if offset == MAX_UINT64 else view[offset : offset + nbytes]

    return assemble_shard(codec, cps, ((c, piece(c)) for c in morton_order(cps)))
