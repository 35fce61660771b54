"""Stores: bytes by key, knowing nothing of arrays."""

from __future__ import annotations

from zarrdist.stores._base import (
    ACCESS_MODES,
    ByteRequest,
    OffsetByteRequest,
    RangeByteRequest,
    Store,
    StoreSpec,
    SuffixByteRequest,
    native_store,
    normalize_key,
    normalize_keys,
    open_spec,
    read_only_from_mode,
    register_driver,
)
from zarrdist.stores._fsspec import FsspecStore, open_fsspec_spec
from zarrdist.stores._gpu_memory import GpuMemoryStore
from zarrdist.stores._identity import store_location, stores_overlap
from zarrdist.stores._limits import current_value_limit, value_limit
from zarrdist.stores._local import LocalStore
from zarrdist.stores._lock import FileLock
from zarrdist.stores._memory import MemoryStore, open_memory_spec
from zarrdist.stores._obstore import ObjectStore, open_obstore_spec
from zarrdist.stores._path import StorePath, split_store_path
from zarrdist.stores._pool import POOL_NAME, on_reader_thread, reader_pool
from zarrdist.stores._redact import redact_secrets, redact_spec
from zarrdist.stores._resolve import StoreLike, resolve_store
from zarrdist.stores._sweep import sweep_partial_files
from zarrdist.stores._wrapper import CacheStore, LoggingStore, WrapperStore, open_wrapper_spec
from zarrdist.stores._zarr_adapter import (
    ZarrStoreAdapter,
    is_zarr_store,
    open_zarr_adapter_spec,
    release_pinned,
)
from zarrdist.stores._zip import ZipStore, open_zip_spec

__all__ = [
    "current_value_limit",
    "value_limit",
    "ACCESS_MODES",
    "ByteRequest",
    "CacheStore",
    "FileLock",
    "FsspecStore",
    "GpuMemoryStore",
    "LocalStore",
    "LoggingStore",
    "MemoryStore",
    "POOL_NAME",
    "ObjectStore",
    "OffsetByteRequest",
    "RangeByteRequest",
    "Store",
    "StoreLike",
    "StorePath",
    "StoreSpec",
    "SuffixByteRequest",
    "WrapperStore",
    "ZarrStoreAdapter",
    "ZipStore",
    "native_store",
    "normalize_key",
    "normalize_keys",
    "on_reader_thread",
    "open_spec",
    "is_zarr_store",
    "read_only_from_mode",
    "reader_pool",
    "redact_secrets",
    "redact_spec",
    "register_driver",
    "release_pinned",
    "resolve_store",
    "split_store_path",
    "store_location",
    "sweep_partial_files",
    "stores_overlap",
]


def _open_local(options: dict[str, object]) -> LocalStore:
    return LocalStore(str(options["root"]), read_only=bool(options.get("read_only", False)))


# Every built-in driver, so StoreSpec.open() works in a fresh worker process.
register_driver("local", _open_local)
register_driver("memory", open_memory_spec)
register_driver("zip", open_zip_spec)
register_driver("fsspec", open_fsspec_spec)
register_driver("zarr-python", open_zarr_adapter_spec)
register_driver("obstore", open_obstore_spec)
for _cls in (WrapperStore, LoggingStore, CacheStore):
    register_driver(_cls.driver, open_wrapper_spec(_cls))
del _cls
