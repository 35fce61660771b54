"""Read storage units (chunks or shards) into a selection's output array.

The read half of :mod:`zarrdist.chunkio.units`: fetch, decode, place. How a chunk
decodes is the codecs' business (:class:`~zarrdist.codecs.CodecChain`'s
``raw_is_native`` and ``decode_into`` capabilities); this module names no codec.

Vocabulary: the portions of a read, largest first
-------------------------------------------------
*unit*
    A stored object: a shard, or an unsharded chunk.
*item*
    One planned fetch: a whole chunk's key (:class:`ChunkFetch`), a byte range of a
    shard holding some inner chunks (:class:`RangeFetch`), or a chunk whose bytes
    are already here (a job).
*piece*
    The items one runner (the caller or a pool thread) takes at a time
    (:class:`~zarrdist.chunkio.pieces.Pieces`).
*part*
    The items of a piece fetched at once; a runner holds one part's bytes.
*job*
    A fetched chunk (:class:`ReadJob`): its key, encoded bytes and projections.
*batch*
    The jobs decoded in one call.
*run*
    Whole chunks side by side in the output, placed with one copy
    (:mod:`zarrdist.chunkio.placement`).

A read runs in two steps:

1. *Plan*, in the calling thread: which bytes hold each needed chunk. An
   unsharded chunk is its store key. A shard is read whole (one request) when
   most of its inner chunks are needed or the store has no partial reads; else
   its index is fetched and the needed inner chunks' byte ranges are planned.
2. *Fetch, decode, place*: a direct-path read cuts the planned items into
   pieces as planning goes on (:class:`Pieces`); pool threads take pieces
   while the caller plans the next shard, then the caller takes pieces too. A
   graph task (already parallel) or a read of less than a piece runs in the
   calling thread. Each runner fetches its piece's items, decodes them in small
   batches and places them into the output, so one thread's reads overlap
   another's decompression and a runner holds one piece's encoded bytes.
"""

from __future__ import annotations

import contextlib
import itertools
import math
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from zarrdist.chunkio.buffers import anonymous_memory, thread_buffer
from zarrdist.chunkio.device_files import fetch_to_device
from zarrdist.chunkio.device_read import BatchDecoder, device_decoder, on_host
from zarrdist.chunkio.pieces import (
    ByInner,
    ChunkFetch,
    Item,
    Pieces,
    RangeFetch,
    ReadJob,
    item_weight,
)
from zarrdist.chunkio.placement import (
    may_take_whole_chunks,
    place_chunk,
    place_runs,
    whole_chunk_bytes,
)
from zarrdist.chunkio.unitgrid import check_units_stored, read_units_varying
from zarrdist.chunkio.units import (
    ArrayHandle,
    Units,
    by_inner_chunk,
    chunks_per_unit,
    decode_stored,
    getters_over,
    group_by_unit,
    naming_key,
)
from zarrdist.codecs import CodecChain, decode_chunks, decode_to_raw, encoded_bound
from zarrdist.codecs.device import DEVICE_BATCH_BYTES
from zarrdist.codecs.sharding import (
    fetch_inner_chunks,
    plan_inner_fetch,
    split_ranges,
)
from zarrdist.config import config, get_int
from zarrdist.errors import CodecError
from zarrdist.stores import on_reader_thread, value_limit

if TYPE_CHECKING:
    from zarrdist.chunking.indexing import Indexer
    from zarrdist.codecs import ArraySpec

__all__ = ["read_selection", "read_units"]


def read_selection(
    handle: ArrayHandle,
    indexer: Indexer,
    order: str = "C",
    *,
    parallel: bool = False,
    out: Any = None,
) -> Any:
    """Read a whole selection into ``out`` (an array of ``indexer.shape`` and the
    array's dtype), by default a new one, and return it."""
    if out is None:
        out = handle.prototype.empty(indexer.shape, handle.metadata.dtype, order=order)
    units = group_by_unit(handle, indexer)
    if units:
        read_units(handle, units, out, parallel=parallel)
    return out


