"""``compute=False``: bulk writes and copies as dask objects to compute or persist later.

The graphs are the ones that ``compute=True`` runs at once (one task per storage
unit, or per block of units for copies), handed to dask as a
:class:`dask.delayed.Delayed` instead. So they work the dask way: ``.compute()``
(local threads, with :class:`dask.diagnostics.ProgressBar` showing progress),
``dask.compute`` of several at once, or ``client.compute``/``client.persist`` on a
cluster with :func:`distributed.progress` and :func:`distributed.wait`.

Array metadata is written when the dask object is made (as ``dask.array.to_zarr``
does); the data when it is computed. Each dask object gets task names of its own,
so that computing two of them on one cluster never confuses their results.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from dask.delayed import Delayed
from dask.task_spec import List, Task, TaskRef
from dask.typing import Key

from zarrdist.api.arrays.array import Array
from zarrdist.graphs.execute import fresh_names
from zarrdist.graphs.plan import GraphSpec
from zarrdist.graphs.write import unit_copy_graph, write_dask_graph

__all__ = ["deferred", "deferred_write", "write_graph_for"]


def _result(_: Any, value: Any) -> Any:
    return value


def deferred(graphs: Sequence[GraphSpec], result: Any = None) -> Delayed:
    """One Delayed running ``graphs`` together; it computes to ``result``."""
    dsk: dict[Key, Any] = {}
    keys: list[Key] = []
    for graph in graphs:
        dsk.update(graph.dsk)
        keys.extend(graph.keys)
    dsk, keys = fresh_names(dsk, keys)
    name = f"zarrdist-deferred-{uuid.uuid4().hex}"
    dsk[name] = Task(name, _result, List(*(TaskRef(k) for k in keys)), result)
    return Delayed(name, dsk)


def write_graph_for(target: Array, value: Any) -> GraphSpec:
    """The graph writing ``value`` (a dask or NumPy-like array shaped like ``target``)
    into all of ``target``.

    Raises
    ------
    ValueError
        If ``value``'s shape is not the target's.
    """
    import dask.array as da

    if isinstance(value, Array):
        value = value.to_dask()
    if not isinstance(value, da.Array):
        value = da.from_array(value, chunks=target.chunks)
    if tuple(value.shape) != tuple(target.shape):
        raise ValueError(
            f"cannot write a value of shape {tuple(value.shape)} into array "
            f"{target.name!r} of shape {tuple(target.shape)}"
        )
    handle = target._handle
    region = tuple(slice(0, n) for n in target.shape)
    return unit_copy_graph(handle, region, value) or write_dask_graph(handle, region, value)


def deferred_write(target: Array, value: Any) -> Delayed:
    """A Delayed writing ``value`` into all of ``target`` (see :func:`write_graph_for`)."""
    return deferred([write_graph_for(target, value)] if target.size else [])
