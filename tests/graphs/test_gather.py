"""``to_dask().compute()`` on a cluster: the blocks come straight to the client.

The memory bound of a whole-array read on a cluster (docs/performance.md, "W6:
bringing a read back from a cluster") rests on the graph's shape: the scheduler
runs only the block reads, each with no dependency, and no task joins blocks on a
worker. These tests watch the scheduler's transitions to check that shape.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dask.array as da
import numpy as np
import pytest
from distributed.diagnostics.plugin import SchedulerPlugin

import zarrdist
from zarrdist.graphs import gather
from zarrdist.stores import LocalStore


class _Processing(SchedulerPlugin):  # type: ignore[misc]
    """Records, for every task the scheduler starts, its key and its dependencies."""

    def __init__(self, scheduler: Any) -> None:
        self.scheduler = scheduler
        self.started: dict[str, int] = {}

        self.most_known = 0  # the most block reads the scheduler held at once

    def transition(self, key: Any, start: str, finish: str, *args: Any, **kwargs: Any) -> None:
        if finish == "processing":
            deps = self.scheduler.tasks[key].dependencies
            self.started[str(key)] = len(deps)
            known = sum("zarrdist-read" in str(k) for k in self.scheduler.tasks)
            self.most_known = max(self.most_known, known)


@pytest.fixture
def watched(cluster: Any) -> Any:
    scheduler = cluster.cluster.scheduler  # a LocalCluster's scheduler lives in this process
    plugin = _Processing(scheduler)
    scheduler.add_plugin(plugin, name="zarrdist-test-processing")
    try:
        yield plugin
    finally:
        scheduler.remove_plugin(name="zarrdist-test-processing")


def _array(tmp_path: Path) -> tuple[Any, np.ndarray[Any, Any]]:
    data = np.random.default_rng(5).random((23, 17, 9)).astype("f4")
    z = zarrdist.create_array(
        LocalStore(tmp_path / "g.zarr"), shape=data.shape, chunks=(8, 6, 9), dtype="f4"
    )
    z[...] = data
    return z, data


def test_compute_on_a_cluster_runs_only_independent_block_reads(
    cluster: Any, watched: Any, tmp_path: Path
) -> None:
    z, data = _array(tmp_path)
    with cluster.as_current():
        y = z.to_dask()
        assert isinstance(y, gather.BlockReads)
        out = y.compute()
    np.testing.assert_array_equal(out, data)
    assert isinstance(out, np.ndarray)
    assert out.flags.c_contiguous
    # One task per block (3 x 3 x 1), each a read with no dependency: nothing joins
    # blocks on a worker, so no worker ever holds more than its own blocks.
    assert len(watched.started) == y.npartitions == 9
    assert all("zarrdist-read" in key for key in watched.started), watched.started
    assert set(watched.started.values()) == {0}


def test_plain_dask_compute_joins_on_a_worker(cluster: Any, watched: Any, tmp_path: Path) -> None:
    """The control: a derived (plain) dask array computes as dask does, with one
    task that depends on every block: the shape the gather avoids."""
    z, data = _array(tmp_path)
    with cluster.as_current():
        y = z.to_dask() * 1
        assert type(y) is da.Array
        out = y.compute()
    np.testing.assert_array_equal(out, data)
    assert max(watched.started.values()) == y.npartitions


def test_uneven_blocks_and_numpy_conversion(cluster: Any, watched: Any, tmp_path: Path) -> None:
    z, data = _array(tmp_path)
    with cluster.as_current():
        y = z.to_dask(chunks=((5, 10, 8), (17,), (4, 5)))
        np.testing.assert_array_equal(np.asarray(y), data)  # __array__ goes through compute
        np.testing.assert_array_equal(y.compute(scheduler=cluster), data)
    assert len(watched.started) == 2 * y.npartitions
    assert set(watched.started.values()) == {0}


def test_gathers_are_bounded_in_bytes(
    cluster: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each gather fetches at most ``_GATHER_BYTES`` of blocks (one block at least)."""
    z, data = _array(tmp_path)
    block_bytes = 8 * 6 * 9 * 4
    monkeypatch.setattr(gather, "_GATHER_BYTES", 2 * block_bytes)
    sizes: list[int] = []
    real_gather = cluster.gather

    def counting_gather(futures: Any, *args: Any, **kwargs: Any) -> Any:
        sizes.append(len(futures))
        return real_gather(futures, *args, **kwargs)

    monkeypatch.setattr(cluster, "gather", counting_gather)
    with cluster.as_current():
        np.testing.assert_array_equal(z.to_dask().compute(), data)
    assert sum(sizes) == 9
    assert max(sizes) <= 2


def test_without_a_client_compute_is_dask_s(tmp_path: Path) -> None:
    z, data = _array(tmp_path)
    y = z.to_dask()
    assert gather.gathering_client(y, {}) is None
    np.testing.assert_array_equal(y.compute(), data)
    np.testing.assert_array_equal(y.compute(scheduler="sync"), data)


def test_reads_are_submitted_as_a_moving_window(
    cluster: Any, watched: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The workers never hold every block: at most a window of reads is submitted
    and not yet placed (here two blocks' bytes, so two per worker thread: 4)."""
    z, data = _array(tmp_path)
    y = z.to_dask(chunks=(4, 4, 9))  # 6 x 5 = 30 blocks
    monkeypatch.setattr(gather, "_WINDOW_BYTES", 2 * 4 * 4 * 9 * 4)
    with cluster.as_current():
        np.testing.assert_array_equal(y.compute(), data)
    assert len(watched.started) == y.npartitions == 30
    # A placed batch is released asynchronously (the client batches its release
    # messages) while the next reads go in, so the scheduler may still know some
    # placed blocks; submitted at once, it would know all 30.
    assert watched.most_known <= 15
