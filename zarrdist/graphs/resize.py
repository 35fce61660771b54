"""Resize and append: data tasks first, then the task that writes the new metadata.

Shrinking deletes the units that fall wholly outside the new shape and resets the
out-of-bounds part of the edge units to the fill value, so a later grow shows fill
values, not stale data. Growing and appending write data under the new shape and
publish the metadata last, so readers never see a shape with no data behind it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from dask.task_spec import List, Task, TaskRef
from dask.typing import Key

from zarrdist.chunking.grid import axis_bounds, axis_nchunks
from zarrdist.chunking.indexing import basic_indexer
from zarrdist.chunkio.units import (
    ArrayHandle,
    Units,
    delete_units_outside,
    group_by_unit,
    write_units,
)
from zarrdist.errors import SelectionError, ValueShapeError
from zarrdist.graphs.execute import run_graph
from zarrdist.graphs.locks import lock_factory
from zarrdist.graphs.plan import (
    GraphSpec,
    check_budget,
    check_disjoint,
    first_unit,
    graph_name,
    plan_tasks,
    task_key,
)
from zarrdist.graphs.write import write_dask_graph, write_graph

if TYPE_CHECKING:
    from zarrdist.chunking.indexing import ChunkProjection
    from zarrdist.metadata import ArrayMetadata

__all__ = ["append", "append_graph", "resize", "resize_graph"]


def _delete(handle: ArrayHandle, keys: Sequence[str]) -> None:
    for key in keys:
        handle.store.delete(key)


def _publish(handle: ArrayHandle, metadata: ArrayMetadata, *_: Any) -> None:
    for key, doc in metadata.to_documents().items():
        handle.store.set(handle.prefix + key, doc)


def _edge_regions(handle: ArrayHandle, new_shape: tuple[int, ...]) -> list[tuple[slice, ...]]:
    """Parts of surviving units that lie outside ``new_shape`` (to reset to fill)."""
    old = handle.metadata.shape
    units = handle.metadata.chunk_shape
    # Where the last unit that survives along each axis ends.
    kept = [
        axis_bounds(axis_nchunks(n, u) - 1, u, o)[1] if n else 0
        for o, n, u in zip(old, new_shape, units, strict=True)
    ]
    regions = []
    for axis, (o, n) in enumerate(zip(old, new_shape, strict=True)):
        if n < o and n < kept[axis]:
            region = [slice(0, k) for k in kept]
            region[axis] = slice(n, kept[axis])
            regions.append(tuple(region))
    return regions


def _edge_units(handle: ArrayHandle, new_shape: tuple[int, ...]) -> Units:
    """The edge regions' projections grouped by unit: one entry per unit, even where
    the regions of two shrinking axes meet in the same (corner) unit."""
    units: dict[tuple[int, ...], list[ChunkProjection]] = {}
    for region in _edge_regions(handle, new_shape):
        indexer = basic_indexer(region, handle.metadata.shape, handle.io_chunk_shape)
        for unit, projections in group_by_unit(handle, indexer).items():
            units.setdefault(unit, []).extend(projections)
    return units


def _reset(handle: ArrayHandle, units: Units) -> None:
    """Set the projections of ``units`` (edge regions, in old-shape coordinates) to fill.

    The value is made here, as a broadcast view: shipping it would cost its size.
    Every region's output selection lies inside the old shape, so one view serves all.
    """
    meta = handle.metadata
    fill = np.broadcast_to(np.asarray(meta.fill_value, meta.dtype), tuple(meta.shape))
    write_units(handle, units, fill, lock=lock_factory(handle.store))


def resize_graph(handle: ArrayHandle, new_shape: tuple[int, ...]) -> GraphSpec:
    """The graph that resizes the array to ``new_shape`` (no I/O when built)."""
    metadata = handle.metadata.with_shape(new_shape)
    name = graph_name("resize", handle, new_shape)
    dsk: dict[Key, Any] = {}
    before: list[Key] = []
    tasks = plan_tasks(handle, _edge_units(handle, new_shape), "write")
    check_disjoint(handle, tasks)
    for task in tasks:
        key = task_key(name, first_unit(task))
        dsk[key] = Task(key, _reset, handle, task)
        before.append(key)
    keys = delete_units_outside(handle, new_shape)
    batch = 256
    for i in range(0, len(keys), batch):
        key = (name, "delete", i // batch)
        dsk[key] = Task(key, _delete, handle, keys[i : i + batch])
        before.append(key)
    done = ("zarrdist-metadata-" + name.rsplit("-", 1)[-1],)
    dsk[done] = Task(done, _publish, handle, metadata, List(*(TaskRef(k) for k in before)))
    return GraphSpec(
        "resize",
        name,
        dsk,
        [done],
        len(before) + 1,
        check_budget(handle, 1 if tasks else 0, "write"),
        not handle.store.supports_multiprocess_writes,
    )


def resize(handle: ArrayHandle, new_shape: tuple[int, ...]) -> ArrayMetadata:
    """Resize; returns the metadata now stored."""
    graph = resize_graph(handle, new_shape)
    run_graph(graph.dsk, graph.keys, num_tasks=graph.num_tasks, local_only=graph.local_only)
    return handle.metadata.with_shape(new_shape)


def append_graph(handle: ArrayHandle, data: Any, axis: int) -> tuple[GraphSpec, ArrayMetadata]:
    """The graph appending ``data`` along ``axis``, and the metadata it publishes."""
    old = handle.metadata.shape
    ndim = len(old)
    if not -ndim <= axis < ndim:
        raise SelectionError(f"axis {axis} is out of range for an array of {ndim} dimensions")
    axis %= ndim
    shape = tuple(data.shape)
    if len(shape) != ndim or any(
        s != o for a, (s, o) in enumerate(zip(shape, old, strict=True)) if a != axis
    ):
        raise ValueShapeError(
            f"cannot append data of shape {shape} to an array of shape {old} along axis {axis}"
        )
    new_shape = tuple(
        o + (s if a == axis else 0) for a, (o, s) in enumerate(zip(old, shape, strict=True))
    )
    metadata = handle.metadata.with_shape(new_shape)
    grown = handle.with_metadata(metadata)
    region = tuple(
        slice(old[a], new_shape[a]) if a == axis else slice(0, old[a]) for a in range(ndim)
    )
    if hasattr(data, "__dask_graph__"):
        graph = write_dask_graph(grown, region, data)
    else:
        indexer = basic_indexer(region, new_shape, grown.io_chunk_shape)
        tasks = plan_tasks(grown, group_by_unit(grown, indexer), "write")
        check_disjoint(grown, tasks)
        graph = write_graph(grown, indexer, data)
    dsk = dict(graph.dsk)
    name = graph_name("append", handle, new_shape, graph.name)
    done = ("zarrdist-metadata-" + name.rsplit("-", 1)[-1],)
    dsk[done] = Task(done, _publish, grown, metadata, List(*(TaskRef(k) for k in graph.keys)))
    spec = GraphSpec(
        "append",
        name,
        dsk,
        [done],
        graph.num_tasks + 1,
        graph.max_projected_bytes,
        graph.local_only,
    )
    return spec, metadata


def append(handle: ArrayHandle, data: Any, axis: int = 0) -> ArrayMetadata:
    """Append; returns the metadata now stored."""
    graph, metadata = append_graph(handle, data, axis)
    run_graph(graph.dsk, graph.keys, num_tasks=graph.num_tasks, local_only=graph.local_only)
    return metadata
