"""Planning: tasks own whole storage objects, never share a key, and fit the memory budget.

Every graph builder is also run over a RaisingStore (every I/O method raises), which
proves that building a graph does no I/O, and every graph passes assert_graph_ok.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import dask.array as da
import numpy as np
import pytest

import zarrdist
from tests.graphs._helpers import LAYOUTS, SHAPE, RaisingStore, assert_graph_ok, snapshot
from zarrdist.chunking.indexing import (
    basic_indexer,
    block_indexer,
    broadcast_value,
    coordinate_indexer,
    mask_indexer,
    orthogonal_indexer,
)
from zarrdist.chunkio.units import ArrayHandle, group_by_unit
from zarrdist.config import config
from zarrdist.errors import GraphError, MemoryBudgetError
from zarrdist.graphs.plan import GraphSpec, check_disjoint, plan_tasks
from zarrdist.graphs.read import read_graph, to_dask
from zarrdist.graphs.resize import append_graph, resize_graph
from zarrdist.graphs.write import aligned_chunks, write_dask_graph, write_graph
from zarrdist.stores import MemoryStore


def _raising_handle(layout: str, dtype: str = "f8") -> ArrayHandle:
    z = zarrdist.create_array(
        MemoryStore(), name="grp/arr", shape=SHAPE, dtype=dtype, **LAYOUTS[layout]
    )
    return ArrayHandle(RaisingStore(z.store), z.path, z.metadata)


def _indexers(handle: ArrayHandle) -> dict[str, Any]:
    shape, io = handle.metadata.shape, handle.io_chunk_shape
    mask = np.random.default_rng(1).random(shape) > 0.5
    return {
        "basic": basic_indexer((slice(1, 9), slice(None, None, 2)), shape, io),
        "orthogonal": orthogonal_indexer(([0, 4, 10], slice(1, 6)), shape, io),
        "vectorized": coordinate_indexer(([0, 10, 5], [6, 0, 2]), shape, io),
        "mask": mask_indexer(mask, shape, io),
        "blocks": block_indexer((slice(1, 3), slice(None)), shape, io),
    }


KINDS = ("basic", "orthogonal", "vectorized", "mask", "blocks")


@pytest.mark.parametrize("layout", list(LAYOUTS))
@pytest.mark.parametrize("kind", KINDS)
def test_read_and_write_graphs_build_without_io(layout: str, kind: str) -> None:
    handle = _raising_handle(layout)
    indexer = _indexers(handle)[kind]
    out = np.empty(indexer.shape, handle.metadata.dtype)
    value = broadcast_value(np.float64(7), indexer.shape)
    builders: list[Callable[[], GraphSpec]] = [
        lambda: read_graph(handle, indexer, out),
        lambda: read_graph(handle, indexer, None),
        lambda: write_graph(handle, indexer, value),
    ]
    for build in builders:
        graph = build()
        assert_graph_ok(graph, build)
        assert graph.num_tasks >= 1
        # A task owns whole storage units; the keys name the op and a unit's grid position.
        task_keys = [k for k in graph.dsk if isinstance(k, tuple) and k[0] == graph.name]
        assert len(task_keys) == graph.num_tasks
        grid = handle.metadata.grid_shape
        for key in task_keys:
            assert len(key) == 1 + len(grid)
            assert all(0 <= i < n for i, n in zip(key[1:], grid, strict=True))


def _input_keys(handle: ArrayHandle, region: tuple[slice, ...], darr: da.Array) -> frozenset[Any]:
    """Keys of the input dask array once rechunked onto the write grid (not zarrdist's)."""
    return frozenset(dict(darr.rechunk(aligned_chunks(handle, region)).__dask_graph__()))


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_dask_and_resize_graphs_build_without_io(layout: str) -> None:
    handle = _raising_handle(layout)
    darr = da.ones((9, 5), chunks=(4, 3))  # blocks aligned with neither chunks nor shards
    region = (slice(1, 10), slice(2, 7))
    x = to_dask(handle)
    assert x.name.startswith("zarrdist-read-")
    assert all(re.match(r"^zarrdist-read-grp-arr-[0-9a-f]{32}$", k[0]) for k in dict(x.dask))
    rows, cols = np.ones((3, 7)), np.ones((11, 2))
    more = da.ones((11, 3), chunks=(5, 2))
    grown = handle.with_metadata(handle.metadata.with_shape((11, 10)))
    none: frozenset[Any] = frozenset()
    builders: list[tuple[Callable[[], GraphSpec], frozenset[Any]]] = [
        (lambda: write_dask_graph(handle, region, darr), _input_keys(handle, region, darr)),
        (lambda: resize_graph(handle, (20, 9)), none),
        (lambda: resize_graph(handle, (5, 7)), none),
        (lambda: resize_graph(handle, (4, 3)), none),  # both shrink: corner units once
        (lambda: resize_graph(handle, (4, 12)), none),  # shrink one axis, grow the other
        (lambda: append_graph(handle, rows, 0)[0], none),
        (lambda: append_graph(handle, cols, 1)[0], none),
        (
            lambda: append_graph(handle, more, 1)[0],
            _input_keys(grown, (slice(0, 11), slice(7, 10)), more),
        ),
    ]
    for build, inputs in builders:
        assert_graph_ok(build(), build, foreign=inputs)
    assert append_graph(handle, more, 1)[1].shape == (11, 10)


def test_sharded_plan_is_one_task_per_shard() -> None:
    handle = _raising_handle("v3-sharded")
    indexer = basic_indexer((slice(None), slice(None)), SHAPE, handle.io_chunk_shape)
    units = group_by_unit(handle, indexer)
    tasks = plan_tasks(handle, units, "write")
    assert [len(t) for t in tasks] == [1] * 4  # (11, 7) in shards of (6, 4): 2 x 2 shards
    assert sorted(k for t in tasks for k in t) == [(0, 0), (0, 1), (1, 0), (1, 1)]
    # Each shard's task carries every inner chunk it covers (2 x 2, edges included).
    assert [len(next(iter(t.values()))) for t in tasks] == [4, 4, 4, 4]


def test_unsharded_batches_follow_task_bytes() -> None:
    z = zarrdist.create_array(MemoryStore(), shape=(100, 10), chunks=(1, 10), dtype="f8")
    handle = ArrayHandle(RaisingStore(z.store), "", z.metadata)
    unit_bytes = 10 * 8
    indexer = basic_indexer((slice(None), slice(None)), (100, 10), (1, 10))
    units = group_by_unit(handle, indexer)
    with config.set({"graph.task_bytes": 3 * unit_bytes}):
        tasks = plan_tasks(handle, units, "read")
    assert all(len(t) <= 3 for t in tasks)
    assert max(len(t) for t in tasks) > 1  # chunks are batched, not one task each
    # The tasks partition the units: disjoint and complete, in order.
    assert [u for t in tasks for u in t] == list(units)
    check_disjoint(handle, tasks)


def test_overlapping_tasks_are_refused() -> None:
    handle = _raising_handle("v3")
    tasks = [{(0, 0): [], (0, 1): []}, {(1, 0): [], (0, 1): []}]
    with pytest.raises(GraphError, match=r"tasks 0 and 1 both write 'grp/arr/c/0/1'"):
        check_disjoint(handle, tasks)


@pytest.mark.parametrize("op", ["read", "write"])
def test_memory_budget_refused_before_anything_runs(op: str) -> None:
    handle = _raising_handle("v3-sharded")
    indexer = basic_indexer((slice(None), slice(None)), SHAPE, handle.io_chunk_shape)
    build: Callable[[], GraphSpec] = (
        (lambda: read_graph(handle, indexer, None))
        if op == "read"
        else (lambda: write_graph(handle, indexer, np.zeros(SHAPE)))
    )
    # The RaisingStore proves that nothing touched the store before the refusal.
    with config.set({"graph.max_task_bytes": 100}), pytest.raises(MemoryBudgetError) as info:
        build()
    message = str(info.value)
    assert message.startswith(f"{op} of array 'grp/arr'")
    assert "units of shape (6, 4)" in message
    assert info.value.projected is not None
    assert info.value.projected > 100
    assert info.value.allowed == 100
    assert isinstance(info.value, MemoryError)


def test_memory_budget_through_the_array_api() -> None:
    z = zarrdist.create_array(MemoryStore(), shape=SHAPE, chunks=(3, 2), dtype="f8")
    z[:] = 1.0
    before = snapshot(z.store)
    with config.set({"graph.max_task_bytes": 10, "direct_max_bytes": 0}):
        with pytest.raises(MemoryBudgetError, match="write of array '/'"):
            z[:] = 2.0
        with pytest.raises(MemoryBudgetError, match="read of array '/'"):
            z[:]
    assert snapshot(z.store) == before
    np.testing.assert_array_equal(z[:], np.ones(SHAPE))


def test_too_many_tasks_refused() -> None:
    handle = _raising_handle("v3-sharded")
    indexer = basic_indexer((slice(None), slice(None)), SHAPE, handle.io_chunk_shape)
    with (
        config.set({"graph.max_tasks": 3}),
        pytest.raises(GraphError, match=r"needs 4 tasks, over graph.max_tasks=3"),
    ):
        write_graph(handle, indexer, np.zeros(SHAPE))


def test_graphspec_is_inspectable() -> None:
    handle = _raising_handle("v3-sharded")
    indexer = basic_indexer((slice(None), slice(None)), SHAPE, handle.io_chunk_shape)
    graph = write_graph(handle, indexer, np.zeros(SHAPE))
    text = repr(graph)
    assert graph.name in text
    assert "op=write" in text
    assert "num_tasks=4" in text
    assert f"max_projected_bytes={graph.max_projected_bytes}" in text
    # decoded shard (6*4*8 bytes) plus a codec copy plus the encoded bytes
    assert graph.max_projected_bytes == 3 * 6 * 4 * 8


@pytest.mark.parametrize("pause", [True, False])
def test_to_dask_builds_with_the_collector_paused_and_restores_it(pause: bool) -> None:
    """to_dask's block loop runs with the collector held (config ``gc_pause``): with a
    threshold that would collect every few allocations, collections start only at the
    pause's edges, not once per few blocks; the collector is back on afterwards and the graph is the same either way."""
    import gc

    z = zarrdist.create_array(MemoryStore(), shape=(40, 30), chunks=(2, 2), dtype="i4")
    z[...] = np.arange(1200, dtype="i4").reshape(40, 30)
    started: list[str] = []

    def callback(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            started.append(phase)

    thresholds = gc.get_threshold()
    gc.callbacks.append(callback)
    try:
        with config.set({"gc_pause": pause}):
            gc.collect()
            started.clear()
            gc.set_threshold(5)
            x = to_dask(z._handle)
            gc.set_threshold(*thresholds)
        assert gc.isenabled()
    finally:
        gc.set_threshold(*thresholds)
        gc.callbacks.remove(callback)
    # Collections may start at the pause's edges, never in the loop over blocks.
    assert len(started) < 10 if pause else len(started) > 100
    assert x.numblocks == (20, 15)
    np.testing.assert_array_equal(x.compute(scheduler="sync"), np.arange(1200).reshape(40, 30))


@pytest.mark.parametrize("pause", [True, False])
def test_copy_graph_builds_with_the_collector_paused(pause: bool) -> None:
    """copy_graph (as to_dask) runs with the collector held (config ``gc_pause``): with a
    threshold that would collect every few allocations, collections start only at the
    pause's edges, not once per few blocks; the collector is back on afterwards and the graph is the same either way."""
    import gc

    from zarrdist.graphs.copy import copy_array, copy_graph

    z = zarrdist.create_array(MemoryStore(), shape=(40, 30), chunks=(2, 2), dtype="i4")
    z[...] = np.arange(1200, dtype="i4").reshape(40, 30)
    dst = zarrdist.create_array(MemoryStore(), shape=(40, 30), chunks=(3, 1), dtype="i4")
    started: list[str] = []

    def callback(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            started.append(phase)

    thresholds = gc.get_threshold()
    gc.callbacks.append(callback)
    try:
        # Small tasks: many of them, as a large array has.
        with config.set({"gc_pause": pause, "graph.task_bytes": 64}):
            gc.collect()
            started.clear()
            gc.set_threshold(5)
            graph = copy_graph(z._handle, dst._handle)
            gc.set_threshold(*thresholds)
        assert gc.isenabled()
    finally:
        gc.set_threshold(*thresholds)
        gc.callbacks.remove(callback)
    # Collections may start at the pause's edges, never in the loop over blocks.
    assert len(started) < 10 if pause else len(started) > 100
    assert graph.num_tasks > 0
    copy_array(z._handle, dst._handle)
    np.testing.assert_array_equal(dst[...], np.arange(1200).reshape(40, 30))
