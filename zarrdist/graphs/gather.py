"""Bringing a whole-array read back from a cluster: blocks straight to the client.

``to_dask().compute()`` on a distributed Client would, through dask's own
``compute``, run one more task on a worker that fetches every block, joins them
and sends the joined array to the client: the data is then held four times over
(the blocks, their copies on the joining worker, the joined array, the client's
copy; docs/performance.md, "W6: bringing a read back from a cluster"). The
dask array :func:`zarrdist.graphs.read.to_dask` returns computes itself on a
Client differently: the client asks for the block reads only, fetches finished
blocks directly from the workers in batches, places each into one preallocated
output and releases it, so a block is held at most twice (on its worker, then in
the output), and no task joins blocks.

Where it runs does not change: the Client dask would use runs the reads; only
how the result comes back does. Anything else (another scheduler, an array that
is not NumPy, a derived dask array) computes as dask does.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Any

import dask.array as da
import numpy as np
from dask.typing import Key

from zarrdist.graphs.execute import fresh_names

__all__ = ["BlockReads", "block_slices", "gather_blocks", "gathering_client"]

#: Bytes of blocks fetched by one gather: the client holds at most this much
#: besides the output (docs/performance.md, "W6: bringing a read back from a
#: cluster").
_GATHER_BYTES = 8 << 20
#: Bytes of block reads submitted and not yet placed: what the workers may hold.
_WINDOW_BYTES = 64 << 20


class BlockReads(da.Array):
    """A dask array of block reads that, on a distributed Client, computes by
    gathering its blocks to the client (see the module docstring).

    Every dask operation on it returns a plain :class:`dask.array.Array`; so does
    pickling it. ``dask.compute(x)`` (the function) computes as dask does.
    """

    def compute(self, **kwargs: Any) -> Any:
        """Compute this array; on a distributed Client, block by block into one
        NumPy array in this process (see :func:`gather_blocks`)."""
        client = gathering_client(self, kwargs)
        if client is None:
            return super().compute(**kwargs)
        return gather_blocks(self, client)


def gathering_client(x: da.Array, kwargs: dict[str, Any]) -> Any | None:
    """The distributed Client ``x.compute(**kwargs)`` would run on, when its blocks
    can come back one by one: NumPy blocks, at least one element, no keywords
    other than ``scheduler`` and ``optimize_graph``. Otherwise None."""
    import sys

    if "distributed" not in sys.modules or set(kwargs) - {"scheduler", "optimize_graph"}:
        return None
    if type(x._meta) is not np.ndarray or x.size == 0 or x.ndim == 0:
        return None
    from dask.base import get_scheduler
    from distributed import Client

    schedule = get_scheduler(scheduler=kwargs.get("scheduler"), collections=[x])
    client = getattr(schedule, "__self__", None)
    if not isinstance(client, Client) or client.asynchronous:
        return None
    return client


def block_slices(chunks: Sequence[Sequence[int]]) -> list[list[slice]]:
    """Per axis, the slice of the whole array each block index covers."""
    per_axis = []
    for sizes in chunks:
        ends = list(itertools.accumulate(int(s) for s in sizes))
        per_axis.append([slice(end - int(s), end) for s, end in zip(sizes, ends, strict=True)])
    return per_axis


def gather_blocks(x: da.Array, client: Any) -> np.ndarray[Any, Any]:
    """Run ``x``'s block tasks on ``client`` and place each finished block into one
    NumPy array here, fetching blocks directly from the workers in batches and
    releasing each batch once placed.

    The graph sent is the blocks' own (fresh names, so a cluster still holding an
    earlier run's results reads again); no task depends on another. Reads are
    submitted as a window that moves as blocks are placed: the workers hold at most
    about ``_WINDOW_BYTES`` of finished blocks (two blocks per worker thread at
    least), however far the client falls behind.
    """
    from dask.core import flatten
    from distributed import as_completed

    keys: list[Key] = list(flatten(x.__dask_keys__()))
    graph, fresh_keys = fresh_names(dict(x.__dask_graph__()), keys)
    where = block_slices(x.chunks)
    position = {
        fresh: tuple(where[axis][i] for axis, i in enumerate(key[1:]))  # type: ignore[index]
        for fresh, key in zip(fresh_keys, keys, strict=True)
    }
    out = np.empty(x.shape, dtype=x.dtype)
    block_bytes = max(1, x.dtype.itemsize * _largest_block(x.chunks))
    per_gather = max(1, _GATHER_BYTES // block_bytes)
    threads = sum(client.nthreads().values())
    window = max(2 * threads, _WINDOW_BYTES // block_bytes, 1)
    submitted = 0

    def submit(count: int) -> list[Any]:
        nonlocal submitted
        part = fresh_keys[submitted : submitted + count]
        submitted += len(part)
        if not part:
            return []
        futures: list[Any] = client.get({k: graph[k] for k in part}, part, sync=False)
        return futures

    pending = as_completed(submit(window))
    for finished in pending.batches():
        pending.update(submit(len(finished)))  # the window moves on before placing
        for start in range(0, len(finished), per_gather):
            batch = finished[start : start + per_gather]
            for future, block in zip(batch, client.gather(batch, direct=True), strict=True):
                out[position[future.key]] = block
            del batch, future, block
        del finished  # released: the workers drop these blocks
    return out


def _largest_block(chunks: Sequence[Sequence[int]]) -> int:
    """Elements of the largest block."""
    return math.prod(max((int(s) for s in sizes), default=0) for sizes in chunks)
