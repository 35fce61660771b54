"""zarr-python's asynchronous stores as thin faces over zarrdist's synchronous ones.

``zarrdist.storage.MemoryStore``, ``LocalStore``, ``ZipStore``, ``FsspecStore``,
``ObjectStore`` and ``GpuMemoryStore`` have zarr-python's constructors and its
asynchronous API (``await store.get(key, prototype)``, ``async for key in
store.list()``, ...). Each wraps one store of ``zarrdist.stores`` (conventions item 8:
the engine's stores are synchronous) and is a face, not a second implementation:
a call runs the synchronous store's method off the event loop, on a thread
(``asyncio.to_thread``), or inline for stores in memory, where a call never waits.

The engine never goes through a face: ``zarrdist.stores.resolve_store`` and
``StorePath`` take the synchronous store from ``__zarrdist_store__()``, so
``zarr.create_array(store=zarr.storage.MemoryStore(), ...)`` runs as fast as on
``zarrdist.stores.MemoryStore``. A subclass that overrides one of the coroutines
(to log, to count, to add latency) is bridged instead, so the engine's calls go
through the user's code.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, MutableMapping
from typing import TYPE_CHECKING, Any, TypeVar

from zarrdist import stores as sync_stores
from zarrdist.errors import StoreError
from zarrdist.storage._async_store import Store
from zarrdist.storage._buffers import Buffer, BufferPrototype
from zarrdist.storage._cpu_buffers import default_buffer_prototype
from zarrdist.stores import OffsetByteRequest, RangeByteRequest, SuffixByteRequest

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterable, Iterator
    from typing import Self

    from zarrdist.stores import ByteRequest

__all__ = [
    "ASYNC_API",
    "GpuMemoryStore",
    "MemoryStore",
    "StoreFace",
    "as_bytes",
    "overrides_async_api",
]

T = TypeVar("T")
T_Obstore = TypeVar("T_Obstore")
_REQUESTS = (RangeByteRequest, OffsetByteRequest, SuffixByteRequest)
#: The coroutines (and capabilities) a subclass may override; one overridden means the
#: engine must call the subclass's code (through the bridge), not the synchronous store.
ASYNC_API = (
    "get",
    "get_partial_values",
    "_get_many",
    "exists",
    "getsize",
    "getsize_prefix",
    "set",
    "set_if_not_exists",
    "_set_many",
    "delete",
    "delete_dir",
    "clear",
    "list",
    "list_prefix",
    "list_dir",
    "is_empty",
    # Capabilities too: a subclass that turns one off must be asked, not its base.
    "supports_writes",
    "supports_deletes",
    "supports_listing",
    "supports_consolidated_metadata",
)


def overrides_async_api(obj: object) -> bool:
    """Whether ``obj``'s class overrides a coroutine of the nearest zarrdist class it
    derives from (a user's subclass with code of its own)."""
    base = next(c for c in type(obj).__mro__ if c.__module__.startswith("zarrdist."))
    return any(getattr(type(obj), name) is not getattr(base, name) for name in ASYNC_API)


def as_bytes(value: Any) -> bytes | memoryview:
    """The bytes of a Buffer value handed to ``set``.

    Raises
    ------
    TypeError
        If ``value`` is not a Buffer.
    """
    if not isinstance(value, Buffer):
        raise TypeError(
            "Store.set(): `value` must be a Buffer instance. "
            f"Got an instance of {type(value)} instead."
        )
    return value.as_buffer_like()


class StoreFace(Store):
    """zarr-python's async Store API over one synchronous ``zarrdist.stores.Store``.

    Subclasses build the synchronous store in ``_build`` (called on first use,
    so that, as in zarr-python, constructing a store touches nothing).
    """

    #: Run the synchronous calls on the event loop's thread (memory stores).
    _inline = False
    _sync_store: sync_stores.Store | None = None

    def _build(self) -> sync_stores.Store:
        """The synchronous store this face stands for."""
        raise NotImplementedError(type(self).__name__)

    @property
    def _sync(self) -> sync_stores.Store:
        if self._sync_store is None:
            self._sync_store = self._build()
        return self._sync_store

    @classmethod
    def _from_sync(cls, store: sync_stores.Store) -> Self:
        """A face (not open) over an existing synchronous store."""
        face = cls.__new__(cls)
        Store.__init__(face, read_only=store.read_only)
        face._sync_store = store
        return face

    async def _call(self, fn: Callable[..., T], *args: Any) -> T:
        if self._inline:
            return fn(*args)
        return await asyncio.to_thread(fn, *args)

    def __zarrdist_store__(self) -> sync_stores.Store:
        """The synchronous store, or a bridge for a subclass with its own coroutines."""
        if overrides_async_api(self):
            return super().__zarrdist_store__()
        return self._sync

    # -- state -----------------------------------------------------------------------
    @property
    def supports_writes(self) -> bool:
        """The synchronous store's capability."""
        return bool(self._sync.supports_writes)

    @property
    def supports_deletes(self) -> bool:
        """The synchronous store's capability."""
        return bool(self._sync.supports_deletes)

    @property
    def supports_listing(self) -> bool:
        """The synchronous store's capability."""
        return bool(self._sync.supports_listing)

    def __eq__(self, value: object) -> bool:
        # The engine holds the synchronous store: a face equals the store it wraps.
        if isinstance(value, sync_stores.Store):
            return bool(self._sync == value)
        return type(self) is type(value) and self._sync == value._sync

    __hash__ = None  # type: ignore[assignment]  # equal by content, as in zarr-python

    def __repr__(self) -> str:
        return f"{type(self).__name__}('{self}')"

    def with_read_only(self, read_only: bool = False) -> Self:
        """A face (not open) over the same data with another read-only mode."""
        return self._from_sync(self._sync.with_read_only(read_only))

    async def _open(self) -> None:
        await super()._open()
        await self._call(self._sync.prepare)

    def close(self) -> None:
        """Close the store (a zip archive writes its directory)."""
        super().close()
        if self._sync_store is not None:
            self._sync_store.close()

    # -- reads -----------------------------------------------------------------------
    def _value(self, value: Any, prototype: BufferPrototype | None) -> Buffer | None:
        if value is None:
            return None
        return (prototype or default_buffer_prototype()).buffer.from_bytes(value)

    async def get(
        self,
        key: str,
        prototype: BufferPrototype | None = None,
        byte_range: ByteRequest | None = None,
    ) -> Buffer | None:
        """The value at ``key`` (or a byte range of it); None if missing.

        Raises
        ------
        TypeError
            If ``byte_range`` is not a byte request.
        """
        if byte_range is not None and not isinstance(byte_range, _REQUESTS):
            raise TypeError(f"Unexpected byte_range, got {byte_range}.")
        await self._ensure_open()
        try:
            value = await self._call(self._sync.get, key, byte_range)
        except StoreError as exc:
            # zarr-python's answer for a key that names a directory: no value.
            if isinstance(exc.__cause__, IsADirectoryError | NotADirectoryError):
                return None
            raise
        return self._value(value, prototype)

    async def get_partial_values(
        self, prototype: BufferPrototype, key_ranges: Iterable[tuple[str, ByteRequest | None]]
    ) -> list[Buffer | None]:
        """Byte ranges of several keys, in order; None for each missing key."""
        pairs = list(key_ranges)
        await self._ensure_open()
        values = await self._call(lambda: [self._sync.get(k, r) for k, r in pairs])
        return [self._value(v, prototype) for v in values]

    async def exists(self, key: str) -> bool:
        """Whether ``key`` holds a value."""
        return bool(await self._call(self._sync.exists, key))

    async def getsize(self, key: str) -> int:
        """Size in bytes of the value at ``key``.

        Raises
        ------
        FileNotFoundError
            If ``key`` holds no value.
        """
        size = await self._call(self._sync.getsize, key)
        if size is None:
            raise FileNotFoundError(key)
        return int(size)

    async def getsize_prefix(self, prefix: str) -> int:
        """Total size in bytes of the values whose keys start with ``prefix``."""
        keys = [key async for key in self.list_prefix(prefix)]
        sizes = await self._call(lambda: [self._sync.getsize(key) for key in keys])
        return sum(size or 0 for size in sizes)

    # -- writes ----------------------------------------------------------------------
    async def set(self, key: str, value: Buffer) -> None:
        """Store ``value`` at ``key``."""
        self._check_writable()
        data = as_bytes(value)
        await self._ensure_open()
        await self._call(self._sync.set, key, data)

    async def set_if_not_exists(self, key: str, value: Buffer) -> None:
        """Store ``value`` at ``key`` unless ``key`` holds a value."""
        self._check_writable()
        data = as_bytes(value)
        await self._ensure_open()
        await self._call(self._sync.set_if_not_exists, key, data)

    async def _set_many(self, values: Iterable[tuple[str, Buffer]]) -> None:
        self._check_writable()
        pairs = [(key, as_bytes(value)) for key, value in values]
        await self._ensure_open()
        await self._call(self._sync.set_many, pairs)

    async def delete(self, key: str) -> None:
        """Delete ``key``; a missing key is not an error."""
        self._check_writable()
        await self._call(self._sync.delete, key)

    async def delete_dir(self, prefix: str) -> None:
        """Delete every key under the directory ``prefix``."""
        self._check_writable()
        await self._call(self._sync.delete_prefix, prefix)

    async def clear(self) -> None:
        """Delete every key."""
        self._check_writable()
        await self._call(self._sync.clear)

    # -- listing ---------------------------------------------------------------------
    async def _keys(self, fn: Callable[[], Iterator[str]]) -> AsyncIterator[str]:
        for key in await self._call(lambda: list(fn())):
            yield key

    def list(self) -> AsyncIterator[str]:
        """Every key."""
        return self._keys(self._sync.list)

    def list_prefix(self, prefix: str) -> AsyncIterator[str]:
        """Every key that starts with ``prefix`` (a plain string prefix)."""
        if not prefix or prefix.endswith("/"):
            return self._keys(lambda: self._sync.list_prefix(prefix))
        directory = prefix.rpartition("/")[0]
        listing = self._sync.list_prefix
        return self._keys(lambda: (k for k in listing(directory) if k.startswith(prefix)))

    def list_dir(self, prefix: str) -> AsyncIterator[str]:
        """The names directly under the directory ``prefix``."""
        return self._keys(lambda: self._sync.list_dir(prefix))

    async def is_empty(self, prefix: str = "") -> bool:
        """Whether no key lives under the directory ``prefix``."""
        return bool(await self._call(self._sync.is_empty, prefix))


class _BufferDict(MutableMapping[str, Buffer]):
    """A memory store's dict as zarr-python shows it: values as Buffers.

    zarrdist's MemoryStore keeps bytes; values read here are Buffers over them
    (no copy) and Buffers written here are kept as their bytes.
    """

    def __init__(self, data: MutableMapping[str, Any]) -> None:
        self.data = data

    def __getitem__(self, key: str) -> Buffer:
        value = self.data[key]
        if isinstance(value, Buffer):
            return value
        return default_buffer_prototype().buffer.from_bytes(value)

    def __setitem__(self, key: str, value: Buffer) -> None:
        self.data[key] = value.to_bytes() if isinstance(value, Buffer) else bytes(value)

    def __delitem__(self, key: str) -> None:
        del self.data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)


