"""Locks around read-modify-writes of shared storage units and of metadata.

Inside one graph every unit has one writing task, so graphs take no locks. Writes
from separate calls (threads calling ``z[a:b] = v``, ``dask.array.store``, other
processes) that share a unit are serialised per store key: a threading lock in
this process, plus the store's file lock for local stores (other processes and
nodes sharing the file system, whatever path or ``TMPDIR`` they use), plus a
``distributed.Lock`` when running inside a task on a cluster (which also covers
stores without file locks).

Metadata updates (append, resize, attribute writes) hold :func:`metadata_lock`
exclusively around their read-modify-write of the node's document; element writes
hold it shared, so a resize never runs between a write's check of the shape and
its chunks landing (see docs/reliability.md).
"""

from __future__ import annotations

import sys
import threading
import weakref
from collections.abc import Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from typing import Any

from zarrdist.config import config
from zarrdist.errors import StoreError
from zarrdist.stores import Store

__all__ = ["lock_factory", "metadata_lock"]

# A fixed pool of locks, striped by (store, key): one lock per key ever written would
# grow without bound in a long-lived process. A writer holds one unit's lock at a
# time, so two keys sharing a stripe only wait for each other; they cannot deadlock.
_STRIPES = tuple(threading.Lock() for _ in range(1024))


def _identity(store: Store) -> str:
    """One name for every alias of the store's storage (local stores: real paths)."""
    ident = getattr(store, "lock_identity", None)
    if ident is None:
        return store.url
    return "/".join(p for p in ident if p)


def _thread_lock(identity: str, key: str) -> threading.Lock:
    return _STRIPES[hash((identity, key)) % len(_STRIPES)]


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


@contextmanager
def _held(lock: threading.Lock, store: Store, key: str) -> Iterator[None]:
    """Hold an in-process lock, waiting at most ``io.lock_timeout`` like the file lock."""
    timeout = float(config.get("io.lock_timeout"))
    if not lock.acquire(timeout=timeout):
        raise StoreError(
            f"lock not acquired within {timeout} s: another thread of this process "
            "holds it (io.lock_timeout sets the wait)",
            store=store.url,
            key=key,
        )
    try:
        yield
    finally:
        lock.release()


def lock_factory(store: Store) -> Any:
    """A ``lock(key)`` factory for direct-path writes to ``store``."""
    identity = _identity(store)
    file_lock = getattr(store, "lock", None)

    @contextmanager
    def lock(key: str) -> Iterator[None]:
        with ExitStack() as stack:
            stack.enter_context(_held(_thread_lock(identity, key), store, key))
            # Always in this order (cluster lock, then file lock): no deadlock.
            remote = _distributed_lock(f"zarrdist-{identity}/{key}")
            if remote is not None:
                stack.enter_context(remote)
            if callable(file_lock):
                stack.enter_context(file_lock(key))
            yield

    return lock


class _SharedExclusive:
    """A readers-writer lock for the threads of this process (writers first)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._writer = False
        self._waiting = 0

    @contextmanager
    def hold(self, shared: bool) -> Iterator[None]:
        with self._cond:
            if shared:
                self._cond.wait_for(lambda: not self._writer and not self._waiting)
                self._readers += 1
            else:
                self._waiting += 1
                try:
                    self._cond.wait_for(lambda: not self._writer and not self._readers)
                finally:
                    self._waiting -= 1
                self._writer = True
        try:
            yield
        finally:
            with self._cond:
                if shared:
                    self._readers -= 1
                else:
                    self._writer = False
                self._cond.notify_all()


# One lock object per (storage, node) while anyone uses it.
_NODE_LOCKS: weakref.WeakValueDictionary[tuple[str, str], _SharedExclusive] = (
    weakref.WeakValueDictionary()
)
_NODE_LOCKS_GUARD = threading.Lock()


def _node_lock(identity: str, path: str) -> _SharedExclusive:
    with _NODE_LOCKS_GUARD:
        lock = _NODE_LOCKS.get((identity, path))
        if lock is None:
            lock = _NODE_LOCKS[(identity, path)] = _SharedExclusive()
        return lock


@contextmanager
def metadata_lock(store: Store, path: str, *, shared: bool = False) -> Iterator[None]:
    """Hold the lock on the metadata of the node at ``path`` in ``store``.

    Exclusive (``shared=False``) for a read-modify-write of the node's document;
    shared for writes whose bounds were checked against it. Threads of this process
    and, for local stores, every process reaching the same files take the same lock.
    Object stores without file locks are covered within a process only: across
    processes they follow the single-writer rule for metadata (docs/reliability.md).
    A thread holds at most one metadata lock, and takes chunk locks only inside it.
    """
    path = path.strip("/")
    node = _node_lock(_identity(store), path)
    file_lock = getattr(store, "metadata_lock", None)
    with node.hold(shared):
        if callable(file_lock) and not store.read_only:
            with file_lock(path, shared=shared):
                yield
        else:
            yield
