"""zarrdist.chunkio.read: a read planned in the caller, then fetched, decoded and placed by
the threads that share it. Values are checked against NumPy and zarr-python 3.1.5."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import zarr

import zarrdist
from zarrdist.chunkio import read as chunkread
from zarrdist.chunkio.pieces import ChunkFetch, Pieces, RangeFetch, item_weight
from zarrdist.chunkio.read import _fetch_parts, _piece_bounds
from zarrdist.codecs import ZstdCodec
from zarrdist.config import config
from zarrdist.errors import CodecError
from zarrdist.stores import LocalStore, RangeByteRequest, Store, WrapperStore

SHAPE, CHUNKS, SHARDS = (48, 40, 36), (4, 4, 4), (16, 20, 12)
REGIONS = [
    (slice(3, 19), slice(5, 29), slice(2, 30)),  # several shards, partial inner chunks
    (slice(16, 32), slice(20, 40), slice(12, 24)),  # one shard exactly: read whole
    (slice(0, 9), slice(0, 3), slice(10, 14)),  # a few inner chunks of two shards
    (slice(40, 48), slice(None), 7),  # a dropped axis
    (slice(None, None, -3), slice(1, 40, 7), slice(35, 0, -5)),  # steps, reversed
]


@pytest.fixture(autouse=True)
def _pieces_of_any_size(monkeypatch: pytest.MonkeyPatch) -> None:
    # This module's chunks are 256 bytes: let parallel reads cut them into pieces
    # (the default keeps pieces above 256 KiB of decoding, and reads this small inline).
    monkeypatch.setattr(chunkread, "_MIN_PIECE_BYTES", 1)


def _data() -> np.ndarray[Any, Any]:
    rng = np.random.default_rng(5)
    return np.round(rng.standard_normal(SHAPE) * 64).astype("<f4")


def _sharded(root: Path, data: np.ndarray[Any, Any]) -> tuple[Any, np.ndarray[Any, Any]]:
    z = zarrdist.create_array(
        str(root),
        shape=SHAPE,
        dtype="<f4",
        chunks=CHUNKS,
        shards=SHARDS,
        compressors=[ZstdCodec(level=1)],
        fill_value=-1.0,
    )
    z[...] = data
    expected = data.copy()
    # Inner chunks never stored (all fill value) and a shard deleted outright.
    z[8:12, 4:12, 0:8] = -1.0
    expected[8:12, 4:12, 0:8] = -1.0
    (root / "c" / "2" / "1" / "2").unlink()
    expected[32:48, 20:40, 24:36] = -1.0
    return z, expected


@pytest.mark.parametrize("threads", [1, 2, 3])
@pytest.mark.parametrize("gap", [None, 0, 1 << 20])
def test_parallel_sharded_reads_equal_numpy_and_zarr(
    tmp_path: Path, threads: int, gap: int | None
) -> None:
    z, expected = _sharded(tmp_path / "a", _data())
    theirs = zarr.open_array(str(tmp_path / "a"), mode="r")
    with config.set({"threading.max_workers": threads, "io.coalesce_max_gap_bytes": gap}):
        for region in REGIONS:
            np.testing.assert_array_equal(z[region], expected[region])
            if all(not isinstance(s, slice) or (s.step or 1) > 0 for s in region):
                np.testing.assert_array_equal(theirs[region], expected[region])
    np.testing.assert_array_equal(z[...], expected)


def test_unsharded_parallel_reads_fetch_in_every_thread(tmp_path: Path) -> None:
    data = _data()
    z = zarrdist.create_array(
        str(tmp_path / "a"), shape=SHAPE, dtype="<f4", chunks=(8, 8, 8), fill_value=0
    )
    z[...] = data
    with config.set({"threading.max_workers": 2}):
        np.testing.assert_array_equal(z[1:47, 3:39, 5:31], data[1:47, 3:39, 5:31])


class _ShortRanges(WrapperStore):
    """Answers byte-range batches with one byte missing, as if the shard were truncated
    after its index was read, and records the threads that asked."""

    driver = "short-ranges"

    def __init__(self, store: Store) -> None:
        super().__init__(store)
        self.threads: set[str] = set()

    def get_ranges(self, key: str, ranges: Sequence[Any]) -> list[Any]:
        self.threads.add(threading.current_thread().name)
        return [None if v is None else bytes(v)[:-1] for v in super().get_ranges(key, ranges)]


def test_a_short_range_names_the_shard_and_changes_no_bytes(tmp_path: Path) -> None:
    _sharded(tmp_path / "a", _data())
    before = {p: p.read_bytes() for p in (tmp_path / "a").rglob("*") if p.is_file()}
    store = _ShortRanges(LocalStore(tmp_path / "a", read_only=True))
    broken = zarrdist.open_array(store, mode="r")
    with config.set({"threading.max_workers": 2}), pytest.raises(CodecError) as info:
        broken[3:19, 5:29, 2:30]
    touched = {f"c/{i}/{j}/{k}" for i in (0, 1) for j in (0, 1) for k in (0, 1, 2)}
    assert info.value.key in touched
    assert repr(info.value.key) in str(info.value)
    assert "truncated shard or stale index" in str(info.value)
    assert store.threads  # the ranges were fetched by the reading threads
    after = {p: p.read_bytes() for p in (tmp_path / "a").rglob("*") if p.is_file()}
    assert after == before


def _range(n: int, key: str = "k") -> RangeFetch:
    return RangeFetch(key, RangeByteRequest(0, n), [((i,), i, 1) for i in range(n)], {})


@pytest.mark.parametrize(
    ("chunk_nbytes", "bounds"),
    [
        (128 << 10, (2, sys.maxsize)),  # W5's inner chunks: at least 256 KiB of decoding
        (8192, (32, 128)),  # W3: small chunks, at most one fetch batch
        (32 << 10, (8, 32)),
        (1 << 20, (1, sys.maxsize)),
        (32, (8192, 32768)),  # tiny chunks: a read of fewer than 8,192 runs inline
    ],
)
def test_piece_bounds(
    monkeypatch: pytest.MonkeyPatch, chunk_nbytes: int, bounds: tuple[int, int]
) -> None:
    monkeypatch.setattr(chunkread, "_MIN_PIECE_BYTES", 256 << 10)
    assert _piece_bounds(chunk_nbytes) == bounds


@pytest.mark.parametrize(
    ("total", "helpers", "least", "most", "sizes"),
    [
        (27, 1, 2, sys.maxsize, [14, 7, 3, 2, 1]),  # W5: halves, then the least
        (27, 2, 2, sys.maxsize, [9, 6, 4, 3, 2, 2, 1]),
        (20, 1, 1, 4, [4, 4, 4, 4, 2, 1, 1]),  # never over the most
        (3, 1, 5, 8, [3]),
    ],
)
def test_pieces_shrink_as_the_read_goes_on(
    total: int, helpers: int, least: int, most: int, sizes: list[int]
) -> None:
    cut: list[list[Any]] = []
    lock = threading.Lock()

    def run(piece: list[Any]) -> None:
        with lock:
            cut.append(piece)

    items = [ChunkFetch(f"c{i:02d}", []) for i in range(total)]
    with Pieces(run, total, helpers=helpers, least=least, most=most) as pieces:
        pieces.add(items)
    assert sorted(len(p) for p in cut) == sorted(sizes)
    assert sorted(item.key for piece in cut for item in piece) == [i.key for i in items]


@pytest.mark.parametrize(
    ("items", "weight", "sizes"),
    [
        ([ChunkFetch(f"c{i}", []) for i in range(10)], 4, [4, 4, 2]),
        ([_range(6, "a"), _range(1, "b"), _range(1, "c"), _range(4, "d")], 3, [1, 1, 3, 1]),
        ([_range(3)], 2, [1, 1]),  # cut where the piece ends: 2 | 1
        ([_range(10, "a"), _range(2, "b")], 6, [1, 2]),  # 6 | 4 + 2
        ([ChunkFetch("c", []), _range(1), ("k", None, [])], 1, [1, 1, 1]),  # never cut
        ([], 2, []),
    ],
)
def test_pieces_are_cut_to_weight_in_order_and_run_on_the_pool(
    items: list[Any], weight: int, sizes: list[int]
) -> None:
    cut: list[list[Any]] = []
    names: set[str] = set()
    lock = threading.Lock()

    def run(piece: list[Any]) -> None:
        with lock:
            cut.append(piece)
            names.add(threading.current_thread().name)

    total = sum(item_weight(i) for i in items)
    with Pieces(run, total, helpers=1, least=weight, most=weight) as pieces:
        pieces.add(items[:1])
        pieces.add(items[1:])
    # Pieces run in any order on any runner; put them back in the order of the items.
    flat = _stored(items)
    in_order = sorted(cut, key=lambda p: flat.index(_stored(p)[0]))
    assert [len(p) for p in in_order] == sizes
    # The same chunks at the same bytes of the same keys, in order, none over weight.
    assert _stored(item for piece in in_order for item in piece) == flat
    assert all(sum(item_weight(i) for i in piece) <= weight for piece in cut)
    # Runners: one helper on the pool, and the caller once every piece is cut.
    caller = threading.current_thread().name
    assert all(n == caller or n.startswith("zarrdist-read") for n in names)


def test_a_failed_piece_or_plan_raises_after_every_started_piece_ends() -> None:
    started: list[str] = []
    ended: list[str] = []

    def run(piece: list[Any]) -> None:
        started.append(piece[0].key)
        time.sleep(0.01)
        ended.append(piece[0].key)
        if piece[0].key == "bad":
            raise CodecError("bad chunk", key="bad")

    keys = ["ok", "bad", *(["ok"] * 20)]
    with (
        pytest.raises(CodecError, match="bad chunk"),
        Pieces(run, len(keys), helpers=1, most=1) as pieces,
    ):
        pieces.add([ChunkFetch(k, []) for k in keys])
    assert "bad" in ended
    assert sorted(started) == sorted(ended)  # nothing still running when the error came
    assert len(started) < len(keys)  # pieces not yet started were dropped
    started.clear()
    ended.clear()

    def plan_then_fail() -> None:
        with Pieces(run, 2, helpers=1, most=1) as pieces:
            pieces.add([ChunkFetch("ok", []), ChunkFetch("ok", [])])
            time.sleep(0.005)
            raise ValueError("planning failed")

    with pytest.raises(ValueError, match="planning"):
        plan_then_fail()
    assert started == ended  # the piece the helper had started ran to its end first


def _stored(items: Any) -> list[Any]:
    """Each chunk an item reads: the item itself, or (key, coords, first byte, length)."""
    out: list[Any] = []
    for item in items:
        if isinstance(item, RangeFetch):
            request = item.request
            for coords, offset, nbytes in item.slots:
                assert offset >= 0
                assert request.start + offset + nbytes <= request.end
                out.append((item.key, coords, request.start + offset, nbytes))
        else:
            out.append(item)
    return out


def test_direct_reads_decode_on_the_pool_and_in_the_caller(tmp_path: Path) -> None:
    # The pool's threads take pieces as soon as they are cut; the caller joins in
    # once it has planned every shard.
    z, expected = _sharded(tmp_path / "a", _data())
    seen: set[str] = set()
    codec = z._handle.sharding.inner_chain.bytes_bytes[0]
    original: Callable[..., Any] = type(codec).decode_many

    def spy(self: Any, datas: Any, spec: Any) -> Any:
        seen.add(threading.current_thread().name)
        time.sleep(0.001)  # let the other runner take a piece too
        return original(self, datas, spec)

    mp = pytest.MonkeyPatch()
    mp.setattr(type(codec), "decode_many", spy)
    try:
        with config.set({"threading.max_workers": 2}):
            np.testing.assert_array_equal(z[3:19, 5:29, 2:30], expected[3:19, 5:29, 2:30])
    finally:
        mp.undo()
    assert any(name.startswith("zarrdist-read") for name in seen)
    caller = threading.current_thread().name
    assert all(name == caller or name.startswith("zarrdist-read") for name in seen)


class _ReadsAnArray(WrapperStore):
    """A store whose every range request first reads a region of another array, as a
    store that resolves references through zarrdist would."""

    driver = "reads-an-array"

    def __init__(self, store: Store, other: Any) -> None:
        super().__init__(store)
        self.other = other
        self.nested: list[np.ndarray[Any, Any]] = []

    def get_ranges(self, key: str, ranges: Sequence[Any]) -> list[Any]:
        self.nested.append(self.other[0:20, 0:24, 0:14])
        return super().get_ranges(key, ranges)


def test_a_read_started_inside_a_reading_thread_runs_inline(tmp_path: Path) -> None:
    data = _data()
    other, other_expected = _sharded(tmp_path / "other", data)
    _, expected = _sharded(tmp_path / "a", data)
    store = _ReadsAnArray(LocalStore(tmp_path / "a", read_only=True), other)
    z = zarrdist.open_array(store, mode="r")
    with config.set({"threading.max_workers": 2}):
        np.testing.assert_array_equal(z[3:19, 5:29, 2:30], expected[3:19, 5:29, 2:30])
    assert store.nested  # each reading thread read the other array, inline, no deadlock
    for got in store.nested:
        np.testing.assert_array_equal(got, other_expected[0:20, 0:24, 0:14])


@pytest.mark.parametrize(
    ("chunk_nbytes", "items", "sizes"),
    [
        # 8 KiB chunks: at most 128 (1 MiB decoded) per fetch, in order.
        (8192, [ChunkFetch(f"c{i}", []) for i in range(300)], [128, 128, 44]),
        # A range holding many inner chunks counts as all of them.
        (8192, [_range(100), _range(100), ("k", None, [])], [1, 2]),
        (8192, [_range(200)], [1]),  # too big for a batch: fetched alone
        (8192, [], [0]),
    ],
)
def test_small_chunks_are_fetched_a_batch_at_a_time(
    chunk_nbytes: int, items: list[Any], sizes: list[int]
) -> None:
    parts = _fetch_parts(items, chunk_nbytes)
    assert [len(p) for p in parts] == sizes
    assert [item for part in parts for item in part] == items


def _mib_range(key: str, mib: int) -> RangeFetch:
    return RangeFetch(key, RangeByteRequest(0, mib << 20), [((0,), 0, mib << 20)], {})


@pytest.mark.parametrize(
    ("items", "near", "sizes"),
    [
        # 1 MiB chunks from local files: at most 8 MiB (decoded) per fetch.
        ([ChunkFetch(f"c{i}", []) for i in range(20)], True, [8, 8, 4]),
        # From a store far away: one request, all of them in flight at once.
        ([ChunkFetch(f"c{i}", []) for i in range(20)], False, [20]),
        # Shard ranges: at most 8 MiB as stored per fetch, near or far.
        ([_mib_range(f"s{i}", 3) for i in range(5)], True, [2, 2, 1]),
        ([_mib_range(f"s{i}", 3) for i in range(5)], False, [2, 2, 1]),
        ([_mib_range("s", 12), _mib_range("t", 1)], True, [1, 1]),  # one range never cut
        # Chunks known to be absent (fill value) cost nothing to hold.
        ([("k", None, [])] * 30, True, [30]),
    ],
)
def test_large_chunks_are_fetched_in_parts_of_bounded_bytes(
    items: list[Any], near: bool, sizes: list[int]
) -> None:
    parts = _fetch_parts(items, 1 << 20, near)
    assert [len(p) for p in parts] == sizes
    assert [item for part in parts for item in part] == items


@pytest.mark.parametrize("fmt", [2, 3])
def test_handle_keys_are_the_keys_zarr_python_uses(tmp_path: Path, fmt: int) -> None:
    z = zarrdist.create_array(
        str(tmp_path / "a"), name="grp/x", shape=(5, 7), chunks=(2, 3), dtype="i2", zarr_format=fmt
    )
    z[...] = 1
    units = [(i, j) for i in range(3) for j in range(3)]
    keys = z._handle.keys(units)
    assert keys == [z._handle.key(u) for u in units]
    on_disk = {p.relative_to(tmp_path / "a").as_posix() for p in (tmp_path / "a").rglob("*")}
    assert set(keys) <= on_disk
    assert keys[5] == ("grp/x/1.2" if fmt == 2 else "grp/x/c/1/2")


def test_a_read_of_less_than_a_piece_runs_in_the_calling_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 256-byte chunks: the whole region is less decoding than a thread hand-off costs.
    monkeypatch.setattr(chunkread, "_MIN_PIECE_BYTES", 256 << 10)
    z, expected = _sharded(tmp_path / "a", _data())
    seen: list[str] = []
    original = LocalStore.get_ranges

    def spy(self: Any, key: str, ranges: Sequence[Any]) -> Any:
        seen.append(threading.current_thread().name)
        return original(self, key, ranges)

    monkeypatch.setattr(LocalStore, "get_ranges", spy)
    with config.set({"threading.max_workers": 2}):
        np.testing.assert_array_equal(z[3:19, 5:29, 2:30], expected[3:19, 5:29, 2:30])
    assert seen
    assert set(seen) == {threading.current_thread().name}


def test_fetched_inner_chunks_come_in_the_selections_order() -> None:
    # Storage order (1), (0), (3) | (2); the selection wants (0), (1), (2), (3), so
    # neighbours form runs; only the fetched chunks are sorted, not all the shard's.
    from types import SimpleNamespace

    from zarrdist.chunkio.read import _fetch
    from zarrdist.stores import MemoryStore

    store = MemoryStore()
    store.set("s", b"BBAADDCC")
    by_inner = {(i,): [f"p{i}"] for i in range(4)}
    rank = {coords: i for i, coords in enumerate(by_inner)}
    first = RangeFetch(
        "s", RangeByteRequest(0, 6), [((1,), 0, 2), ((0,), 2, 2), ((3,), 4, 2)], by_inner, rank
    )
    second = RangeFetch("s", RangeByteRequest(6, 8), [((2,), 0, 2)], by_inner, rank)
    buffer = memoryview(bytearray(16))
    jobs = _fetch(SimpleNamespace(store=store), [first, second], buffer, 1 << 20)  # type: ignore[arg-type]
    assert [(bytes(data), ps) for _, data, ps in jobs] == [
        (b"AA", ["p0"]),
        (b"BB", ["p1"]),
        (b"CC", ["p2"]),
        (b"DD", ["p3"]),
    ]
    # A part holding some of the chunks gets those alone, still in order.
    jobs = _fetch(SimpleNamespace(store=store), [second], buffer, 1 << 20)  # type: ignore[arg-type]
    assert [(bytes(data), ps) for _, data, ps in jobs] == [(b"CC", ["p2"])]


def test_neighbouring_shards_are_walked_in_opposite_ways(tmp_path: Path) -> None:
    # Threads filling one output read neighbouring shards at once: an odd shard is
    # walked from its last plane to its first, so they do not fault on the same
    # fresh pages together. Within a plane the order is kept (runs of small chunks).
    from zarrdist.chunking.indexing import basic_indexer
    from zarrdist.chunkio.read import read_units
    from zarrdist.chunkio.units import group_by_unit

    data = np.arange(4 * 4 * 8, dtype="<i4").reshape(4, 4, 8)
    z = zarrdist.create_array(
        str(tmp_path / "a"), shape=data.shape, dtype="<i4", chunks=(2, 2, 2), shards=(4, 4, 4)
    )
    z[...] = data
    handle = z._handle
    units = group_by_unit(handle, basic_indexer((slice(None),) * 3, data.shape, (2, 2, 2)))

    class Recorder:
        def __init__(self) -> None:
            self.out = np.zeros_like(data)
            self.starts: list[tuple[int, ...]] = []

        def __setitem__(self, sel: tuple[slice, ...], value: Any) -> None:
            self.starts.append(tuple(s.start for s in sel))
            self.out[sel] = value

    for unit, expected_planes in (
        ((0, 0, 0), [0, 0, 0, 0, 2, 2, 2, 2]),
        ((0, 0, 1), [2] * 4 + [0] * 4),
    ):
        recorder = Recorder()
        read_units(handle, {unit: units[unit]}, recorder)
        assert [start[0] for start in recorder.starts] == expected_planes
        assert [start[1:] for start in recorder.starts[:4]] == sorted(
            recorder.starts[i][1:] for i in range(4)
        )
        x = slice(unit[2] * 4, unit[2] * 4 + 4)
        np.testing.assert_array_equal(recorder.out[:, :, x], data[:, :, x])


class _RecordsBuffers(WrapperStore):
    """Passes the caller's buffer on to the base store and records which one came."""

    driver = "records-buffers"

    def __init__(self, store: Store) -> None:
        super().__init__(store)
        self.buffers: list[tuple[str, int]] = []

    def get_many_into(self, keys: Sequence[str], buffer: bytearray | memoryview) -> list[Any]:
        self.buffers.append((threading.current_thread().name, id(buffer)))
        return self._store.get_many_into(keys, buffer)


