"""The one reader pool: process-wide threads that share read work.

Two readers use it. A direct-path read of many chunks hands pieces of its work to it
(:mod:`zarrdist.chunkio.pieces`), and :meth:`LocalStore.get_many` reads slices of its
keys on it when its reads wait on a device. The pool lives here, in the lowest layer
that needs it, so a store never imports the format core to find it.

A piece running on the pool calls ``get_many``; were ``get_many`` to submit to the
same pool and wait, a pool whose threads all wait on work queued behind them would
never finish. So work asked for from a pool thread runs in that thread
(:func:`run_all`, :func:`on_reader_thread`).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from zarrdist.stores._settings import setting

__all__ = ["DEVICE_READS", "POOL_NAME", "on_reader_thread", "reader_pool", "run_all"]

T = TypeVar("T")
R = TypeVar("R")

#: The prefix of the pool threads' names (``zarrdist-read_0``, ...).
POOL_NAME = "zarrdist-read"
#: Reads kept in flight when they wait on a device, whatever the core count: a
#: device's queue, not the CPU, is what they wait on.
DEVICE_READS = 8

_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()
_thread = threading.local()


def _mark_reader() -> None:
    _thread.reader = True


def on_reader_thread() -> bool:
    """Whether the calling thread is one of the pool's."""
    return getattr(_thread, "reader", False)


def reader_pool() -> ThreadPoolExecutor:
    """The process-wide pool, made on first use (never at import) and kept: making
    a pool per call cost more than reading small chunks.

    Its size is the larger of ``threading.max_workers`` (None: the core count) and
    :data:`DEVICE_READS`, read when it is made. A forked child drops the parent's
    pool, whose threads it does not have.
    """
    global _pool
    with _pool_lock:
        if _pool is None:
            workers = setting("threading.max_workers") or os.cpu_count() or 1
            _pool = ThreadPoolExecutor(
                max(int(workers), DEVICE_READS), POOL_NAME, initializer=_mark_reader
            )
            os.register_at_fork(after_in_child=_forget_pool)
        return _pool


def _forget_pool() -> None:
    global _pool
    _pool = None


def run_all(function: Callable[[T], R], parts: Iterable[T]) -> list[R]:
    """``function`` over ``parts`` on the pool, in order; in the calling thread when
    that is a pool thread, which must not wait on the pool it belongs to."""
    if on_reader_thread():
        return [function(part) for part in parts]
    return list(reader_pool().map(function, parts))
