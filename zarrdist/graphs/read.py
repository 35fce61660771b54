"""Read graphs: a selection, or the whole array as a dask array.

Locally, tasks write straight into one preallocated output (threads share it).
On a cluster, each task returns its pieces and the client places them.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from dask.task_spec import DataNode, List, Task, TaskRef
from dask.typing import Key

from zarrdist.chunking.indexing import basic_indexer
from zarrdist.chunkio.read import read_selection, read_units
from zarrdist.chunkio.units import ArrayHandle, Units, group_by_unit
from zarrdist.graphs.execute import choose_engine, gc_paused, numpy_stays_local, run_graph
from zarrdist.graphs.plan import (
    GraphSpec,
    check_budget,
    first_unit,
    graph_name,
    plan_tasks,
    selection_token,
    task_key,
)

if TYPE_CHECKING:
    import dask.array as da

    from zarrdist.chunking.indexing import Indexer

__all__ = ["as_dask", "read", "read_graph", "source_handle", "to_dask"]


class _Pieces:
    """Stands in for the output array on a worker: records what goes where."""

    def __init__(self) -> None:
        self.items: list[tuple[Any, Any]] = []

    def __setitem__(self, selection: Any, value: Any) -> None:
        self.items.append((selection, np.array(value, copy=True) if np.ndim(value) else value))


def _fill(handle: ArrayHandle, units: Units, out: Any) -> None:
    read_units(handle, units, out)


def _collect(handle: ArrayHandle, units: Units) -> list[tuple[Any, Any]]:
    pieces = _Pieces()
    read_units(handle, units, pieces)
    return pieces.items


def _done(*_: Any) -> None:
    return None


def read_graph(
    handle: ArrayHandle, indexer: Indexer, out: Any | None, units: Units | None = None
) -> GraphSpec:
    """The graph of a selection read.

    With ``out`` (a preallocated array of ``indexer.shape``) tasks fill it in place
    and the one output key is a barrier; without it every task returns its pieces.
    ``units`` is ``group_by_unit(handle, indexer)`` when the caller has it already.
    """
    if units is None:
        units = group_by_unit(handle, indexer)
    tasks = plan_tasks(handle, units, "read")
    name = graph_name("read", handle, indexer.array_shape, selection_token(indexer))
    dsk: dict[Key, Any] = {}
    keys: list[Key] = []
    out_node = None
    if out is not None:
        out_key = ("zarrdist-out-" + name.rsplit("-", 1)[-1],)
        out_node = DataNode(out_key, out)
        dsk[out_key] = out_node
    for task in tasks:
        key = task_key(name, first_unit(task))
        if out is None:
            dsk[key] = Task(key, _collect, handle, task)
        else:
            dsk[key] = Task(key, _fill, handle, task, TaskRef(out_node.key))  # type: ignore[union-attr]
        keys.append(key)
    if out is not None:
        done = ("zarrdist-done-" + name.rsplit("-", 1)[-1],)
        dsk[done] = Task(done, _done, List(*(TaskRef(k) for k in keys)))
        keys = [done]
    return GraphSpec(
        op="read",
        name=name,
        dsk=dsk,
        keys=keys,
        num_tasks=len(tasks),
        max_projected_bytes=check_budget(handle, max((len(t) for t in tasks), default=0), "read"),
        local_only=not handle.store.supports_multiprocess_writes,
    )


def read(handle: ArrayHandle, indexer: Indexer, order: str = "C", out: Any = None) -> Any:
    """Run a selection read on the scheduler that fits and return the output array
    (``out`` when given: an array of the selection's shape and the array's dtype)."""
    with gc_paused():
        return _read(handle, indexer, order, out)


def _read(handle: ArrayHandle, indexer: Indexer, order: str, given: Any) -> Any:
    # The output is a NumPy array of this process (see numpy_stays_local).
    local_only = not handle.store.supports_multiprocess_writes or numpy_stays_local()
    units = group_by_unit(handle, indexer)
    engine = choose_engine(len(units), local_only=local_only)
    out = given
    if out is None:
        out = handle.prototype.empty(indexer.shape, handle.metadata.dtype, order=order)
    if engine == "inline":
        if units:
            read_units(handle, units, out)
        return out
    if engine != "distributed":
        graph = read_graph(handle, indexer, out, units)
        run_graph(graph.dsk, graph.keys, num_tasks=graph.num_tasks, local_only=local_only)
        return out
    graph = read_graph(handle, indexer, None, units)
    for pieces in run_graph(graph.dsk, graph.keys, num_tasks=graph.num_tasks):
        for selection, value in pieces:
            out[selection] = value
    return out


def _read_block(handle: ArrayHandle, region: tuple[slice, ...]) -> Any:
    indexer = basic_indexer(region, handle.metadata.shape, handle.io_chunk_shape)
    return read_selection(handle, indexer)


def to_dask(handle: ArrayHandle, chunks: Any = None) -> da.Array:
    """The array as a dask array whose blocks are whole units (or the given chunks).

    Blocks default to the stored units (shards, else chunks). Each block is one
    task that reads its region through :func:`zarrdist.chunkio.read.read_selection`.
    Its ``compute()`` on a distributed Client brings the blocks straight to the
    client (:mod:`zarrdist.graphs.gather`).
    """
    # A million blocks are millions of young objects that all survive: without the
    # pause the collector would scan the growing graph again and again.
    with gc_paused():
        return _to_dask(handle, chunks)


def _to_dask(handle: ArrayHandle, chunks: Any) -> da.Array:
    from dask.array.core import normalize_chunks

    from zarrdist.graphs.gather import BlockReads

    meta = handle.metadata
    shape = tuple(meta.shape)
    if meta.is_rectilinear:
        # The units' real lengths: dask takes explicit per-axis blocks as they are.
        default: Any = tuple(sizes or (0,) for sizes in meta.write_chunk_sizes)
    else:
        default = tuple(min(c, max(s, 1)) for c, s in zip(meta.chunk_shape, shape, strict=True))
    normalized = normalize_chunks(default if chunks is None else chunks, shape, dtype=meta.dtype)
    name = graph_name("read", handle, "to_dask", normalized)
    # Python slices per axis, built once: a million blocks are a million tasks, and
    # per-block arithmetic on NumPy scalars would cost more than the tasks themselves.
    axes = [list(enumerate(_slices(sizes))) for sizes in normalized]
    dsk: dict[Key, Any] = {}
    for cell in itertools.product(*axes):
        key = task_key(name, [i for i, _ in cell])
        dsk[key] = Task(key, _read_block, handle, tuple(s for _, s in cell), _data_producer=True)
    check_budget(handle, 1, "read")
    empty = handle.prototype.empty((0,) * len(shape), meta.dtype)
    return BlockReads(dsk, name, normalized, dtype=meta.dtype, meta=empty)


def _slices(sizes: Sequence[int]) -> list[slice]:
    """Consecutive slices of the given sizes, from 0."""
    out, start = [], 0
    for size in sizes:
        out.append(slice(start, start + int(size)))
        start += int(size)
    return out


def source_handle(darr: da.Array) -> ArrayHandle | None:
    """The array that ``darr`` is an unchanged :func:`to_dask` of, or None.

    Unchanged means one graph layer of this module's block reads over the whole
    array: a writer may then copy storage unit to storage unit instead of running
    the read graph and shipping its blocks.
    """
    graph = darr.__dask_graph__()
    layers = getattr(graph, "layers", None)
    if layers is None or len(layers) != 1 or darr.name not in layers:
        return None
    first = layers[darr.name].get((darr.name, *(0,) * darr.ndim))
    if not isinstance(first, Task) or first.func is not _read_block:
        return None
    handle = first.args[0]
    if not isinstance(handle, ArrayHandle) or tuple(handle.metadata.shape) != darr.shape:
        return None
    return handle


def as_dask(source: Any) -> da.Array:
    """A dask array over a zarrdist Array (its :meth:`to_dask`), a zarr-python array, or
    a dask array (as it is)."""
    import dask.array as da

    if isinstance(source, da.Array):
        return source
    to_dask = getattr(source, "to_dask", None)
    if callable(to_dask):
        own: da.Array = to_dask()
        return own
    chunks = getattr(source, "shards", None) or getattr(source, "chunks", None) or "auto"
    wrapped: da.Array = da.from_array(source, chunks=chunks, lock=False, asarray=True)
    return wrapped
