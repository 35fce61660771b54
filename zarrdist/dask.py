"""dask.array's zarr functions over zarrdist: ``from_zarr``, ``to_zarr`` and ``store``.

``dask.array.from_zarr`` and ``dask.array.to_zarr`` check for zarr-python's Array and
otherwise open stores with zarr-python; the functions here take the same arguments
and do the same, with zarrdist arrays, and run as zarrdist's graphs: blocks are read
as whole units, and writes are rechunked onto the storage units (shards, else chunks)
so that no two tasks write one key, whatever the dask chunks. The swap is one line::

    from zarrdist.dask import from_zarr, to_zarr   # instead of dask.array's

``dask.array.store(x, z)`` with a zarrdist Array works as it is (block writes that
share a unit are serialised by zarrdist's locks); :func:`store` here writes through
the unit-aligned graph instead.
"""

from __future__ import annotations

import math
import os
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import dask
import dask.array as da
import numpy as np
from dask.delayed import Delayed
from dask.task_spec import List, Task, TaskRef
from dask.typing import Key

import zarrdist
from zarrdist.api.arrays.array import Array
from zarrdist.graphs.execute import run_graph
from zarrdist.graphs.write import data_is_here, write_dask_graph

__all__ = ["from_zarr", "store", "to_zarr"]


def from_zarr(
    url: Any,
    component: str | None = None,
    storage_options: Mapping[str, Any] | None = None,
    chunks: Any = None,
    name: str | None = None,
    inline_array: bool = False,
    **kwargs: Any,
) -> da.Array:
    """A dask array over a Zarr array, as :func:`dask.array.from_zarr`.

    Parameters
    ----------
    url
        A zarrdist Array, or where one is: a path, URL or any store zarrdist opens.
    component
        The array's path when ``url`` is a group.
    storage_options
        Options of the fsspec filesystem (remote URLs).
    chunks
        Block shape; the array's chunks by default, as in dask.
    name
        Name of the dask array; by default a hash of the arguments.
    inline_array
        Accepted for dask's signature: zarrdist's tasks always carry a small
        description of the array (store spec, path, metadata), never the array
        object, so both values give the same graph behaviour.
    **kwargs
        Passed to :func:`zarrdist.open_array`.
    """
    del inline_array  # see the docstring
    if isinstance(url, Array):
        z = url
    else:
        if isinstance(url, os.PathLike):
            url = os.fspath(url)
        z = zarrdist.open_array(url, path=component, storage_options=storage_options, **kwargs)
    chunks = chunks if chunks is not None else z.chunks
    out = z.to_dask(chunks)
    if name is None:
        return out
    return _renamed(out, name)


def _renamed(arr: da.Array, name: str) -> da.Array:
    """``arr`` (one graph layer of block tasks) with its blocks keyed under ``name``."""
    graph: dict[Any, Any] = dict(arr.__dask_graph__())
    subs: dict[Any, Any] = {
        k: (name, *k[1:]) for k in graph if isinstance(k, tuple) and k[0] == arr.name
    }
    dsk = {subs.get(k, k): node.substitute(subs, key=subs.get(k, k)) for k, node in graph.items()}
    return da.Array(dsk, name, arr.chunks, dtype=arr.dtype, meta=arr._meta)


def _region(target: Array, region: Sequence[slice] | None) -> tuple[slice, ...]:
    """``region`` (None: the whole array) as one step-1 slice with bounds per axis."""
    if region is None:
        return tuple(slice(0, n) for n in target.shape)
    if len(region) != target.ndim:
        raise ValueError(
            f"region {region!r} has {len(region)} axes; array {target.path!r} has {target.ndim}"
        )
    out = []
    for sl, n in zip(region, target.shape, strict=True):
        if not isinstance(sl, slice):
            raise TypeError(f"region {region!r}: each axis must be a slice, not {sl!r}")
        start, stop, step = sl.indices(n)
        if step != 1:
            raise ValueError(f"region {region!r}: slices must have step 1")
        out.append(slice(start, max(start, stop)))
    return tuple(out)


def _all_done(*_: Any) -> None:
    return None


def _stored_block(_: Any, target: Array, region: tuple[slice, ...]) -> Any:
    return target[region]


def _stored(
    target: Array, region: tuple[slice, ...], chunks: tuple[tuple[int, ...], ...], done: str
) -> tuple[dict[Key, Any], str]:
    """Block tasks that read ``region`` of ``target`` back once ``done`` has run."""
    name = "zarrdist-stored-" + dask.base.tokenize(done, region, chunks)
    starts = [np.cumsum((r.start, *c[:-1])) for r, c in zip(region, chunks, strict=True)]
    dsk: dict[Key, Any] = {}
    for index in np.ndindex(*[len(c) for c in chunks]):
        block = tuple(
            slice(int(starts[a][i]), int(starts[a][i]) + chunks[a][i]) for a, i in enumerate(index)
        )
        key = (name, *index)
        dsk[key] = Task(key, _stored_block, TaskRef(done), target, block)
    return dsk, name