def _read_elsewhere(handle: ArrayHandle, units: Units, out: Any) -> bool:
    """Check for missing units when they must be stored, and read rectilinear arrays
    (units differ in shape: each decoded with its own spec, zarrdist.chunkio.unitgrid);
    True when the read is done."""
    if not handle.read_missing_chunks:
        check_units_stored(handle, units)
    if handle.metadata.is_rectilinear:
        read_units_varying(handle, units, out)
        return True
    return False


def read_units(handle: ArrayHandle, units: Units, out: Any, *, parallel: bool = False) -> None:
    """Read every projection of ``units`` into ``out`` (the selection's output array).

    ``parallel``: the caller and pool threads share the pieces (the direct path; graph
    tasks leave it off). A runner holds one part of fetched bytes and one batch at a time.
    """
    if _read_elsewhere(handle, units, out):
        return
    codec = handle.sharding
    if codec is None:
        chain, spec = handle.metadata.codec_chain, handle.unit_spec
        total = len(units)
    else:
        chain, spec = codec.inner_chain, codec.inner_spec(handle.unit_spec)
        shards = [
            (unit, _walk_order(unit, by_inner_chunk(handle, unit, ps)))
            for unit, ps in units.items()
        ]
        total = sum(len(by_inner) for _, by_inner in shards)
    # Raw bytes that are the elements as they are in memory go into the output a
    # run of chunks at a time (zarrdist.chunkio.placement); the rest chunk by chunk.
    raw_chain = _raw_chain(chain, spec, out)
    into_buffer = _decodes_into_buffer(chain, spec, out)
    into_out = into_buffer and may_take_whole_chunks(out, spec)
    decode_batch, on_device = _decoding(chain, spec)  # a whole part at once on a device

    def place(batch: list[ReadJob]) -> None:
        present = []
        for job in batch:
            if job.data is not None:
                present.append(job)
                continue
            for p in job.projections:
                out[p.out_selection] = handle.metadata.fill_value
        codecs = chain
        if raw_chain is not None and len(present) > 1:
            present, codecs = _place_runs(out, present, spec, chain, raw_chain)
        one = len(present) == 1
        if into_buffer and one and _decode_placed(out, present[0], chain, spec, into_out):
            return
        for (_, _, projections), chunk in zip(
            present, decode_batch(handle, present, spec, codecs), strict=True
        ):
            for p in projections:
                place_chunk(out, p.out_selection, chunk, p.chunk_selection)

    near = handle.store.range_gap_bytes <= _NEAR_GAP_BYTES
    bound = _stored_bound(handle)

    def run_part(part: list[Item]) -> None:
        with _fetch_buffer() as buffer:
            for batch in _batches(_fetch(handle, part, buffer, bound), spec.nbytes, on_device):
                place(batch)

    def run(items: list[Item]) -> None:
        # A part's bytes are released (run_part returns) before the next is fetched.
        for part in _fetch_parts(items, spec.nbytes, near, on_device):
            run_part(part)

    def planned() -> Iterator[list[Item]]:
        if codec is None:
            keys = handle.keys(units)
            yield [ChunkFetch(k, ps) for k, ps in zip(keys, units.values(), strict=True)]
            return
        for unit, by_inner in shards:
            yield _shard_items(handle, unit, by_inner, near)

    threads = max(1, get_int("threading.max_workers")) if parallel else 1
    least, most = _piece_bounds(spec.nbytes)
    # One piece's work runs inline, and so does a read started from a pool
    # thread (a store that reads arrays) rather than wait on its own pool.
    if threads == 1 or total <= least or on_reader_thread():
        for items in planned():
            run(items)
        return
    with Pieces(run, total, helpers=threads - 1, least=least, most=most) as pieces:
        for items in planned():
            pieces.add(items)


# -- planning ------------------------------------------------------------------------