@pytest.mark.parametrize("threads", [1, 2])
def test_whole_chunks_are_fetched_into_one_buffer_per_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, threads: int
) -> None:
    # Parts of two 64 KiB chunks: a part is decoded and placed before the next is
    # fetched into the same buffer, so every part of a thread reuses one buffer.
    monkeypatch.setattr(chunkread, "_PART_BYTES", 128 << 10)
    data = np.arange(256 * 1024, dtype="<i4").reshape(256, 1024) % 1000
    zarrdist.create_array(
        str(tmp_path / "a"), shape=data.shape, dtype="<i4", chunks=(128, 128), fill_value=0
    )[...] = data
    z = zarrdist.open_array(_RecordsBuffers(LocalStore(tmp_path / "a")), mode="r")
    store = z._handle.store  # opening read-only makes a read-only copy of the store
    with config.set({"threading.max_workers": threads}):
        for _ in range(2):
            np.testing.assert_array_equal(z[...], data)
            np.testing.assert_array_equal(z[5:60, 17:250], data[5:60, 17:250])
    assert len(store.buffers) >= 16
    by_thread: dict[str, set[int]] = {}
    for thread, buffer in store.buffers:
        by_thread.setdefault(thread, set()).add(buffer)
    assert all(len(ids) == 1 for ids in by_thread.values()), by_thread


