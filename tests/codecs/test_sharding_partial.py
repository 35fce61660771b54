"""sharding_indexed partial I/O: read plans, partial reads through callables, merges.

Whole-shard round trips are in test_sharding.py; peers in test_sharding_interop.py.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.codecs._sharding_helpers import codec as _codec
from tests.codecs._sharding_helpers import index_of as _index_of
from tests.codecs._sharding_helpers import spec as _spec
from zarrdist.codecs import ArraySpec
from zarrdist.codecs.bytes import BytesCodec
from zarrdist.codecs.crc32c import Crc32cCodec
from zarrdist.codecs.sharding import (
    ShardingCodec,
    c_order,
    decode_shard,
    empty_index,
    encode_shard,
    index_byte_request,
    is_empty_entry,
    merge_into_shard,
    plan_shard_read,
    read_shard_partial,
)
from zarrdist.config import config
from zarrdist.errors import ChecksumError, CodecError
from zarrdist.stores._base import RangeByteRequest, SuffixByteRequest, slice_bytes

# -- read plans --------------------------------------------------------------------------


def _dense_index(sizes: list[int], gap: int = 0) -> np.ndarray[Any, Any]:
    index = empty_index((len(sizes),))
    offset = 0
    for i, size in enumerate(sizes):
        if size:
            index[i] = (offset, size)
            offset += size + gap
    return index


def test_plan_coalesces_and_skips_absent() -> None:
    index = _dense_index([10, 10, 0, 10, 10], gap=5)
    plans = plan_shard_read(index, [(3,), (0,), (1,), (2,), (0,)], 5, 1000)
    assert plans == [(RangeByteRequest(0, 40), [((0,), 0, 10), ((1,), 15, 10), ((3,), 30, 10)])]
    plans = plan_shard_read(index, [(0,), (1,), (4,)], 4, 1000)
    assert [p[0] for p in plans] == [
        RangeByteRequest(0, 10),
        RangeByteRequest(15, 25),
        RangeByteRequest(45, 55),
    ]
    # A size limit splits a run even when the gap is small; a lone big chunk still goes.
    plans = plan_shard_read(index, [(0,), (1,), (3,)], 100, 25)
    assert [p[0] for p in plans] == [RangeByteRequest(0, 25), RangeByteRequest(30, 40)]
    assert plan_shard_read(index, [(0,)], 0, 1) == [(RangeByteRequest(0, 10), [((0,), 0, 10)])]
    assert plan_shard_read(index, [(2,)], 0, 1) == []
    with pytest.raises(CodecError, match="outside"):
        plan_shard_read(index, [(5,)])


def test_plan_uses_config_defaults() -> None:
    index = _dense_index([4, 4], gap=8)
    # The default (None) leaves the gap to the store, which only readers know: a
    # plan without one bridges no gap.
    assert config.get("io.coalesce_max_gap_bytes") is None
    assert len(plan_shard_read(index, [(0,), (1,)])) == 2
    with config.set({"io.coalesce_max_gap_bytes": 8}):
        assert len(plan_shard_read(index, [(0,), (1,)])) == 1
    with config.set({"io.coalesce_max_gap_bytes": 7}):
        assert len(plan_shard_read(index, [(0,), (1,)])) == 2


@settings(max_examples=100, deadline=None)
@given(
    sizes=st.lists(st.integers(0, 50), min_size=1, max_size=12),
    gaps=st.lists(st.integers(0, 30), min_size=12, max_size=12),
    order=st.randoms(use_true_random=False),
    needed=st.sets(st.integers(0, 11)),
    max_gap=st.integers(0, 40),
    max_range=st.integers(1, 200),
)
def test_plan_properties(
    sizes: list[int],
    gaps: list[int],
    order: Any,
    needed: set[int],
    max_gap: int,
    max_range: int,
) -> None:
    # Chunks in a shuffled layout with random gaps between them.
    slots = list(range(len(sizes)))
    order.shuffle(slots)
    index, offset = empty_index((len(sizes),)), 0
    for i, slot in enumerate(slots):
        if sizes[slot]:
            index[slot] = (offset, sizes[slot])
            offset += sizes[slot] + gaps[i]
    wanted = sorted(n for n in needed if n < len(sizes))
    plans = plan_shard_read(index, [(n,) for n in wanted], max_gap, max_range)
    seen = [coords[0] for _, chunk_slots in plans for coords, _, _ in chunk_slots]
    assert sorted(seen) == [n for n in wanted if sizes[n]]
    previous_end = -1
    for request, chunk_slots in plans:
        assert request.start >= previous_end
        if len(chunk_slots) > 1:
            assert request.end - request.start <= max_range
        for (n,), rel, nbytes in chunk_slots:
            assert (request.start + rel, nbytes) == tuple(int(v) for v in index[n])
            assert rel + nbytes <= request.end - request.start
        previous_end = request.end


def test_index_byte_request() -> None:
    assert index_byte_request("end", 36) == SuffixByteRequest(36)
    assert index_byte_request("start", 36) == RangeByteRequest(0, 36)
    with pytest.raises(CodecError):
        index_byte_request("middle", 36)  # type: ignore[arg-type]


# -- partial reads -----------------------------------------------------------------------


class _Recorder:
    """Callables over one stored value that record every request, like a store would."""

    def __init__(self, value: bytes | None) -> None:
        self.value = value
        self.requests: list[Any] = []
        self.range_calls = 0

    def get_index(self, request: Any) -> bytes | None:
        self.requests.append(request)
        return None if self.value is None else bytes(slice_bytes(self.value, request))

    def get_ranges(self, requests: Any) -> list[bytes | None]:
        self.range_calls += 1
        self.requests.extend(requests)
        return [None if self.value is None else bytes(slice_bytes(self.value, r)) for r in requests]


@pytest.mark.parametrize("location", ["start", "end"])
def test_read_shard_partial_fetches_only_needed_ranges(location: str) -> None:
    spec = _spec((8, 8), "i4", -1)
    data = np.arange(64, dtype="i4").reshape(8, 8)
    data[4:6, 0:2] = -1  # inner chunk (2, 0) is absent
    codec = _codec((2, 2), spec, index_location=location)
    shard = encode_shard(codec, data, spec, write_empty_chunks=False)
    assert shard is not None
    index = _index_of(codec, shard, spec)
    rec = _Recorder(shard)
    needed = [(0, 0), (2, 0), (3, 3), (0, 0)]
    got = read_shard_partial(rec.get_index, rec.get_ranges, codec, spec, needed, max_gap_bytes=0)
    assert set(got) == {(0, 0), (2, 0), (3, 3)}
    assert got[(2, 0)] is None
    for coords in ((0, 0), (3, 3)):
        assert np.array_equal(got[coords], data[codec.inner_selection(coords)])
    assert rec.requests[0] == index_byte_request(location, 16 * 16 + 4)
    assert rec.range_calls == 1
    fetched = rec.requests[1:]
    expected = [
        RangeByteRequest(int(index[c][0]), int(index[c][0] + index[c][1])) for c in ((0, 0), (3, 3))
    ]
    expected.sort(key=lambda r: r.start)
    # An index at the end: the furthest range reaches over the index too, proving that
    # no entry points into it (the shard's length is not known to the reader).
    extra = 16 * 16 + 4 if location == "end" else 0
    expected[-1] = RangeByteRequest(expected[-1].start, expected[-1].end + extra)
    by_start = sorted(fetched, key=lambda r: r.start)
    assert by_start == expected
    assert sum(r.end - r.start for r in fetched) == 2 * 16 + extra


def test_read_shard_partial_missing_and_truncated() -> None:
    spec = _spec((4,), "u1", 0)
    codec = _codec((2,), spec)
    rec = _Recorder(None)
    assert read_shard_partial(rec.get_index, rec.get_ranges, codec, spec, [(0,), (1,)]) == {
        (0,): None,
        (1,): None,
    }
    assert rec.range_calls == 0
    shard = encode_shard(codec, np.arange(1, 5, dtype="u1"), spec, write_empty_chunks=False)
    assert shard is not None
    rec = _Recorder(shard)

    def short(requests: Any) -> list[bytes | None]:
        return [b[:-1] if b else b for b in rec.get_ranges(requests)]

    with pytest.raises(CodecError, match="truncated"):
        read_shard_partial(rec.get_index, short, codec, spec, [(1,)])
    rec = _Recorder(shard[:-1])  # the suffix request now misses the index's first byte
    with pytest.raises(ChecksumError):
        read_shard_partial(rec.get_index, rec.get_ranges, codec, spec, [(1,)])
    rec = _Recorder(shard[-10:])
    with pytest.raises(CodecError, match="expected 36"):
        read_shard_partial(rec.get_index, rec.get_ranges, codec, spec, [(1,)])


# -- partial writes ----------------------------------------------------------------------


def _chunk_bytes(codec: ShardingCodec, shard: bytes, spec: ArraySpec) -> dict[Any, bytes]:
    index = _index_of(codec, shard, spec)
    return {
        c: shard[int(index[c][0]) : int(index[c][0] + index[c][1])]
        for c in c_order(codec.chunks_per_shard(spec))
        if not is_empty_entry(index)[c]
    }


@pytest.mark.parametrize("location", ["start", "end"])
def test_merge_into_shard_copies_untouched_chunks(location: str) -> None:
    spec = _spec((4, 6), "f4", 0)
    codec = _codec((2, 2), spec, codecs=[BytesCodec(), Crc32cCodec()], index_location=location)
    data = np.arange(24, dtype="f4").reshape(4, 6)
    shard = encode_shard(codec, data, spec, write_empty_chunks=False)
    assert shard is not None
    # Corrupt an untouched chunk's payload: the merge must copy it, never decode it.
    before = _chunk_bytes(codec, shard, spec)
    index = _index_of(codec, shard, spec)
    bad = bytearray(shard)
    bad[int(index[1, 2][0])] ^= 0xFF
    updates = {(0, 1): np.full((2, 2), 7, "f4"), (1, 0): np.zeros((2, 2), "f4")}
    merged = merge_into_shard(bytes(bad), updates, codec, spec, write_empty_chunks=False)
    assert merged is not None
    after = _chunk_bytes(codec, merged, spec)
    assert (1, 0) not in after  # an update equal to the fill value removes the chunk
    for coords in ((0, 0), (0, 2), (1, 1)):
        assert after[coords] == before[coords]
    assert after[(1, 2)] == bytes(bad[int(index[1, 2][0]) : int(index[1, 2].sum())])
    with pytest.raises(ChecksumError):
        decode_shard(codec, merged, spec)
    # With intact input the merge equals encoding the whole updated shard.
    merged = merge_into_shard(shard, updates, codec, spec, write_empty_chunks=False)
    expected = data.copy()
    expected[0:2, 2:4] = 7
    expected[2:4, 0:2] = 0
    assert merged == encode_shard(codec, expected, spec, write_empty_chunks=False)


def test_merge_into_shard_from_nothing_and_to_nothing() -> None:
    spec = _spec((4,), "i8", 3)
    codec = _codec((2,), spec)
    chunk = np.array([1, 2], dtype="i8")
    merged = merge_into_shard(None, {(1,): chunk}, codec, spec, write_empty_chunks=False)
    assert merged is not None
    assert np.array_equal(decode_shard(codec, merged, spec), [3, 3, 1, 2])
    fill = np.full(2, 3, dtype="i8")
    assert merge_into_shard(merged, {(1,): fill}, codec, spec, write_empty_chunks=False) is None
    kept = merge_into_shard(merged, {(1,): fill}, codec, spec, write_empty_chunks=True)
    assert kept is not None
    assert is_empty_entry(_index_of(codec, kept, spec)).tolist() == [True, False]
    with pytest.raises(CodecError, match="shape"):
        merge_into_shard(None, {(0,): np.zeros(3, "i8")}, codec, spec, write_empty_chunks=False)
    with pytest.raises(CodecError, match="outside"):
        merge_into_shard(None, {(2,): chunk}, codec, spec, write_empty_chunks=False)
