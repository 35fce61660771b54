"""Store.range_gap_bytes: how far apart two byte ranges may be and still be read as one,
by what a request costs on each store; config io.coalesce_max_gap_bytes overrides it."""

from __future__ import annotations

from pathlib import Path

import numpy as np

import zarrdist
from tests.conftest import S3Location
from tests.graphs._helpers import ByteCountingStore
from zarrdist.config import config
from zarrdist.stores import (
    CacheStore,
    FsspecStore,
    LocalStore,
    LoggingStore,
    MemoryStore,
    ZipStore,
)


def test_each_store_gap_follows_its_request_cost(tmp_path: Path) -> None:
    assert LocalStore(tmp_path).range_gap_bytes == 16 << 10
    assert MemoryStore().range_gap_bytes == 0
    with ZipStore(tmp_path / "a.zip", mode="w") as zipped:
        assert zipped.range_gap_bytes == 16 << 10
    assert FsspecStore.from_url(f"file://{tmp_path}").range_gap_bytes == 16 << 10
    assert FsspecStore.from_url("memory://gap").range_gap_bytes == 0


def test_object_stores_bridge_a_megabyte(s3_bucket_url: S3Location) -> None:
    store = FsspecStore.from_url(s3_bucket_url.url, s3_bucket_url.storage_options)
    assert store.range_gap_bytes == 1 << 20


def test_wrappers_report_the_wrapped_store_gap(tmp_path: Path) -> None:
    assert LoggingStore(LocalStore(tmp_path)).range_gap_bytes == 16 << 10
    assert CacheStore(MemoryStore(), max_size_bytes=1 << 20).range_gap_bytes == 0


def _chunks_apart(store: ByteCountingStore) -> tuple[zarrdist.Array, int]:
    """A shard whose inner chunks (1,1) and (1,3) lie 7 stored chunks apart (Morton order)."""
    z = zarrdist.create_array(
        store, shape=(16, 16), chunks=(2, 2), shards=(8, 8), dtype="f8", compressors=None
    )
    z[...] = np.arange(256.0).reshape(16, 16)
    return z, 2 * 2 * 8


def test_reads_bridge_gaps_up_to_the_store_gap_unless_config_says(tmp_path: Path) -> None:
    counting = ByteCountingStore(LocalStore(tmp_path))
    z, chunk = _chunks_apart(counting)
    expected = np.arange(256.0).reshape(16, 16)[2:4, [2, 6]]
    with config.set({"threading.max_workers": 1}):
        counting.reset()
        np.testing.assert_array_equal(z.oindex[2:4, [2, 6]], expected)
        index_bytes = 16 * 16 + 4
        # Local gap (16 KiB) bridges the chunks between: one range from (1,1) to (1,3).
        assert counting.calls == {"get": 1, "get_ranges": 1}
        bridged = counting.bytes_read - 2 * index_bytes
        assert bridged > 2 * chunk
        with config.set({"io.coalesce_max_gap_bytes": 0}):
            counting.reset()
            np.testing.assert_array_equal(z.oindex[2:4, [2, 6]], expected)
            # Two chunks; the furthest range also reaches over the index at the end,
            # proving that no entry points into it.
            assert counting.bytes_read - 2 * index_bytes == 2 * chunk
