"""Where graphs run: one task inline, local threads into a preallocated output, the
active cluster, and stores that live in one process kept where they live."""

from __future__ import annotations

import gc
import os
import threading
from pathlib import Path
from typing import Any

import dask.array as da
import numpy as np
import pytest

import zarrdist
from tests.graphs._helpers import SHAPE, assert_graph_ok, assert_same, sample
from zarrdist.chunking.indexing import basic_indexer
from zarrdist.chunkio.units import ArrayHandle
from zarrdist.config import config
from zarrdist.errors import StoreError
from zarrdist.graphs.execute import (
    active_client,
    choose_engine,
    fresh_names,
    gc_paused,
    run_graph,
    scheduler_name,
)
from zarrdist.graphs.read import read_graph
from zarrdist.stores import LocalStore, LoggingStore, MemoryStore, Store, WrapperStore


class _ThreadRecorder(WrapperStore):
    """Records the thread of every read (over a memory store: it stays in this process)."""

    driver = "thread-recorder"

    def __init__(self, store: Store) -> None:
        super().__init__(store)
        self.threads: set[int] = set()

    def _call(self, name: str, fn: Any, *args: Any) -> Any:
        if name.startswith("get"):
            self.threads.add(threading.get_ident())
        return fn(*args)


def _recorded(chunks: tuple[int, int] = (3, 2)) -> tuple[zarrdist.Array, _ThreadRecorder]:
    store = _ThreadRecorder(MemoryStore())
    z = zarrdist.create_array(store, shape=SHAPE, chunks=chunks, dtype="f8")
    z[:] = sample("f8", SHAPE, 1)
    store.threads.clear()
    return z, store


def test_one_task_runs_inline() -> None:
    assert scheduler_name(1) == "sync"
    assert scheduler_name(0) == "sync"
    z, store = _recorded(chunks=SHAPE)  # one chunk: one task
    with config.set({"direct_max_bytes": 0}):
        assert_same(z[...], sample("f8", SHAPE, 1))
    assert store.threads == {threading.get_ident()}


def test_one_function_decides_inline_pool_or_graph() -> None:
    """Reads, writes and graphs ask choose_engine: one unit inline, a small selection
    on the direct path's pool, the rest a graph on the scheduler scheduler_name picks."""
    with config.set({"direct_max_bytes": 1000, "scheduler": "threads"}):
        assert choose_engine(0) == choose_engine(1) == "inline"
        assert choose_engine(1, nbytes=10**9) == "inline"
        assert choose_engine(5, nbytes=1000) == "pool"
        assert choose_engine(5, nbytes=1001) == "threads"
        assert choose_engine(5) == "threads"  # no size known: a graph
    with config.set({"direct_max_bytes": 1000, "scheduler": "sync"}):
        assert choose_engine(5, nbytes=1001) == "sync"


@pytest.mark.parametrize("pause", [True, False])
def test_gc_pause_is_a_setting(pause: bool) -> None:
    """gc.disable acts on the whole process: config gc_pause turns the pause off."""
    assert gc.isenabled()
    with config.set({"gc_pause": pause}), gc_paused():
        assert gc.isenabled() is not pause
        with gc_paused():  # nested operations: the collector waits for the last one
            assert gc.isenabled() is not pause
        assert gc.isenabled() is not pause
    assert gc.isenabled()


def test_local_graph_runs_on_threads_into_the_output() -> None:
    assert scheduler_name(2) == "threads"
    z, store = _recorded()
    handle = ArrayHandle(store, "", z.metadata)
    indexer = basic_indexer((slice(None), slice(None)), SHAPE, handle.io_chunk_shape)
    out = np.zeros(SHAPE)
    with config.set({"graph.task_bytes": 1, "threading.max_workers": 4}):  # a task per chunk
        graph = read_graph(handle, indexer, out)
        assert graph.num_tasks == 16
        assert_graph_ok(graph)
        assert run_graph(graph.dsk, graph.keys, num_tasks=graph.num_tasks) == [None]
    assert_same(out, sample("f8", SHAPE, 1))  # the tasks filled the caller's array
    assert threading.get_ident() not in store.threads


def test_sync_scheduler_setting_keeps_everything_in_this_thread() -> None:
    z, store = _recorded()
    with config.set({"scheduler": "sync", "direct_max_bytes": 0, "graph.task_bytes": 1}):
        assert scheduler_name(16) == "sync"
        assert_same(z[...], sample("f8", SHAPE, 1))
    assert store.threads == {threading.get_ident()}


