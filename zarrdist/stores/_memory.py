"""MemoryStore: bytes in a dict of this process.

A memory store cannot be reached from another process. Its spec therefore names
the process and a process-local id: reopening the spec here returns the very same
store (the same dict); in any other process it raises an error that says where
the store lives and what to use instead.
"""

from __future__ import annotations

import os
import threading
import uuid
import weakref
from collections.abc import Iterator, MutableMapping
from typing import Any

from zarrdist.errors import StoreError
from zarrdist.stores._base import ByteRequest, Store, StoreSpec, slice_bytes

__all__ = ["MemoryStore", "open_memory_spec"]

# id -> store, weakly: a spec must not keep a store (and its data) alive.
_REGISTRY: weakref.WeakValueDictionary[str, MemoryStore] = weakref.WeakValueDictionary()
_REGISTRY_LOCK = threading.Lock()


class MemoryStore(Store):
    """Keys in a (user-supplied) dict of this process.

    Parameters
    ----------
    store_dict : MutableMapping, optional
        The mapping to keep values in, shared with the caller; a new dict if None.
    read_only : bool
        Refuse writes.

    Attributes
    ----------
    store_dict : MutableMapping
        The mapping itself, as in zarr-python.
    """

    supports_multiprocess_writes = False
    # A range is a slice of bytes in memory: bridging a gap only copies more.
    range_gap_bytes = 0

    def __init__(
        self, store_dict: MutableMapping[str, Any] | None = None, *, read_only: bool = False
    ) -> None:
        super().__init__(read_only=read_only)
        self.store_dict: MutableMapping[str, Any] = {} if store_dict is None else store_dict
        self._id = uuid.uuid4().hex
        with _REGISTRY_LOCK:
            _REGISTRY[self._id] = self

    def __repr__(self) -> str:
        return f"MemoryStore(<{len(self.store_dict)} keys>, read_only={self.read_only})"

    @property
    def url(self) -> str:
        """``memory://<id>``."""
        return f"memory://{self._id}"

    @property
    def spec(self) -> StoreSpec:
        """``{"driver": "memory", "id": ..., "pid": ..., "read_only": ...}``."""
        return StoreSpec(
            "memory", {"id": self._id, "pid": os.getpid(), "read_only": self.read_only}
        )

    def _get(self, key: str, byte_range: ByteRequest | None) -> bytes | memoryview | None:
        value = self.store_dict.get(key)
        if value is None:
            return None
        if not isinstance(value, bytes | memoryview):
            # A user dict may hold bytearrays or other buffers; hand out immutable bytes.
            value = bytes(value)
        return slice_bytes(value, byte_range)

    def _set(self, key: str, value: bytes | memoryview) -> None:
        # Copy views: the caller may reuse its buffer after set() returns.
        self.store_dict[key] = value if isinstance(value, bytes) else bytes(value)

    def _delete(self, key: str) -> None:
        self.store_dict.pop(key, None)

    def _list(self, prefix: str) -> Iterator[str]:
        # A snapshot: other threads may write while the caller iterates.
        return iter([k for k in list(self.store_dict) if k.startswith(prefix)])

    def exists(self, key: str) -> bool:
        """Whether ``key`` holds a value."""
        return self._key(key) in self.store_dict


def open_memory_spec(options: dict[str, Any]) -> MemoryStore:
    """Reopen a memory store from its spec, in the process where it lives.

    Raises
    ------
    StoreError
        In another process, or once the store has been garbage collected.
    """
    pid = options.get("pid")
    store_id = str(options.get("id"))
    if pid != os.getpid():
        raise StoreError(
            f"the memory store lives in process {pid} and cannot be reached from process "
            f"{os.getpid()}; run the graph in that process (threaded or synchronous "
            "scheduler) or use a LocalStore or object store",
            store=f"memory://{store_id}",
        )
    with _REGISTRY_LOCK:
        store = _REGISTRY.get(store_id)
    if store is None:
        raise StoreError(
            "the memory store no longer exists (it was garbage collected)",
            store=f"memory://{store_id}",
        )
    read_only = bool(options.get("read_only", store.read_only))
    if read_only == store.read_only:
        return store
    return MemoryStore(store.store_dict, read_only=read_only)
