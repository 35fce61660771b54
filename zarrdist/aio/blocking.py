"""Driving the async face from synchronous code: zarr-python's ``zarr.core.sync``
helpers (``sync``, ``collect_aiterator``), which user code and zarr-python's tests call.

zarr-python keeps one event loop running in a background thread for this. zarrdist
keeps none (its async face runs synchronous code in worker threads, so no state is
bound to a loop): a coroutine runs on a fresh loop in the calling thread, or, when
that thread is already running a loop (``sync`` called from a coroutine), on a fresh
loop in a short-lived worker thread, so the caller's loop is never re-entered.

>>> async def double(x):
...     return 2 * x
>>> sync(double(21))
42
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import AsyncIterator, Coroutine
from typing import Any, TypeVar

__all__ = ["collect_aiterator", "collect_aiterator_async", "sync"]

T = TypeVar("T")


def sync(coro: Coroutine[Any, Any, T], loop: Any = None, timeout: float | None = None) -> T:
    """Run ``coro`` to completion and return its result (or raise its exception).

    ``loop`` is accepted for zarr-python's signature and ignored (zarrdist keeps no
    loop of its own). With ``timeout`` (seconds), a :class:`TimeoutError` is raised
    when it runs longer; the coroutine is then cancelled.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(asyncio.wait_for(coro, timeout))
    with concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="zarrdist-sync") as pool:
        return pool.submit(asyncio.run, asyncio.wait_for(coro, timeout)).result()


async def collect_aiterator_async(data: AsyncIterator[T]) -> tuple[T, ...]:
    """Every item of an async iterator, as a tuple (zarr-python's ``_collect_aiterator``)."""
    return tuple([item async for item in data])


def collect_aiterator(data: AsyncIterator[T]) -> tuple[T, ...]:
    """:func:`collect_aiterator_async` run to completion with :func:`sync`."""
    return sync(collect_aiterator_async(data))