def test_a_fetch_buffer_in_use_is_not_handed_out_again() -> None:
    with chunkread._fetch_buffer() as outer, chunkread._fetch_buffer() as inner:
        assert inner is not outer
    with chunkread._fetch_buffer() as again:
        assert again is outer


ONE_POOL_SCRIPT = """
import sys, threading
import numpy as np
import zarrdist
from zarrdist.stores import POOL_NAME, LocalStore, on_reader_thread, reader_pool
from zarrdist.stores import _local as local

seen = {"piece": set(), "get_many": set()}
path = "piece"
read_keys = LocalStore._read_keys
def spy(self, keys, fill=None):
    if on_reader_thread():
        seen[path].add(threading.current_thread())
    return read_keys(self, keys, fill)
LocalStore._read_keys = spy

zarrdist.config.set({"threading.max_workers": 4})
data = np.arange(512 * 512, dtype="i4").reshape(512, 512)
z = zarrdist.create_array(sys.argv[1], shape=data.shape, chunks=(64, 64), dtype="i4")
z[...] = data
assert (z[...] == data).all()  # a direct read: pieces on the pool
path = "get_many"
local._waits_on_device = lambda values, elapsed, blocks=None: True
store = LocalStore(sys.argv[1])
keys = [f"c/{i}/{j}" for i in range(8) for j in range(8)]
assert all(v is not None for v in store.get_many(keys))  # slices on the pool

threads = [t for t in threading.enumerate() if t.name.startswith(POOL_NAME)]
assert set(threads) == set(reader_pool()._threads), threads
assert len({t.name for t in threads}) == len(threads), sorted(t.name for t in threads)
assert seen["piece"] and seen["get_many"], seen
assert seen["piece"] | seen["get_many"] <= set(threads)
print(len(threads), len(seen["piece"]), len(seen["get_many"]))
"""


def test_direct_reads_and_local_batch_reads_share_one_pool(tmp_path: Path) -> None:
    # In a fresh process, so the only pool threads are those these two reads made.
    result = subprocess.run(
        [sys.executable, "-c", ONE_POOL_SCRIPT, str(tmp_path / "a")],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    threads, pieces, batches = map(int, result.stdout.split())
    assert pieces >= 1
    assert batches >= 1
    assert threads >= max(pieces, batches)