def _walk_order(unit: tuple[int, ...], by_inner: ByInner) -> ByInner:
    """``by_inner`` in the order the shard at ``unit`` is decoded and placed.

    Threads filling one output read neighbouring shards at the same time. Walking
    them the same way, they touch the same fresh pages of the output at the same
    moment, and the kernel takes many of those faults twice (docs/performance.md,
    "Walk order of neighbouring shards"). So a shard whose
    grid coordinates add up to an odd number, which makes every neighbour even,
    is walked from its last planes along the first axis to its first. Within a
    plane the order stays as it was, so small chunks still form runs.
    """
    if sum(unit) % 2 == 0 or len(by_inner) < 2:
        return by_inner
    return dict(sorted(by_inner.items(), key=lambda item: -item[0][0]))


def _shard_items(
    handle: ArrayHandle, unit: tuple[int, ...], by_inner: ByInner, near: bool
) -> list[Item]:
    """The read of one shard: its chunks' bytes, or the byte ranges still to fetch.

    ``near``: the store's requests cost little (see ``_NEAR_GAP_BYTES``)."""
    codec = handle.sharding
    assert codec is not None
    key = handle.key(unit)
    store = handle.store
    gap = config.get("io.coalesce_max_gap_bytes")
    limits = {
        "max_gap_bytes": store.range_gap_bytes if gap is None else int(gap),
        "max_range_bytes": config.get("io.coalesce_max_bytes"),
    }
    # Reading the whole object is one request; partial reads cost two round trips,
    # so they pay off only when a minority of the inner chunks is needed. Where
    # requests cost little (local files), shards are read in byte ranges of at most
    # _PART_BYTES even then: a task holds a part of a large shard, not all of it.
    most = 2 * len(by_inner) > math.prod(chunks_per_unit(handle))
    if most and near:
        limits["max_range_bytes"] = min(int(limits["max_range_bytes"]), _PART_BYTES)
    if not store.supports_partial_reads or (most and not near):
        try:
            with value_limit(_stored_bound(handle)):
                whole = store.get(key)
            encoded = fetch_inner_chunks(
                *getters_over(whole), codec, handle.unit_spec, by_inner, **limits
            )
        except CodecError as error:
            raise naming_key(error, key, store) from error
        return [ReadJob(key, encoded[coords], ps) for coords, ps in by_inner.items()]
    try:
        plans = plan_inner_fetch(
            lambda request: store.get(key, request), codec, handle.unit_spec, by_inner, **limits
        )
    except CodecError as error:
        raise naming_key(error, key, store) from error
    stored = {coords for _, slots in plans for coords, _, _ in slots}
    absent: list[Item] = [ReadJob(key, None, ps) for c, ps in by_inner.items() if c not in stored]
    rank = {coords: i for i, coords in enumerate(by_inner)}
    return absent + [RangeFetch(key, request, slots, by_inner, rank) for request, slots in plans]


#: Decoded bytes below which a piece is not cut smaller: less work than a thread
#: hand-off is worth (docs/performance.md, "Pieces of a direct read").
_MIN_PIECE_BYTES = 256 << 10


