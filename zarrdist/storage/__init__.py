"""zarr-python's ``zarr.storage`` path: its asynchronous stores, as faces over zarrdist's.

``zarrdist.storage.MemoryStore``, ``LocalStore``, ... have zarr-python's constructors
and asynchronous API (``await store.get(key, prototype)``), for code written against
zarr-python. Each wraps one synchronous store of ``zarrdist.stores`` (the engine's
stores, conventions item 8), and arrays and groups created on a face use that
synchronous store directly. Code that wants synchronous calls uses ``zarrdist.stores``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from zarrdist.storage._async_store import Store
from zarrdist.storage._common import StorePath, face_of
from zarrdist.storage._faces import GpuMemoryStore, MemoryStore, StoreFace
from zarrdist.storage._file_faces import LocalStore, ZipStore
from zarrdist.storage._remote_faces import FsspecStore, ObjectStore
from zarrdist.storage._wrapper_faces import LoggingStore, WrapperStore
from zarrdist.stores import CacheStore, StoreLike, StoreSpec, resolve_store

__all__ = [
    "CacheStore",
    "FsspecStore",
    "GpuMemoryStore",
    "LocalStore",
    "LoggingStore",
    "MemoryStore",
    "ObjectStore",
    "StoreFace",
    "StoreLike",
    "StorePath",
    "StoreSpec",
    "WrapperStore",
    "ZipStore",
    "face_of",
    "make_store",
]


def make_store(
    store_like: StoreLike, *, mode: str = "a", storage_options: Mapping[str, Any] | None = None
) -> Any:
    """The store that ``store_like`` names, as zarr-python's async API shows it (a
    face of ``zarrdist.storage``; ``zarrdist.stores.resolve_store`` gives the
    synchronous store)."""
    if isinstance(store_like, Store):
        return store_like
    return face_of(resolve_store(store_like, mode=mode, storage_options=storage_options))
