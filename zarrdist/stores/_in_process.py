"""Stores that live in one process: a spec names them by id, and only that process
finds them again.

A store that cannot be pickled (an in-memory one, a client that refuses) still has a
spec, so that graphs over it run on local threads; a task that reaches another
process gets an error that says why instead of a store that is not the same.
"""

from __future__ import annotations

import os
import threading
import weakref
from collections.abc import Mapping
from typing import Any

from zarrdist.errors import StoreError

__all__ = ["InProcessStores"]


class InProcessStores:
    """A weak registry of one kind of process-local store.

    ``what`` names the kind in errors ("the obstore store"); ``advice`` says what to
    do instead when another process asks for one.
    """

    def __init__(self, what: str, advice: str) -> None:
        self._what = what
        self._advice = advice
        self._stores: weakref.WeakValueDictionary[str, Any] = weakref.WeakValueDictionary()
        self._lock = threading.Lock()

    def register(self, store_id: str, store: Any, reason: str) -> dict[str, Any]:
        """Keep ``store`` under ``store_id``; the spec options that find it again."""
        with self._lock:
            self._stores[store_id] = store
        return {"id": store_id, "pid": os.getpid(), "reason": reason}

    def find(self, options: Mapping[str, Any], name: str) -> Any:
        """The store a spec's ``options`` name, in this process.

        Raises
        ------
        StoreError
            If the store lives in another process, or no longer exists.
        """
        pid = options.get("pid")
        if pid != os.getpid():
            raise StoreError(
                f"{self._what} lives in process {pid} and cannot be reached from process "
                f"{os.getpid()}: {options.get('reason', '')}; {self._advice}",
                store=name,
            )
        with self._lock:
            store = self._stores.get(str(options.get("id")))
        if store is None:
            raise StoreError(f"{self._what} no longer exists in this process", store=name)
        return store
