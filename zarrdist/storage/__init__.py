"""zarr-python's ``zarr.storage`` names over zarrdist's stores.

``import zarrdist as zarr; zarr.storage.LocalStore(...)`` works as with zarr-python.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from zarrdist.stores import (
    CacheStore,
    FsspecStore,
    GpuMemoryStore,
    LocalStore,
    LoggingStore,
    MemoryStore,
    ObjectStore,
    Store,
    StoreLike,
    StorePath,
    StoreSpec,
    WrapperStore,
    ZipStore,
    resolve_store,
)

__all__ = [
    "CacheStore",
    "FsspecStore",
    "GpuMemoryStore",
    "LocalStore",
    "LoggingStore",
    "MemoryStore",
    "ObjectStore",
    "Store",
    "StoreLike",
    "StorePath",
    "StoreSpec",
    "WrapperStore",
    "ZipStore",
    "make_store",
]


def make_store(
    store_like: StoreLike, *, mode: str = "a", storage_options: Mapping[str, Any] | None = None
) -> Store:
    """The Store that ``store_like`` names (zarr-python's ``make_store``)."""
    return resolve_store(store_like, mode=mode, storage_options=storage_options)