def test_fresh_names_rename_only_zarrdist_keys() -> None:
    z = zarrdist.create_array(MemoryStore(), shape=SHAPE, chunks=(3, 2), dtype="f8")
    darr = da.ones(SHAPE, chunks=(4, 4))
    from zarrdist.graphs.write import write_dask_graph

    region = (slice(0, 11), slice(0, 7))
    graph = write_dask_graph(z._handle, region, darr)
    fresh, keys = fresh_names(graph.dsk, graph.keys)
    again, _ = fresh_names(graph.dsk, graph.keys)
    assert len(fresh) == len(graph.dsk)
    foreign = {k for k in graph.dsk if not str(k[0]).startswith("zarrdist-")}
    assert foreign <= set(fresh)  # the input dask array's keys are kept
    renamed = set(fresh) - foreign
    assert renamed.isdisjoint(graph.dsk)
    assert renamed.isdisjoint(again)  # every run gets names of its own
    assert all(str(k[0]).startswith("zarrdist-write-") for k in renamed if len(k) > 1)
    for key, node in fresh.items():
        assert getattr(node, "key", key) == key
        assert all(dep in fresh for dep in getattr(node, "dependencies", ()))
    assert keys[0] in fresh
    assert run_graph(fresh, keys) == [None]
    assert_same(z[...], np.ones(SHAPE))


# -- on the cluster ----------------------------------------------------------------------


def test_repeated_identical_graphs_really_run_on_the_cluster(cluster: Any, tmp_path: Path) -> None:
    """Graph names are deterministic; a cluster must not answer a rerun from old results."""
    z = zarrdist.create_array(LocalStore(tmp_path), shape=(12,), chunks=(3,), dtype="f8")
    with cluster.as_current(), config.set({"direct_max_bytes": 0}):
        assert scheduler_name(4) == "distributed"
        for i in range(5):
            z[:] = 1.0
            z[0] = -float(i)  # direct path, behind the cluster's back
            assert z[...][0] == -float(i)  # the identical read graph ran again
            z[:] = 2.0
            z[:] = 1.0  # the same write as two lines above: it must land again
            assert_same(z[...], np.ones(12))


@pytest.mark.parametrize("wrapped", [False, True])
def test_memory_store_graphs_stay_in_this_process(cluster: Any, wrapped: bool) -> None:
    store: Store = MemoryStore()
    if wrapped:
        store = LoggingStore(store)  # an adapter has its base store's capabilities
    z = zarrdist.create_array(store, shape=SHAPE, chunks=(3, 2), dtype="f8")
    with cluster.as_current(), config.set({"direct_max_bytes": 0}):
        assert active_client() is cluster
        assert scheduler_name(4, local_only=True) == "threads"
        z[:] = sample("f8", SHAPE, 1)
        assert_same(z[...], sample("f8", SHAPE, 1))
        z.resize(20, 9)
        z.append(np.ones((1, 9)))
        assert z.shape == (21, 9)
        if isinstance(store, LoggingStore):
            assert store.counter["set"] > 0  # the tasks ran here, on this very object
        # A dask array handed to the cluster cannot reach the store: a clear error.
        with pytest.raises(StoreError, match=f"lives in process {os.getpid()}"):
            z.to_dask().sum().compute()


def test_scheduler_address_in_config(cluster: Any, tmp_path: Path) -> None:
    from zarrdist.graphs import execute

    z = zarrdist.create_array(LocalStore(tmp_path), shape=SHAPE, chunks=(3, 2), dtype="f8")
    address = cluster.scheduler.address
    with config.set({"scheduler": address, "direct_max_bytes": 0}):
        client = active_client()
        try:
            assert client is not None
            assert client.scheduler.address == address
            assert scheduler_name(4) == "distributed"
            z[:] = sample("f8", SHAPE, 2)
            assert_same(z[...], sample("f8", SHAPE, 2))
        finally:
            execute._client_for.cache_clear()
            if client is not None:
                client.close()


def test_unknown_scheduler_setting_is_refused_by_name() -> None:
    import pytest

    import zarrdist
    from zarrdist.graphs.execute import scheduler_name

    with (
        zarrdist.config.set({"scheduler": "processes"}),
        pytest.raises(ValueError, match="scheduler"),
    ):
        scheduler_name(4)


def test_resize_refuses_non_integer_extents() -> None:
    import pytest

    import zarrdist

    z = zarrdist.create_array({}, shape=(4, 4), chunks=(2, 2), dtype="i4")
    with pytest.raises(TypeError):
        z.resize(2.5, 4)
    assert z.shape == (4, 4)


def test_gc_paused_nests_across_threads_and_restores_the_collector() -> None:
    import gc

    from zarrdist.graphs.execute import gc_paused

    assert gc.isenabled()
    entered, release = threading.Event(), threading.Event()

    def other_operation() -> None:
        with gc_paused():
            entered.set()
            release.wait(10)

    worker = threading.Thread(target=other_operation)
    with gc_paused():
        assert not gc.isenabled()
        worker.start()
        entered.wait(10)
    # The other operation still runs: collection waits for it too.
    assert not gc.isenabled()
    release.set()
    worker.join()
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()  # a collector the caller turned off stays off
    finally:
        gc.enable()


def test_reads_and_writes_leave_the_collector_on_even_when_they_fail() -> None:
    import gc

    z = zarrdist.zeros(shape=(40, 40), chunks=(10, 10), dtype="i4")
    z[...] = 1
    assert z[...].sum() == 1600
    assert gc.isenabled()
    with pytest.raises(ValueError):
        z[...] = np.ones((3, 3))  # does not broadcast
    assert gc.isenabled()
