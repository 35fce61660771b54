"""``zarrdist.api.asynchronous``: every function of :mod:`zarrdist.api` as a coroutine.

As zarr-python's module of the same name: ``await open_array(...)`` returns an
:class:`~zarrdist.api.aio.AsyncArray`, ``await open_group(...)`` an
:class:`~zarrdist.api.aio.AsyncGroup`. Each coroutine runs the synchronous function of the
same name (same signature, same planning) in a worker thread; ``create_hierarchy`` is
an async generator, as in zarr-python.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any

import zarrdist
from zarrdist.api.aio import AsyncArray, AsyncGroup
from zarrdist.api.aio._face import run

__all__ = [
    "AsyncArray", "AsyncGroup", "array", "consolidate_metadata", "copy", "copy_all",
    "copy_store", "create", "create_array", "create_group", "create_hierarchy", "empty",
    "empty_like", "from_array", "full", "full_like", "group", "load", "ones", "ones_like",
    "open", "open_array", "open_consolidated", "open_group", "open_like", "save",
    "save_array", "save_group", "tree", "zeros", "zeros_like",
]  # fmt: skip


def _coroutine(sync: Callable[..., Any]) -> Callable[..., Coroutine[Any, Any, Any]]:
    @functools.wraps(sync)
    async def call(*args: Any, **kwargs: Any) -> Any:
        return await run(sync, *args, **kwargs)

    call.__doc__ = f"Awaitable :func:`zarrdist.{sync.__name__}` (run in a worker thread)."
    return call


async def create_hierarchy(
    *, store: Any, nodes: dict[str, Any], overwrite: bool = False
) -> AsyncIterator[tuple[str, AsyncArray | AsyncGroup]]:
    """Create every node of ``nodes`` as one graph, then yield ``(path, node)`` for each."""
    created = await run(
        lambda: list(zarrdist.create_hierarchy(store=store, nodes=nodes, overwrite=overwrite))
    )
    for item in created:
        yield item


# One line per function: each is the synchronous function, awaited off the loop.
array = _coroutine(zarrdist.array)
consolidate_metadata = _coroutine(zarrdist.consolidate_metadata)
copy = _coroutine(zarrdist.copy)
copy_all = _coroutine(zarrdist.copy_all)
copy_store = _coroutine(zarrdist.copy_store)
create = _coroutine(zarrdist.create)
create_array = _coroutine(zarrdist.create_array)
create_group = _coroutine(zarrdist.create_group)
empty = _coroutine(zarrdist.empty)
empty_like = _coroutine(zarrdist.empty_like)
from_array = _coroutine(zarrdist.from_array)
full = _coroutine(zarrdist.full)
full_like = _coroutine(zarrdist.full_like)
group = _coroutine(zarrdist.group)
load = _coroutine(zarrdist.load)
ones = _coroutine(zarrdist.ones)
ones_like = _coroutine(zarrdist.ones_like)
open = _coroutine(zarrdist.open)
open_array = _coroutine(zarrdist.open_array)
open_consolidated = _coroutine(zarrdist.open_consolidated)
open_group = _coroutine(zarrdist.open_group)
open_like = _coroutine(zarrdist.open_like)
save = _coroutine(zarrdist.save)
save_array = _coroutine(zarrdist.save_array)
save_group = _coroutine(zarrdist.save_group)
tree = _coroutine(zarrdist.tree)
zeros = _coroutine(zarrdist.zeros)
zeros_like = _coroutine(zarrdist.zeros_like)
