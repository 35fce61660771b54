"""zarr-python's ``zarr.storage._common`` path: its asynchronous ``StorePath``,
``make_store_path``, ``contains_array`` and ``contains_group``.

The StorePath here holds an async store (a face of ``zarrdist.storage``, or a user's
``zarrdist.abc.store.Store`` subclass) and awaits it, as zarr-python's does; the
engine takes it as the synchronous ``zarrdist.stores.StorePath`` over the store's
synchronous form (``__zarrdist_store_path__``). ``make_store_path`` resolves what
users pass (paths, URLs, dicts, ...) with ``zarrdist.stores.resolve_store`` and hands
back the face of the store it finds.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from zarrdist import stores as sync_stores
from zarrdist.api.aio.storage import contains_array as _sync_contains_array
from zarrdist.api.aio.storage import contains_group as _sync_contains_group
from zarrdist.api.aio.storage import make_store_path as _sync_make_store_path
from zarrdist.storage._async_store import Store
from zarrdist.storage._faces import GpuMemoryStore, MemoryStore, StoreFace
from zarrdist.storage._file_faces import LocalStore, ZipStore
from zarrdist.storage._remote_faces import FsspecStore, ObjectStore
from zarrdist.stores import ACCESS_MODES
from zarrdist.stores import StorePath as SyncStorePath
from zarrdist.stores.node_paths import normalize_path

if TYPE_CHECKING:
    from typing import Self

    from zarrdist.storage._buffers import Buffer, BufferPrototype
    from zarrdist.stores import ByteRequest

__all__ = ["StorePath", "contains_array", "contains_group", "face_of", "make_store_path"]


def face_of(store: Any) -> Any:
    """``store`` as zarr-python's async API shows it: a synchronous zarrdist store as
    its face (``zarrdist.stores.MemoryStore`` as ``zarrdist.storage.MemoryStore``, ...);
    anything else (an async store already, a store with no face) unchanged."""
    faces: tuple[tuple[type[sync_stores.Store], type[StoreFace]], ...] = (
        (sync_stores.GpuMemoryStore, GpuMemoryStore),
        (sync_stores.MemoryStore, MemoryStore),
        (sync_stores.LocalStore, LocalStore),
        (sync_stores.ZipStore, ZipStore),
        (sync_stores.FsspecStore, FsspecStore),
        (sync_stores.ObjectStore, ObjectStore),
    )
    for sync_cls, face_cls in faces:
        if type(store) is sync_cls:
            return face_cls._from_sync(store)
    if isinstance(store, sync_stores.ZarrStoreAdapter):
        # A bridged async store (a user's, or zarr-python's) is its own face.
        return store.store
    return store


class StorePath:
    """zarr-python's ``StorePath``: an async store and a path inside it.

    Parameters
    ----------
    store : zarrdist.abc.store.Store
        The store (a zarrdist synchronous store is shown as its face).
    path : str
        A path inside it (outer slashes dropped).
    """

    def __init__(self, store: Any, path: str = "") -> None:
        self.store = face_of(store)
        self.path = normalize_path(path)

    def __zarrdist_store_path__(self) -> SyncStorePath:
        """The engine's synchronous StorePath over this store's synchronous form."""
        return SyncStorePath(sync_stores.resolve_store(self.store), self.path)

    @property
    def read_only(self) -> bool:
        """Whether the store refuses writes."""
        return bool(self.store.read_only)

    @classmethod
    async def open(cls, store: Store, path: str, mode: str | None = None) -> Self:
        """A StorePath on the opened ``store``, with file-mode meaning for ``mode``:
        ``r`` reads through a read-only copy of a writable store, ``w`` deletes what is
        below ``path``, ``w-`` requires nothing to be there.

        Raises
        ------
        ValueError
            If ``mode`` is unknown, or asks for writes on a read-only store.
        FileExistsError
            With ``w-``, if something is stored below ``path``.
        """
        store = face_of(store)
        if mode is not None and mode not in ACCESS_MODES:
            raise ValueError(f"Invalid mode: {mode}, expected one of {ACCESS_MODES}")
        if mode is not None and store.read_only and mode != "r":
            raise ValueError(
                f"Store is read-only but mode is {mode!r}. Create a writable store or use 'r' mode."
            )
        if mode == "r" and not store.read_only:
            store = store.with_read_only(True)
        await store._ensure_open()
        self = cls(store, path)
        if mode == "w-" and not await self.is_empty():
            raise FileExistsError(
                f"Cannot create '{path}' with mode 'w-' because it already contains data. "
                "Use mode 'w' to overwrite or 'a' to append."
            )
        if mode == "w":
            await self.delete_dir()
        return self

    async def get(
        self, prototype: BufferPrototype | None = None, byte_range: ByteRequest | None = None
    ) -> Buffer | None:
        """The value at the path (or a byte range of it); None if missing."""
        return await self.store.get(self.path, prototype, byte_range)

    async def set(self, value: Buffer) -> None:
        """Store ``value`` at the path."""
        await self.store.set(self.path, value)

    async def set_if_not_exists(self, default: Buffer) -> None:
        """Store ``default`` at the path unless it holds a value."""
        await self.store.set_if_not_exists(self.path, default)

    async def delete(self) -> None:
        """Delete the key at the path."""
        await self.store.delete(self.path)

    async def delete_dir(self) -> None:
        """Delete everything below the path."""
        await self.store.delete_dir(self.path)

    async def exists(self) -> bool:
        """Whether the path holds a value."""
        return bool(await self.store.exists(self.path))

    async def is_empty(self) -> bool:
        """Whether nothing is stored at or below the path."""
        return bool(await self.store.is_empty(self.path))

    def __truediv__(self, other: str) -> StorePath:
        joined = f"{self.path}/{other}" if self.path else other
        return type(self)(self.store, joined)

    def __str__(self) -> str:
        return f"{str(self.store).rstrip('/')}/{self.path}" if self.path else str(self.store)

    def __repr__(self) -> str:
        return f"StorePath({type(self.store).__name__}, '{self}')"

    def __eq__(self, other: object) -> bool:
        # The engine's synchronous StorePath over the same store and path is equal too.
        if not isinstance(other, StorePath | SyncStorePath):
            return NotImplemented
        return bool(self.store == other.store) and self.path == other.path

    __hash__ = None  # type: ignore[assignment]


async def make_store_path(
    store_like: Any,
    *,
    path: str | None = "",
    mode: str | None = None,
    storage_options: Mapping[str, Any] | None = None,
) -> StorePath:
    """The StorePath that ``store_like`` and ``path`` name (a StorePath's path first).

    Raises
    ------
    TypeError
        If ``store_like`` has an unsupported type, or ``storage_options`` would be unused.
    """
    if isinstance(store_like, StorePath):
        if storage_options:
            raise TypeError("storage_options are only used for URL strings, not a StorePath")
        return store_like / normalize_path(path)
    if isinstance(store_like, Store):
        if storage_options:
            raise TypeError("storage_options are only used for URL strings, not a Store")
        return await StorePath.open(store_like, normalize_path(path), mode=mode)
    found = await _sync_make_store_path(
        store_like, path=path, mode=mode, storage_options=storage_options
    )
    return StorePath(found.store, found.path)


async def contains_array(store_path: Any, zarr_format: int) -> bool:
    """Whether an array of Zarr format ``zarr_format`` is at ``store_path``."""
    return await _sync_contains_array(_sync_path(store_path), zarr_format)


async def contains_group(store_path: Any, zarr_format: int) -> bool:
    """Whether a group of Zarr format ``zarr_format`` is at ``store_path``."""
    return await _sync_contains_group(_sync_path(store_path), zarr_format)


def _sync_path(store_path: Any) -> SyncStorePath:
    if isinstance(store_path, StorePath):
        return store_path.__zarrdist_store_path__()
    return store_path
