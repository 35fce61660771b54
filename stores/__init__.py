"""Stores: bytes by key, knowing nothing of arrays (installed as ``zarrdist.stores``)."""

from __future__ import annotations

if __name__ != "zarrdist.stores":  # pragma: no cover - guards the package-dir mapping
    # Loaded as a top-level "stores" (repo root on sys.path): the same classes would
    # exist twice, and isinstance checks would silently fail.
    raise ImportError("import zarrdist.stores, not the top-level 'stores' folder")

from zarrdist.stores._base import (
    ACCESS_MODES,
    ByteRequest,
    OffsetByteRequest,
    RangeByteRequest,
    Store,
    StoreSpec,
    SuffixByteRequest,
    normalize_key,
    normalize_keys,
    open_spec,
    read_only_from_mode,
    register_driver,
)
from zarrdist.stores._fsspec import FsspecStore, open_fsspec_spec
from zarrdist.stores._limits import current_value_limit, value_limit
from zarrdist.stores._local import LocalStore
from zarrdist.stores._lock import FileLock
from zarrdist.stores._memory import MemoryStore, open_memory_spec
from zarrdist.stores._path import StorePath, split_store_path
from zarrdist.stores._resolve import StoreLike, resolve_store
from zarrdist.stores._wrapper import CacheStore, LoggingStore, WrapperStore, open_wrapper_spec
from zarrdist.stores._zip import ZipStore, open_zip_spec

__all__ = [
    "current_value_limit",
    "value_limit",
    "ACCESS_MODES",
    "ByteRequest",
    "CacheStore",
    "FileLock",
    "FsspecStore",
    "LocalStore",
    "LoggingStore",
    "MemoryStore",
    "OffsetByteRequest",
    "RangeByteRequest",
    "Store",
    "StoreLike",
    "StorePath",
    "StoreSpec",
    "SuffixByteRequest",
    "WrapperStore",
    "ZipStore",
    "normalize_key",
    "normalize_keys",
    "open_spec",
    "read_only_from_mode",
    "register_driver",
    "resolve_store",
    "split_store_path",
]


def _open_local(options: dict[str, object]) -> LocalStore:
    return LocalStore(str(options["root"]), read_only=bool(options.get("read_only", False)))


# Every built-in driver, so StoreSpec.open() works in a fresh worker process.
register_driver("local", _open_local)
register_driver("memory", open_memory_spec)
register_driver("zip", open_zip_spec)
register_driver("fsspec", open_fsspec_spec)
for _cls in (WrapperStore, LoggingStore, CacheStore):
    register_driver(_cls.driver, open_wrapper_spec(_cls))
del _cls
