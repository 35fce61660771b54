"""Write graphs: NumPy values, scalars, dask arrays and other arrays.

Every task owns whole units, so tasks of one graph never write the same key. A
dask array is first rechunked onto the write grid (the units the region touches),
so its own chunking never decides correctness.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any

import numpy as np
from dask.task_spec import DataNode, List, Task, TaskRef
from dask.typing import Key

from zarrdist.chunking.grid import axis_bounds, axis_chunk_of
from zarrdist.chunking.indexing import basic_indexer
from zarrdist.chunkio.units import (
    ArrayHandle,
    Fields,
    LockFactory,
    Units,
    group_by_unit,
    write_units,
)
from zarrdist.errors import MemoryBudgetError
from zarrdist.graphs.copy import copy_graph, plan_copy
from zarrdist.graphs.execute import (
    choose_engine,
    embedded_bytes,
    gc_paused,
    numpy_stays_local,
    run_graph,
)
from zarrdist.graphs.locks import lock_factory
from zarrdist.graphs.plan import (
    GraphSpec,
    check_budget,
    check_disjoint,
    first_unit,
    graph_name,
    plan_tasks,
    selection_token,
    task_key,
    value_token,
)
from zarrdist.graphs.read import source_handle

if TYPE_CHECKING:
    import dask.array as da

    from zarrdist.chunking.indexing import Indexer

__all__ = [
    "data_is_here",
    "aligned_chunks",
    "unit_copy_graph",
    "write",
    "write_dask",
    "write_dask_graph",
    "write_graph",
]


def _write(
    handle: ArrayHandle,
    units: Units,
    value: Any,
    fields: Fields | None = None,
    shape: tuple[int, ...] | None = None,
) -> None:
    if shape is not None:  # a scalar travelled alone: broadcast it here
        value = np.broadcast_to(value, shape)
    # Units only partly covered may be shared with writers outside this graph.
    write_units(handle, units, value, lock=lock_factory(handle.store), fields=fields)


def _compact(value: Any) -> tuple[Any, tuple[int, ...] | None]:
    """``value`` as the graph carries it: a broadcast scalar as the scalar and its shape.

    Pickling a broadcast view writes out every element; ``z[:] = 0`` would ship an
    array as large as the selection to each worker instead of one number.
    """
    strides = getattr(value, "strides", None)
    if isinstance(value, np.ndarray) and value.size > 1 and strides and not any(strides):
        return value.reshape(-1)[:1].reshape(()).copy(), value.shape
    return value, None


def _done(*_: Any) -> None:
    return None


def _finish(
    op: str,
    name: str,
    dsk: dict[Key, Any],
    task_keys: list[Key],
    handle: ArrayHandle,
    max_bytes: int,
) -> GraphSpec:
    done = ("zarrdist-done-" + name.rsplit("-", 1)[-1],)
    dsk[done] = Task(done, _done, List(*(TaskRef(k) for k in task_keys)))
    return GraphSpec(
        op=op,
        name=name,
        dsk=dsk,
        keys=[done],
        num_tasks=len(task_keys),
        max_projected_bytes=max_bytes,
        local_only=not handle.store.supports_multiprocess_writes,
    )


def write_graph(
    handle: ArrayHandle,
    indexer: Indexer,
    value: Any,
    units: Units | None = None,
    fields: Fields | None = None,
) -> GraphSpec:
    """The graph that writes ``value`` (broadcast to ``indexer.shape``) at the selection,
    into ``fields`` only when given.

    ``units`` is ``group_by_unit(handle, indexer)`` when the caller has it already.
    """
    if units is None:
        units = group_by_unit(handle, indexer)
    tasks = plan_tasks(handle, units, "write")
    check_disjoint(handle, tasks)
    name = graph_name(
        "write",
        handle,
        indexer.array_shape,
        selection_token(indexer),
        value_token(value),
        repr(fields),
    )
    value_key = ("zarrdist-value-" + name.rsplit("-", 1)[-1],)
    value, shape = _compact(value)
    dsk: dict[Key, Any] = {value_key: DataNode(value_key, value)}
    keys: list[Key] = []
    for task in tasks:
        key = task_key(name, first_unit(task))
        dsk[key] = Task(key, _write, handle, task, TaskRef(value_key), fields, shape)
        keys.append(key)
    return _finish("write", name, dsk, keys, handle, check_budget(handle, 1, "write"))


def write(
    handle: ArrayHandle,
    indexer: Indexer,
    value: Any,
    *,
    lock: LockFactory | None = None,
    fields: Fields | None = None,
) -> None:
    """Write ``value`` at the selection (into ``fields`` only, when given): inline for
    one unit, else as a graph."""
    with gc_paused():
        units = group_by_unit(handle, indexer)
        if choose_engine(len(units)) == "inline":
            write_units(handle, units, value, lock=lock, fields=fields)
            return
        graph = write_graph(handle, indexer, value, units, fields)
        # The value is data of this process (see numpy_stays_local).
        local_only = graph.local_only or numpy_stays_local()
        run_graph(graph.dsk, graph.keys, num_tasks=graph.num_tasks, local_only=local_only)


def aligned_chunks(handle: ArrayHandle, region: tuple[slice, ...]) -> tuple[tuple[int, ...], ...]:
    """Chunks of a region whose block boundaries fall on unit boundaries."""
    out = []
    for sl, unit in zip(region, handle.metadata.chunk_shape, strict=True):
        edges = [sl.start]
        if type(unit) is int:
            nxt = (sl.start // unit + 1) * unit
            while nxt < sl.stop:
                edges.append(nxt)
                nxt += unit
        else:  # a rectilinear axis: the units' own boundaries
            nxt = axis_bounds(axis_chunk_of(sl.start, unit), unit, sl.stop)[1]
            while sl.start < nxt < sl.stop:
                edges.append(nxt)
                nxt = axis_bounds(axis_chunk_of(nxt, unit), unit, sl.stop)[1]
        edges.append(sl.stop)
        out.append(tuple(b - a for a, b in itertools.pairwise(edges)) or (0,))
    return tuple(out)


def _write_block(handle: ArrayHandle, region: tuple[slice, ...], block: Any) -> None:
    indexer = basic_indexer(region, handle.metadata.shape, handle.io_chunk_shape)
    # Blocks keep the dask array's dtype; the stored bytes must have the array's.
    value = np.asarray(block, dtype=handle.metadata.dtype).reshape(indexer.shape)
    write_units(handle, group_by_unit(handle, indexer), value, lock=lock_factory(handle.store))


def write_dask_graph(handle: ArrayHandle, region: tuple[slice, ...], darr: da.Array) -> GraphSpec:
    """The graph writing dask array ``darr`` (shaped like ``region``) into ``region``.

    ``region`` holds step-1 slices, one per array axis. ``darr`` is rechunked so
    that each of its blocks covers the part of exactly one unit inside the region.
    """
    shape = tuple(s.stop - s.start for s in region)
    darr = darr.reshape(shape) if darr.shape != shape else darr
    darr = darr.rechunk(aligned_chunks(handle, region))
    name = graph_name("write", handle, region, darr.name)
    dsk: dict[Key, Any] = dict(darr.__dask_graph__())
    keys: list[Key] = []
    starts = [np.cumsum((0, *c[:-1])) for c in darr.chunks]
    for index in np.ndindex(*darr.numblocks):
        sub = tuple(
            slice(r.start + int(starts[a][i]), r.start + int(starts[a][i]) + darr.chunks[a][i])
            for a, (r, i) in enumerate(zip(region, index, strict=True))
        )
        unit = tuple(
            axis_chunk_of(s.start, c) for s, c in zip(sub, handle.metadata.chunk_shape, strict=True)
        )
        key = task_key(name, unit)
        dsk[key] = Task(key, _write_block, handle, sub, TaskRef((darr.name, *index)))
        keys.append(key)
    return _finish("write", name, dsk, keys, handle, check_budget(handle, 1, "write"))


def unit_copy_graph(
    handle: ArrayHandle, region: tuple[slice, ...], darr: da.Array
) -> GraphSpec | None:
    """A copy graph for ``darr`` written over all of ``handle``, when one fits; else None.

    When ``darr`` is an unchanged ``to_dask()`` of a zarrdist array of the same
    dtype (``dest[...] = src``, ``from_dask(src.to_dask())``), each task reads the
    source units of a block of target units and writes them: a few large tasks
    and no blocks moved between workers, instead of one read and one write task
    per block. Plans that would need an intermediate array are left to the dask
    path, which keeps its data in memory rather than in the user's store.
    """
    source = source_handle(darr)
    shape = tuple(handle.metadata.shape)
    if (
        source is None
        or darr.shape != shape
        or any(sl.start != 0 or sl.stop != n for sl, n in zip(region, shape, strict=True))
        or source.metadata.dtype != handle.metadata.dtype
        or source.metadata.is_rectilinear
        or handle.metadata.is_rectilinear
    ):
        return None
    try:
        plan = plan_copy(source, handle)
    except MemoryBudgetError:
        return None
    if plan.intermediate_chunks is not None:
        return None
    return copy_graph(source, handle, plan=plan, publish=False)


def write_dask(handle: ArrayHandle, region: tuple[slice, ...], darr: da.Array) -> None:
    """Write dask array ``darr`` into ``region``, in parallel."""
    graph = unit_copy_graph(handle, region, darr) or write_dask_graph(handle, region, darr)
    run_graph(
        graph.dsk,
        graph.keys,
        num_tasks=max(graph.num_tasks, 2),
        local_only=graph.local_only or data_is_here(darr),
    )


def data_is_here(darr: da.Array) -> bool:
    """Whether writing ``darr`` stays on local threads: its graph holds its data.

    A dask array over NumPy data of this process (``da.from_array``) is written
    here: on a cluster every byte would go through the scheduler to the workers
    (see :func:`zarrdist.graphs.execute.numpy_stays_local`).
    """
    return numpy_stays_local() and 2 * embedded_bytes(darr.__dask_graph__()) >= darr.nbytes
