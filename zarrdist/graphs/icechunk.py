"""Transactional writes with icechunk: zarrdist graphs writing through a session.

An icechunk session's store is a zarr-python store, so every zarrdist function
takes it (``zarrdist.open_array(session.store, ...)``). On threads, that is all:
write, then ``session.commit(...)``. A writable session cannot be pickled, so
graphs over it never leave this process.

For a graph whose tasks write on a cluster's workers, icechunk forks the
session: :func:`fork_writes` yields a store whose spec carries a pickled
``ForkSession``. Each worker process keeps one copy of that fork (the store is
*pinned*: every task on the worker writes into the same copy), and on leaving
the block the copies are fetched back from the workers and merged into the
session, which the caller then commits. Nothing is visible to readers before the
commit; an error inside the block merges nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from zarrdist.errors import StoreError
from zarrdist.stores import ZarrStoreAdapter, release_pinned

__all__ = ["fork_writes"]


def _active_client() -> Any:
    try:
        from distributed import get_client
    except ImportError:  # pragma: no cover - distributed is a dependency
        return None
    try:
        return get_client()
    except ValueError:
        return None


def _release_forks(pin: str) -> list[Any]:
    """On a worker (or here): the fork sessions this process wrote into, forgotten."""
    return [store.session for store in release_pinned(pin)]


def _workers(client: Any) -> set[str]:
    return set(client.scheduler_info(n_workers=-1)["workers"])


@contextmanager
def fork_writes(session: Any, *, client: Any = None) -> Iterator[ZarrStoreAdapter]:
    """A store that writes into forks of an icechunk ``session`` from every process.

    Parameters
    ----------
    session : icechunk.Session
        A writable session with no uncommitted changes (icechunk's rule for
        ``fork``): create arrays and commit first, then fork for the bulk writes.
    client : distributed.Client, optional
        The cluster the graphs run on; the active client if omitted. Without one,
        graphs run in this process and only its fork is merged.

    Yields
    ------
    ZarrStoreAdapter
        Pass it to zarrdist (``open_array(store, path=...)``, ``create_array``,
        ``copy``, ...); each worker writes through its own copy of the fork.

    Raises
    ------
    StoreError
        If a worker that was part of the cluster is gone when the forks are
        collected: its writes cannot be merged, so nothing is merged.
    """
    client = client if client is not None else _active_client()
    before = _workers(client) if client is not None else set()
    store = ZarrStoreAdapter(session.fork().store, pinned=True)
    pin = store.pin
    assert pin is not None
    try:
        yield store
    except BaseException:
        # Drop every copy; the session never sees their changes.
        _release_forks(pin)
        if client is not None:
            client.run(_release_forks, pin)
        raise
    forks = _release_forks(pin)
    if client is not None:
        lost = before - _workers(client)
        gathered = client.run(_release_forks, pin)
        if lost:
            raise StoreError(
                f"workers {sorted(lost)} left the cluster while writing through an icechunk "
                "fork; their writes cannot be merged, so none were: discard the session "
                "and run the writes again",
                store=store.url,
            )
        forks += [fork for copies in gathered.values() for fork in copies]
    session.merge(*forks)