def store(
    sources: da.Array | Sequence[da.Array],
    targets: Array | Sequence[Array],
    *,
    regions: Any = None,
    compute: bool = True,
    return_stored: bool = False,
    **compute_kwargs: Any,
) -> Any:
    """Write dask arrays into zarrdist arrays as one graph, as :func:`dask.array.store`.

    Each source is rechunked onto its target's storage units inside ``regions``
    (None: the whole target), so any dask chunking writes the same bytes and no
    two tasks write one key.

    Returns
    -------
    None (``compute=True``), a Delayed that writes when computed (``compute=False``),
    or with ``return_stored`` the stored values as dask arrays (one, or a tuple when
    ``sources`` is a sequence): in memory after a computed write, read back from the
    targets after the write otherwise.
    """
    single = isinstance(sources, da.Array)
    srcs: list[da.Array] = [sources] if isinstance(sources, da.Array) else list(sources)
    tgts: list[Array] = [targets] if isinstance(targets, Array) else list(targets)
    if len(srcs) != len(tgts):
        raise ValueError(f"{len(srcs)} sources and {len(tgts)} targets: they must pair up")
    if regions is None or (regions and isinstance(regions[0], slice)):
        regions = [regions] * len(srcs)
    dsk: dict[Key, Any] = {}
    keys: list[Any] = []
    local_only, tasks = False, 0
    bounds = []
    for source, target, region in zip(srcs, tgts, regions, strict=True):
        bound = _region(target, region)
        graph = write_dask_graph(target._handle, bound, source)
        dsk.update(graph.dsk)
        keys.extend(graph.keys)
        local_only |= graph.local_only or data_is_here(source)
        tasks += graph.num_tasks
        bounds.append(bound)
    done = "zarrdist-store-" + dask.base.tokenize(keys)
    dsk[done] = Task(done, _all_done, List(*(TaskRef(k) for k in keys)))
    if compute:
        if compute_kwargs:
            dask.compute(Delayed(done, dsk), **compute_kwargs)
        else:
            run_graph(dsk, [done], num_tasks=max(tasks, 2), local_only=local_only)
        if not return_stored:
            return None
        stored = tuple(s.persist(**compute_kwargs) for s in srcs)
    elif not return_stored:
        return Delayed(done, dsk)
    else:
        out = []
        for source, target, bound in zip(srcs, tgts, bounds, strict=True):
            reads, name = _stored(target, bound, source.chunks, done)
            out.append(da.Array({**dsk, **reads}, name, source.chunks, dtype=target.dtype))
        stored = tuple(out)
    return stored[0] if single else stored


def _creation_kwargs(kwargs: dict[str, Any], mode: str) -> tuple[dict[str, Any], str]:
    """Array-creation keywords, and the mode (dask's deprecated ``mode``/``readonly``
    keywords warn as in dask)."""
    io_args = {k: kwargs.pop(k) for k in ("mode", "readonly") if k in kwargs}
    if io_args:
        warnings.warn(
            "Passing opening/reading zarr store related arguments like 'mode' via **kwargs is "
            "deprecated. Please use the 'mode' parameter instead. **kwargs are only for array "
            "related keyword arguments.",
            FutureWarning,
            stacklevel=3,
        )
        mode = io_args.get("mode") or mode
    return kwargs, mode


def to_zarr(
    arr: da.Array,
    url: Any,
    component: str | None = None,
    storage_options: Mapping[str, Any] | None = None,
    region: Any = None,
    compute: bool = True,
    return_stored: bool = False,
    mode: str = "a",
    **kwargs: Any,
) -> Any:
    """Save a dask array in Zarr format, as :func:`dask.array.to_zarr`.

    Parameters
    ----------
    arr
        The data.
    url
        A zarrdist Array to write into (``region`` inside it, or all of it), or
        where to create one: a path, URL or store.
    component
        The new array's path inside ``url``.
    storage_options
        Options of the fsspec filesystem (remote URLs).
    region
        Slices of an existing Array (``url`` must be one) to write.
    compute, return_stored
        As in :func:`dask.array.store`; see :func:`store`.
    mode
        ``"w"`` replaces an existing array; ``"a"``, ``"w-"``, ``"r+"`` refuse to
        (as dask's, through array creation). ``"r"`` is refused.
    **kwargs
        Passed to :func:`zarrdist.create_array` (``chunks``, ``shards``,
        ``compressors``, ``fill_value``, ``zarr_format``, ``overwrite``, ...); shape,
        chunks and dtype default to the dask array's.

    Raises
    ------
    ValueError
        For unknown chunk sizes, ``region`` without an existing Array, ``mode="r"``,
        or both ``component`` and ``name``.
    """
    if any(math.isnan(n) for n in arr.shape):
        raise ValueError(
            "Saving a dask array with unknown chunk sizes is not currently supported by Zarr; "
            "call x.compute_chunk_sizes() first"
        )
    if component is not None and "name" in kwargs:
        raise ValueError("Cannot specify both 'component' and 'name': use one")
    kwargs, mode = _creation_kwargs(dict(kwargs), mode)
    if isinstance(url, Array):
        return store(arr, url, regions=region, compute=compute, return_stored=return_stored)
    if region is not None:
        raise ValueError("Cannot use `region` keyword when url is not a zarrdist Array.")
    if mode == "r":
        raise ValueError("Cannot use mode `r` (read-only) when writing to zarr.")
    kwargs.setdefault("shape", arr.shape)
    # As dask: the largest block along each axis (irregular chunks are rechunked to it
    # there); empty arrays have 0-size blocks, which Zarr refuses.
    kwargs.setdefault("chunks", tuple(max(max(c, default=0), 1) for c in arr.chunks))
    kwargs.setdefault("dtype", arr.dtype)
    name = component or kwargs.pop("name", None)
    if mode == "w":
        kwargs["overwrite"] = True
    if isinstance(url, os.PathLike):
        url = os.fspath(url)
    z = zarrdist.create_array(url, name=name, storage_options=storage_options, **kwargs)
    return store(arr, z, compute=compute, return_stored=return_stored)
