"""Run a coroutine to completion from sync code (zarr-python's ``zarr.core.sync``).

zarrdist has no event-loop thread of its own (conventions item 8): ``sync`` runs the
coroutine on fsspec's I/O loop, the loop zarrdist already drives asynchronous file
systems and users' asynchronous stores on (``zarrdist.storage``).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Coroutine

__all__ = ["SyncError", "SyncMixin", "collect_async", "collect_aiterator", "sync"]

T = TypeVar("T")


class SyncError(Exception):
    """``sync`` was called where it cannot wait (on the loop it would run on)."""


def sync(coro: Coroutine[Any, Any, T], loop: Any = None, timeout: float | None = None) -> T:
    """The result of ``coro``, run on ``loop`` (fsspec's I/O loop by default).

    Raises
    ------
    SyncError
        If called from a coroutine running on that loop (it would wait on itself).
    TimeoutError
        If ``timeout`` seconds pass first.
    """
    from fsspec.asyn import get_loop
    from fsspec.asyn import sync as fsspec_sync

    loop = get_loop() if loop is None else loop
    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    if running is loop:
        coro.close()
        raise SyncError("Calling sync() from within a running loop")

    async def outcome() -> T:
        return await coro

    result: T = fsspec_sync(loop, outcome, timeout=timeout)
    return result


async def collect_async(data: AsyncIterator[T]) -> tuple[T, ...]:
    """Every item of an async iterator, as a tuple."""
    return tuple([item async for item in data])


def collect_aiterator(data: AsyncIterator[T]) -> tuple[T, ...]:
    """Every item of an async iterator, as a tuple (from sync code)."""
    return sync(collect_async(data))


class SyncMixin:
    """zarr-python's ``SyncMixin``: ``_sync``/``_sync_iter`` for classes whose methods
    wrap coroutines (run on fsspec's I/O loop, as :func:`sync`)."""

    def _sync(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return sync(coroutine)

    def _sync_iter(self, async_iterator: AsyncIterator[T]) -> list[T]:
        async def items() -> list[T]:
            return [item async for item in async_iterator]

        return sync(items())
