"""Locks around read-modify-writes of shared storage units, for writes outside one graph.

Inside one graph every unit has one writing task, so graphs take no locks. Writes
from separate calls (threads calling ``z[a:b] = v``, ``dask.array.store``, other
processes) that share a unit are serialised per store key: a threading lock in
this process, plus a file lock for local stores (other processes on this machine),
or a ``distributed.Lock`` when running inside a task on a cluster.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from typing import Any

from zarrdist.stores import Store

__all__ = ["lock_factory"]

# A fixed pool of locks, striped by (store, key): one lock per key ever written would
# grow without bound in a long-lived process. A writer holds one unit's lock at a
# time, so two keys sharing a stripe only wait for each other; they cannot deadlock.
_STRIPES = tuple(threading.Lock() for _ in range(1024))


def _thread_lock(store_url: str, key: str) -> threading.Lock:
    return _STRIPES[hash((store_url, key)) % len(_STRIPES)]


def _distributed_lock(name: str) -> AbstractContextManager[Any] | None:
    if "distributed" not in sys.modules:
        return None
    from distributed import Lock, get_worker

    try:
        get_worker()
    except ValueError:
        return None
    lock: AbstractContextManager[Any] = Lock(name)
    return lock


def lock_factory(store: Store) -> Any:
    """A ``lock(key)`` factory for direct-path writes to ``store``."""
    url = store.url
    file_lock = getattr(store, "lock", None)

    @contextmanager
    def lock(key: str) -> Iterator[None]:
        with ExitStack() as stack:
            stack.enter_context(_thread_lock(url, key))
            remote = _distributed_lock(f"zarrdist-{url}/{key}")
            if remote is not None:
                stack.enter_context(remote)
            elif callable(file_lock):
                stack.enter_context(file_lock(key))
            yield

    return lock
