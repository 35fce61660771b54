"""Exact I/O counts: whole-unit writes read nothing; small reads of a shard fetch only
its index and the inner chunks they need."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import zarrdist
from tests.graphs._helpers import ByteCountingStore, assert_same
from zarrdist.config import config
from zarrdist.stores import LocalStore, LoggingStore

SHARDED = {"shape": (16, 16), "chunks": (2, 2), "shards": (8, 8), "dtype": "f8"}
INDEX_BYTES = 16 * 16 + 4  # 16 inner chunks x (offset, length) x 8 bytes, plus crc32c


@pytest.mark.parametrize("path", ["direct", "graph"])
def test_whole_shard_writes_do_no_reads(tmp_path: Path, path: str) -> None:
    store = LoggingStore(LocalStore(tmp_path))
    z = zarrdist.create_array(store, **SHARDED)
    a = np.arange(256.0).reshape(16, 16)
    with config.set({"direct_max_bytes": 0 if path == "graph" else 1 << 30}):
        store.counter.clear()
        z[:] = a
        # Each write call reads the array's zarr.json once (a resize by another handle
        # must not be undone, docs/reliability.md); units are written without reads.
        assert dict(store.counter) == {"get": 1, "set": 4}  # four shards, each written once
        store.counter.clear()
        z[0:8, 8:16] = -a[0:8, 0:8]  # exactly one shard
        assert dict(store.counter) == {"get": 1, "set": 1}
        store.counter.clear()
        z[8:16] = 7.0  # two whole shards from a broadcast scalar
        assert dict(store.counter) == {"get": 1, "set": 2}
    expected = a.copy()
    expected[0:8, 8:16] = -a[0:8, 0:8]
    expected[8:16] = 7.0
    assert_same(z[...], expected)


def test_whole_chunk_writes_do_no_reads(tmp_path: Path) -> None:
    store = LoggingStore(LocalStore(tmp_path))
    z = zarrdist.create_array(store, shape=(16, 16), chunks=(4, 4), dtype="i4")
    with config.set({"direct_max_bytes": 0, "graph.task_bytes": 64}):  # one chunk per task
        store.counter.clear()
        z[:] = np.arange(256, dtype="i4").reshape(16, 16)
        assert dict(store.counter) == {"get": 1, "set": 16}  # + the zarr.json check
        store.counter.clear()
        z[4:8] = 1  # a row of whole chunks
        assert dict(store.counter) == {"get": 1, "set": 4}
        store.counter.clear()
        z[4:9] = 2  # plus a partial row: those four chunks are read first
        assert store.counter["set"] == 8
        assert store.counter["get"] + store.counter["get_many"] == 4 + 1  # + zarr.json
        store.counter.clear()
        z[:]  # one batched fetch per task
        assert store.counter["set"] == 0
        assert store.counter["get"] + store.counter["get_many"] == 16


def test_small_read_of_a_shard_fetches_index_and_needed_chunks(tmp_path: Path) -> None:
    counting = ByteCountingStore(LocalStore(tmp_path))
    z = zarrdist.create_array(counting, compressors=None, **SHARDED)
    a = np.arange(256.0).reshape(16, 16)
    z[:] = a
    shard_bytes = (tmp_path / "c" / "0" / "0").stat().st_size
    assert shard_bytes == 64 * 8 + INDEX_BYTES  # uncompressed: 64 elements + index
    chunk_bytes = 2 * 2 * 8
    counting.reset()
    assert_same(z[3:5, 3:5], a[3:5, 3:5])  # touches inner chunks (1,1) (1,2) (2,1) (2,2)
    # The index, then the chunks: one get_ranges call per reading thread (a
    # coalesced range is cut where the two threads' shares meet).
    assert counting.calls["get"] == 1
    assert 1 <= counting.calls["get_ranges"] <= 2
    assert set(counting.calls) == {"get", "get_ranges"}
    # Nearby ranges are coalesced (gaps under the store's 16 KiB), so a few unneeded
    # chunks between them may come along, but never the whole shard.
    assert INDEX_BYTES + 4 * chunk_bytes <= counting.bytes_read < INDEX_BYTES + shard_bytes
    with config.set({"io.coalesce_max_gap_bytes": 0}):
        counting.reset()
        assert_same(z[3:5, 3:5], a[3:5, 3:5])
        # Four separate ranges, shared out between the reading threads: one
        # get_ranges call per thread that got some.
        assert counting.calls["get"] == 1
        assert 1 <= counting.calls["get_ranges"] <= 2
        # What is needed, the furthest range reaching over the index too (an index at
        # the end: proves that no entry points into it).
        assert counting.bytes_read == INDEX_BYTES + 4 * chunk_bytes + INDEX_BYTES
    with config.set({"io.coalesce_max_gap_bytes": 0, "threading.max_workers": 1}):
        counting.reset()
        assert_same(z[3:5, 3:5], a[3:5, 3:5])
        assert counting.calls == {"get": 1, "get_ranges": 1}
    counting.reset()
    assert_same(z[9, 9], a[9, 9])  # one element: index + one inner chunk
    assert counting.calls == {"get": 1, "get_ranges": 1}
    assert counting.bytes_read == INDEX_BYTES + chunk_bytes + INDEX_BYTES
    counting.reset()
    # Every inner chunk: local files are read in byte ranges of at most 8 MiB after
    # the index (a task holds a part of a large shard), here one range.
    assert_same(z[0:8, 0:8], a[0:8, 0:8])
    assert counting.calls == {"get": 1, "get_ranges": 1}
    # The index and every chunk, once; the index again, after the furthest chunk.
    assert counting.bytes_read == shard_bytes + INDEX_BYTES
    # A store far away reads the whole shard in one request instead.
    far = _Far(LocalStore(tmp_path))
    far_z = zarrdist.open_array(far)
    far.reset()
    assert_same(far_z[0:8, 0:8], a[0:8, 0:8])
    assert far.calls == {"get": 1}
    assert far.bytes_read == shard_bytes


class _Far(ByteCountingStore):
    """Counts like ByteCountingStore, and says its requests are costly (an object store)."""

    driver = "far"
    range_gap_bytes = 1 << 20  # type: ignore[assignment]


def test_small_read_of_a_missing_shard_reads_only_the_index(tmp_path: Path) -> None:
    store = LoggingStore(LocalStore(tmp_path))
    z = zarrdist.create_array(store, fill_value=-1.0, **SHARDED)
    z[0:8, 0:8] = 1.0
    store.counter.clear()
    assert_same(z[10:12, 10:11], np.full((2, 1), -1.0))
    assert dict(store.counter) == {"get": 1}  # the index request finds nothing


def test_partial_shard_write_reads_the_shard_once(tmp_path: Path) -> None:
    store = LoggingStore(LocalStore(tmp_path))
    z = zarrdist.create_array(store, **SHARDED)
    z[:] = 1.0
    store.counter.clear()
    z[3:5, 3:5] = 2.0
    assert dict(store.counter) == {"get": 2, "set": 1}  # zarr.json, then the shard
