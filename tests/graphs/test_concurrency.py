"""Writers sharing chunks lose no updates: threads (direct and graph path) and processes."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import zarrdist
from tests.graphs._helpers import assert_same
from zarrdist.config import config
from zarrdist.stores import LocalStore, MemoryStore, Store

N = 8
LAYOUTS = {
    "chunked": {"chunks": (4, N)},  # every column crosses 4 chunks, all shared by all columns
    "sharded": {"chunks": (2, 4), "shards": (8, N)},  # ... and 2 shards
}


def _expected(rounds: int) -> np.ndarray:
    return np.tile(np.arange(1, N + 1, dtype="i4") * 100 + rounds - 1, (16, 1))


def _hammer(z: zarrdist.Array, rounds: int, settings: dict[str, Any]) -> None:
    """N threads, each writing its own column of the same chunks, ``rounds`` times."""
    barrier = threading.Barrier(N)
    errors: list[BaseException] = []

    def work(column: int) -> None:
        try:
            with config.set(settings):
                barrier.wait()
                for r in range(rounds):
                    z[:, column] = (column + 1) * 100 + r
        except BaseException as exc:  # noqa: BLE001 - reported to the main thread below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(c,)) for c in range(N)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors


def _store(kind: str, tmp_path: Path) -> Store:
    return MemoryStore() if kind == "memory" else LocalStore(tmp_path / "a")


@pytest.mark.parametrize("store_kind", ["memory", "local"])
@pytest.mark.parametrize("layout", list(LAYOUTS))
@pytest.mark.parametrize("path", ["direct", "graph"])
def test_threads_writing_columns_of_shared_chunks(
    tmp_path: Path, store_kind: str, layout: str, path: str
) -> None:
    z = zarrdist.create_array(
        _store(store_kind, tmp_path), shape=(16, N), dtype="i4", **LAYOUTS[layout]
    )
    settings: dict[str, Any] = {}
    if path == "graph":
        # Every column write is a graph of one task per unit, run on threads.
        settings = {"direct_max_bytes": 0, "graph.task_bytes": 1, "threading.max_workers": 2}
    _hammer(z, rounds=3, settings=settings)
    assert_same(z[...], _expected(3))


def _write_column(root: str, column: int, rounds: int) -> int:
    """Runs in a worker process: plain ``z[:, j] = v`` calls, as a user would write."""
    z = zarrdist.open_array(LocalStore(root), mode="r+")
    for r in range(rounds):
        z[:, column] = (column + 1) * 100 + r
    return column


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_worker_processes_writing_columns_of_shared_chunks(
    cluster: Any, tmp_path: Path, layout: str
) -> None:
    root = tmp_path / "a"
    z = zarrdist.create_array(LocalStore(root), shape=(16, N), dtype="i4", **LAYOUTS[layout])
    futures = [cluster.submit(_write_column, str(root), c, 3, pure=False) for c in range(N)]
    assert sorted(cluster.gather(futures)) == list(range(N))
    workers = {w for f in futures for w in cluster.who_has(f).get(f.key, ())}
    assert len(workers) == 2  # both worker processes took part
    assert_same(z[...], _expected(3))