def _piece_bounds(chunk_nbytes: int) -> tuple[int, int]:
    """The fewest and most chunks a piece of a parallel read holds: no piece under
    ``_MIN_PIECE_BYTES`` of decoding, and for small chunks none over one fetch batch
    (so runners take turns at the store a batch at a time)."""
    nbytes = max(chunk_nbytes, 1)
    least = max(1, -(-_MIN_PIECE_BYTES // nbytes))
    if chunk_nbytes <= _RUN_CHUNK_BYTES:
        most = max(1, _DECODE_BATCH_BYTES // nbytes)
        return min(least, most), most
    return least, sys.maxsize


# -- fetching ------------------------------------------------------------------------


def _stored_bound(handle: ArrayHandle) -> int:
    """The most bytes a stored unit of ``handle`` can hold (stores that expand values
    refuse more, see zarrdist.stores.value_limit)."""
    return encoded_bound(handle.metadata.codec_chain, handle.unit_spec)


def _fetch(handle: ArrayHandle, items: list[Item], buffer: memoryview, bound: int) -> list[ReadJob]:
    """The chunks of ``items`` with their bytes: one batch request for whole chunks
    (into ``buffer`` where the store can), one ``get_ranges`` call per shard. No
    stored chunk may hold more than ``bound`` bytes (see :func:`_stored_bound`)."""
    store = handle.store
    jobs = [item for item in items if isinstance(item, tuple)]  # ReadJobs, bytes here
    chunks = [item for item in items if isinstance(item, ChunkFetch)]
    if chunks:
        keys = [c.key for c in chunks]
        # Local files straight into device memory where kvikio and the chain allow.
        with value_limit(bound):
            values = fetch_to_device(handle, keys) or store.get_many_into(keys, buffer)
        jobs += [ReadJob(c.key, v, c.projections) for c, v in zip(chunks, values, strict=True)]
    ranges = [item for item in items if isinstance(item, RangeFetch)]
    for key, group in itertools.groupby(ranges, key=lambda r: r.key):
        fetches = list(group)
        plans = [(f.request, f.slots) for f in fetches]
        try:
            encoded = split_ranges(plans, store.get_ranges(key, [f.request for f in fetches]))
        except CodecError as error:
            raise naming_key(error, key, store) from error
        # In the selection's order, not the shard's: neighbours form runs. Only the
        # fetched chunks are sorted: a shard read in many parts must not walk all
        # of its needed chunks for each part.
        coords = [c for f in fetches for c, _, _ in f.slots]
        rank = fetches[0].rank
        if rank is not None:
            coords.sort(key=rank.__getitem__)
        by_inner = fetches[0].by_inner
        jobs += [ReadJob(key, encoded[c], by_inner[c]) for c in coords]
    return jobs


# -- decoding and placing --------------------------------------------------------------


#: Chunks up to this size are placed a run at a time: for them Python's work per
#: chunk outweighs the copy into the staging buffer that runs add; for larger ones
#: the copy costs more (docs/performance.md, "Runs of small chunks").
_RUN_CHUNK_BYTES = 32 << 10


def _raw_chain(chain: CodecChain, spec: ArraySpec, out: Any) -> CodecChain | None:
    """The chain's array->bytes codec alone, if chunks are small, their raw bytes are
    their elements as a host array holds them, and ``out`` is a host array; else None."""
    if (
        spec.nbytes <= _RUN_CHUNK_BYTES
        and isinstance(out, np.ndarray)
        and chain.raw_is_native(spec)
    ):
        return CodecChain((), chain.array_bytes, ())
    return None


def _decode_placed(
    out: Any, job: ReadJob, chain: CodecChain, spec: ArraySpec, into_out: bool = True
) -> bool:
    """Decode one large chunk with the chain's :meth:`~CodecChain.decode_into` and
    place it: straight into ``out`` where it fills a region whole (only looked for
    when ``into_out``, see :func:`~zarrdist.chunkio.placement.may_take_whole_chunks`), else through this
    thread's reused buffer, only as far as its projections read. False when the codec
    declines (nothing placed; the chunk is then decoded the usual way, which also
    names any fault)."""
    _, data, projections = job
    target = whole_chunk_bytes(out, projections, spec) if into_out else None
    if target is not None:
        return chain.decode_into(data, target, spec) is not None
    nbytes = spec.nbytes
    # A chunk read whole (the usual case of a large read) needs all its bytes.
    whole = len(projections) == 1 and projections[0].is_complete_chunk
    need = nbytes if whole else _bytes_needed(projections, spec)
    chunk = chain.decode_into(data, thread_buffer(nbytes), spec, need)
    if chunk is None:
        return False
    for p in projections:
        place_chunk(out, p.out_selection, chunk, p.chunk_selection)
    return True


def _decodes_into_buffer(chain: CodecChain, spec: ArraySpec, out: Any) -> bool:
    """Whether a large chunk can be decoded into a reused buffer and placed from there
    (the chain's :meth:`~CodecChain.decode_into`), into a host array."""
    return (
        spec.nbytes > _RUN_CHUNK_BYTES and isinstance(out, np.ndarray) and chain.decodes_into(spec)
    )


def _bytes_needed(projections: Sequence[Any], spec: ArraySpec) -> int:
    """How many leading bytes of a decoded chunk (C order, ``spec``) hold every element
    ``projections`` read: the offset past the element at each axis's highest index.

    A read of a few elements near a chunk's start then decodes only that far
    (:meth:`~zarrdist.codecs.CodecChain.decode_into`); anything this cannot bound
    (a mask) needs the whole chunk.
    """
    last = 0
    for p in projections:
        selection = p.chunk_selection
        if not isinstance(selection, tuple) or len(selection) != len(spec.shape):
            return spec.nbytes
        flat = 0
        for sel, n in zip(selection, spec.shape, strict=True):
            if isinstance(sel, slice):
                steps = range(*sel.indices(n))
                if not steps:
                    break  # selects nothing
                high = max(steps[0], steps[-1])
            elif isinstance(sel, int | np.integer):
                high = int(sel) % n if n else 0
            else:
                index = np.asarray(sel)
                if index.dtype.kind not in "iu":
                    return spec.nbytes
                if index.size == 0:
                    break
                high = int(index.max()) if index.min() >= 0 else n - 1
            flat = flat * n + high
        else:
            last = max(last, flat + 1)
    return last * spec.dtype.itemsize


_fetch_local = threading.local()


@contextlib.contextmanager
def _fetch_buffer() -> Iterator[memoryview]:
    """This thread's buffer for one part's fetched chunks, reused from part to part:
    a part is decoded and placed before the next is fetched. It is taken while in
    use, so a read nested in a fetch (a store that reads arrays) gets its own.

    An anonymous mapping: pages are memory only once written, so a thread that
    fetched parts of at most 3 MiB holds 3 MiB, not ``_PART_BYTES``.
    """
    buffer: memoryview | None = getattr(_fetch_local, "buffer", None)
    _fetch_local.buffer = None
    if buffer is None:
        buffer = memoryview(anonymous_memory(_PART_BYTES))
    try:
        yield buffer
    finally:
        _fetch_local.buffer = buffer


def _place_runs(
    out: np.ndarray[Any, Any],
    jobs: list[ReadJob],
    spec: ArraySpec,
    chain: CodecChain,
    raw_chain: CodecChain,
) -> tuple[list[ReadJob], CodecChain]:
    """Place the chunks of ``jobs`` that form runs; return the other jobs and the
    chain that decodes their data."""
    try:
        raw = decode_to_raw(chain, [data for _, data, _ in jobs], spec)
    except CodecError:
        return jobs, chain  # decoded one by one by the caller, naming the bad chunk
    left = place_runs(out, [ps for _, _, ps in jobs], raw, spec.shape, spec.dtype)
    return [jobs[i]._replace(data=raw[i]) for i in left], raw_chain


#: Decoded bytes one batch may hold: an 8 KiB chunk shares its decode call with
#: 127 others, while a batch stays small next to a task's output.
_DECODE_BATCH_BYTES = 1 << 20


#: A store whose coalescing gap is at most this reads from local storage, where a
#: request costs little.
_NEAR_GAP_BYTES = 64 << 10
#: Encoded bytes of a shard's byte ranges fetched at once from such a store.
_PART_BYTES = 8 << 20


def _fetch_parts(
    items: list[Item], chunk_nbytes: int, near: bool = True, device: bool = False
) -> list[list[Item]]:
    """``items`` (a piece) in the parts fetched one after another.

    Small chunks are fetched a batch at a time (at most ``_DECODE_BATCH_BYTES``
    decoded), each batch then decoded before the next is fetched: threads take
    turns at the store's system calls while the other decompresses, and a
    thread holds one batch's bytes. Larger chunks are fetched at most
    ``_PART_BYTES`` at a time (whole chunks counted decoded, ranges as stored),
    except that whole chunks of a store far away (``near`` false) are fetched in
    one request, so that it has them all in flight at once. A read decoding on the
    device (``device``) fetches up to ``DEVICE_BATCH_BYTES`` at once, so that a
    shard's inner chunks decode in one batch.
    """
    if chunk_nbytes > _RUN_CHUNK_BYTES:
        whole_chunk = chunk_nbytes if near else 0

        def held(item: Item) -> int:
            if isinstance(item, RangeFetch):
                return item.request.end - item.request.start
            return whole_chunk if isinstance(item, ChunkFetch) else 0

        return _grouped(items, held, DEVICE_BATCH_BYTES if device else _PART_BYTES)
    return _grouped(items, item_weight, max(1, _DECODE_BATCH_BYTES // max(chunk_nbytes, 1)))


def _grouped(items: list[Item], size: Callable[[Item], int], limit: int) -> list[list[Item]]:
    """``items`` in order, in groups whose sizes add up to at most ``limit`` (an item
    over the limit is a group of its own)."""
    groups: list[list[Item]] = [[]]
    held = 0
    for item in items:
        n = size(item)
        if held and held + n > limit:
            groups.append([])
            held = 0
        groups[-1].append(item)
        held += n
    return groups


def _batches(jobs: list[ReadJob], chunk_nbytes: int, device: bool = False) -> list[list[ReadJob]]:
    """A device decodes all of ``jobs`` (a fetched part) in one batch. On the host,
    ``jobs`` in batches of at most ``_DECODE_BATCH_BYTES`` decoded, for chunks small
    enough to gain from batches (runs, batched decompression); else one by one, so
    a thread holds one decoded chunk, not a batch of them."""
    if device:
        return [jobs]
    if chunk_nbytes > _RUN_CHUNK_BYTES:
        return [[job] for job in jobs]
    size = max(1, _DECODE_BATCH_BYTES // max(chunk_nbytes, 1))
    return [jobs[i : i + size] for i in range(0, len(jobs), size)]


def _decode_batch(
    handle: ArrayHandle, jobs: Sequence[ReadJob], spec: ArraySpec, chain: CodecChain
) -> list[Any]:
    """Decode the stored chunks of ``jobs``; a codec error names the key at fault."""
    if len(jobs) == 1:
        key, data, _ = jobs[0]
        return [decode_stored(handle, key, data, spec, chain)]
    try:
        return decode_chunks(chain, [data for _, data, _ in jobs], spec)
    except CodecError:
        # One by one, so the error says which chunk is bad.
        return [decode_stored(handle, key, data, spec, chain) for key, data, _ in jobs]


def _decoding(chain: CodecChain, spec: ArraySpec) -> tuple[Callable[..., list[Any]], bool]:
    """How a read decodes batches of ``chain``'s chunks, and whether on the device
    (:func:`zarrdist.chunkio.device_read.device_decoder`)."""
    on_device = device_decoder(chain, spec)
    if on_device is None:
        return _decode_batch, False
    return _device_batch(on_device), True


def _device_batch(decode: BatchDecoder) -> Callable[..., list[Any]]:
    """:func:`_decode_batch` on the device: a whole batch in one call to ``decode``;
    where that fails, on the host one by one, so that the error names the bad
    chunk's key (a device error names none)."""

    def decode_batch(
        handle: ArrayHandle, jobs: Sequence[ReadJob], spec: ArraySpec, chain: CodecChain
    ) -> list[Any]:
        if not jobs:
            return []
        try:
            return decode([data for _, data, _ in jobs])
        except (CodecError, RuntimeError):
            return [decode_stored(handle, key, on_host(data), spec, chain) for key, data, _ in jobs]

    return decode_batch
