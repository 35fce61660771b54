"""``for row in z`` reads each chunk (or inner chunk of a shard) once, not once per row
(zarr-python's issue 2529), and yields what iterating the NumPy array yields."""

from __future__ import annotations

import collections
from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest

import zarrdist
from zarrdist.stores import MemoryStore, WrapperStore


class CountingStore(WrapperStore[MemoryStore]):
    """Counts the reads of every key (``get_many_into`` goes through ``get_many``)."""

    def __init__(self, store: MemoryStore) -> None:
        super().__init__(store)
        self.reads: collections.Counter[str] = collections.Counter()

    def get(self, key: str, byte_range: Any = None) -> Any:
        self.reads[key] += 1
        return super().get(key, byte_range)

    def get_many(self, keys: Sequence[str]) -> Any:
        self.reads.update(keys)
        return super().get_many(keys)

    def get_ranges(self, key: str, ranges: Any) -> Any:
        self.reads[key] += 1
        return super().get_ranges(key, ranges)


@pytest.mark.parametrize("shards", [None, (8, 6)])
def test_iteration_reads_each_chunk_once(shards: Any) -> None:
    data = np.arange(16 * 6, dtype="i4").reshape(16, 6)
    base = MemoryStore()
    z = zarrdist.create_array(base, shape=data.shape, chunks=(4, 3), shards=shards, dtype="i4")
    z[...] = data
    opened = zarrdist.open_array(CountingStore(base), mode="r")
    counting = opened.store  # mode "r" gives a read-only view: its own counter
    assert isinstance(counting, CountingStore)
    rows = list(opened)
    np.testing.assert_array_equal(np.stack(rows), data)
    chunk_reads = {k: n for k, n in counting.reads.items() if not k.endswith("zarr.json")}
    assert chunk_reads
    # Unsharded: each chunk key once. Sharded: two requests (the index, then the inner
    # chunks' ranges) per row of inner chunks the shard holds, never per array row
    # (row by row would be 2 per row: 16 here).
    most = 1 if shards is None else 2 * (shards[0] // 4)
    assert max(chunk_reads.values()) <= most


def test_iteration_yields_what_numpy_yields() -> None:
    data = np.linspace(0, 1, 7)
    z = zarrdist.create_array(MemoryStore(), shape=(7,), chunks=(3,), dtype="f8")
    z[...] = data
    got = list(z)
    assert got == list(data)
    assert [type(v) for v in got] == [type(v) for v in data]
    with pytest.raises(TypeError):
        iter(zarrdist.create_array(MemoryStore(), shape=(), dtype="f8")).__next__()
