"""StorePath: a store and a path inside it (zarr-python's ``zarr.storage.StorePath``).

Every API function that takes a store and a node path takes a StorePath for the
store too; its path then comes before the one given:

>>> from zarrdist.stores import MemoryStore, StorePath
>>> root = StorePath(MemoryStore(), "data")
>>> (root / "run1/temperature").path
'data/run1/temperature'
>>> split_store_path(root, "t")[1]
'data/t'
"""

from __future__ import annotations

import asyncio
import sys
from typing import Any

from zarrdist.stores._base import (
    ByteRequest,
    Store,
    native_store,
    normalize_key,
    read_only_from_mode,
)
from zarrdist.stores._zarr_adapter import ZarrStoreAdapter, is_zarr_store

__all__ = ["StorePath", "from_zarr_store_path", "split_store_path"]


def _join(*parts: str | None) -> str:
    """Non-empty ``parts``, stripped of outer slashes, joined by ``/``: a store key."""
    joined = "/".join(p.strip("/") for p in parts if p and p.strip("/"))
    return normalize_key(joined) if joined else ""


class StorePath:
    """A store and a path inside it.

    Parameters
    ----------
    store : Store or zarr.abc.store.Store
        The store (a zarr-python store is wrapped in a ZarrStoreAdapter).
    path : str
        A path inside it (``/``-separated; outer slashes are dropped).

    Raises
    ------
    TypeError
        If ``store`` is not a Store.
    ByteRangeError
        If ``path`` could leave the store (``..``, a backslash, ...).
    """

    def __init__(self, store: Store, path: str = "") -> None:
        store = native_store(store)  # type: ignore[assignment]
        if is_zarr_store(store):
            store = ZarrStoreAdapter(store)
        if not isinstance(store, Store):
            raise TypeError(f"StorePath needs a Store, not a {type(store).__name__}")
        self.store = store
        self.path = _join(path)

    @classmethod
    async def open(cls, store: Store, path: str = "", mode: str | None = None) -> StorePath:
        """zarr-python's awaitable constructor, with file-mode meaning for ``mode``:
        ``r`` reads through a read-only view of a writable store, ``w`` deletes what
        is below ``path``, ``w-`` requires nothing to be there; None changes nothing.

        Raises
        ------
        ValueError
            If ``mode`` is not an access mode, or asks for writes on a read-only store.
        FileExistsError
            With ``w-``, if something is stored below ``path``.
        """
        return await asyncio.to_thread(cls._opened, store, path, mode)

    @classmethod
    def _opened(cls, store: Store, path: str, mode: str | None) -> StorePath:
        self = cls(store, path)
        if mode is None:
            return self
        read_only = read_only_from_mode(mode, self.store.read_only, store=self.store.url)
        if read_only and not self.store.read_only:
            return cls(self.store.with_read_only(True), self.path)
        if mode == "w":
            self.delete_dir()
        elif mode == "w-" and not self.is_empty():
            raise FileExistsError(f"{self} is not empty (mode 'w-')")
        return self

    @property
    def read_only(self) -> bool:
        """Whether the store refuses writes."""
        return self.store.read_only

    def __truediv__(self, other: str) -> StorePath:
        return StorePath(self.store, _join(self.path, other))

    def __str__(self) -> str:
        return f"{self.store.url.rstrip('/')}/{self.path}" if self.path else self.store.url

    def __repr__(self) -> str:
        return f"StorePath({type(self.store).__name__}, {str(self)!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, StorePath):
            return NotImplemented
        return self.store == other.store and self.path == other.path

    def __hash__(self) -> int:
        return hash((self.store, self.path))

    # -- the value stored at the path itself ---------------------------------------------
    def get(self, byte_range: ByteRequest | None = None) -> bytes | memoryview | None:
        """The bytes stored under the key ``path`` (or a range of them); None if absent."""
        return self.store.get(self.path, byte_range)

    def set(self, value: bytes | bytearray | memoryview) -> None:
        """Store ``value`` under the key ``path``."""
        self.store.set(self.path, value)

    def delete(self) -> None:
        """Delete the key ``path`` (nothing happens if it is absent)."""
        self.store.delete(self.path)

    def exists(self) -> bool:
        """Whether the key ``path`` holds a value."""
        return self.store.exists(self.path)

    def is_empty(self) -> bool:
        """Whether nothing is stored at or below ``path``."""
        return self.store.is_empty(self.path)

    def delete_dir(self) -> int:
        """Delete everything below ``path``; how many keys were deleted."""
        return self.store.delete_prefix(self.path)


def from_zarr_store_path(store_like: Any) -> Any:
    """zarr-python's ``zarr.storage.StorePath`` as a StorePath; anything else unchanged.

    An object whose class has ``__zarrdist_store_path__()`` (zarrdist's async
    ``zarrdist.storage.StorePath``) gives the StorePath that method returns.
    """
    method = getattr(type(store_like), "__zarrdist_store_path__", None)
    if method is not None:
        return method(store_like)
    zarr_storage = sys.modules.get("zarr.storage")
    zarr_path = getattr(zarr_storage, "StorePath", None)
    if zarr_path is not None and isinstance(store_like, zarr_path):
        return StorePath(store_like.store, store_like.path)
    return store_like


def split_store_path(store_like: Any, path: str | None) -> tuple[Any, str | None]:
    """``(store, path)`` with a StorePath's (zarrdist's or zarr-python's) store
    unwrapped and its path put before ``path``; anything else is returned as it came."""
    store_like = from_zarr_store_path(store_like)
    if not isinstance(store_like, StorePath):
        return store_like, path
    return store_like.store, _join(store_like.path, path) or None