class MemoryStore(StoreFace):
    """zarr-python's ``MemoryStore``: values in a dict of this process.

    Parameters
    ----------
    store_dict : MutableMapping, optional
        The dict to keep values in (values are kept as bytes); a new one if None.
    read_only : bool
        Refuse writes.
    """

    _inline = True

    def __init__(
        self, store_dict: MutableMapping[str, Any] | None = None, *, read_only: bool = False
    ) -> None:
        super().__init__(read_only=read_only)
        if isinstance(store_dict, _BufferDict):
            store_dict = store_dict.data
        self._sync_store = self._memory(store_dict, read_only)
        self._store_dict = _BufferDict(self._sync.store_dict)  # type: ignore[attr-defined]

    @staticmethod
    def _memory(store_dict: MutableMapping[str, Any] | None, read_only: bool) -> sync_stores.Store:
        return sync_stores.MemoryStore(store_dict, read_only=read_only)

    @classmethod
    def _from_sync(cls, store: sync_stores.Store) -> Self:
        face = super()._from_sync(store)
        face._store_dict = _BufferDict(store.store_dict)  # type: ignore[attr-defined]
        return face

    def __str__(self) -> str:
        return f"memory://{id(self._store_dict)}"

    def __getstate__(self) -> dict[str, Any]:
        # The dict view is rebuilt over the reopened store's dict, not pickled apart.
        state = super().__getstate__()
        state.pop("_store_dict", None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._store_dict = _BufferDict(self._sync.store_dict)  # type: ignore[attr-defined]

    def __eq__(self, value: object) -> bool:
        if isinstance(value, sync_stores.Store):
            return bool(self._sync == value)
        return (
            isinstance(value, type(self))
            and self._store_dict.data == value._store_dict.data
            and self.read_only == value.read_only
        )

    async def _open(self) -> None:
        await Store._open(self)


class GpuMemoryStore(MemoryStore):
    """zarr-python's ``GpuMemoryStore``: values in device memory (CuPy)."""

    @staticmethod
    def _memory(store_dict: MutableMapping[str, Any] | None, read_only: bool) -> sync_stores.Store:
        return sync_stores.GpuMemoryStore(store_dict, read_only=read_only)

    def __str__(self) -> str:
        return f"gpumemory://{id(self._store_dict)}"

    @classmethod
    def from_dict(cls, store_dict: MutableMapping[str, Any]) -> Self:
        """A store over a copy of ``store_dict`` with every value moved to the device."""
        return cls(dict(store_dict))
