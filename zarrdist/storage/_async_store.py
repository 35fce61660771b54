"""The asynchronous Store ABC of zarr-python's API (``zarrdist.abc.store.Store``).

This is zarr-python's face, for code written against it: its abstract methods and
signatures, with ``Buffer`` values (``zarrdist.core.buffer``). zarrdist's engine
never calls it. The engine's Store is the synchronous ``zarrdist.stores.Store``
(conventions item 8), and every store here names the synchronous store it stands
for through ``__zarrdist_store__()``:

- zarrdist's own async stores (``zarrdist.storage.MemoryStore``, ``LocalStore``, ...)
  return the synchronous store they wrap, so arrays on them run at full speed;
- a user's subclass, with its own coroutines, gets a bridge that runs them on
  fsspec's I/O loop (``AsyncStoreBridge``).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any

from zarrdist.stores import ByteRequest

if TYPE_CHECKING:
    from collections.abc import AsyncGenerator, AsyncIterator, Iterable
    from types import TracebackType
    from typing import Self

    from zarrdist.storage._buffers import Buffer, BufferPrototype
    from zarrdist.stores import Store as SyncStore

__all__ = ["READ_ONLY_MESSAGE", "Store"]

#: zarr-python's words for a write to a read-only store (tests match them).
READ_ONLY_MESSAGE = "store was opened in read-only mode and does not support writing"


class Store(ABC):
    """A store with zarr-python's asynchronous API (zarr-python's ``zarr.abc.store.Store``).

    Subclasses implement the abstract coroutines (``get``, ``set``, ``exists``, ...),
    as for zarr-python. zarrdist's arrays and groups use such a store through
    ``__zarrdist_store__()``: the bridge that drives these coroutines from zarrdist's
    synchronous engine on fsspec's I/O loop.

    Parameters
    ----------
    read_only : bool
        Refuse writes.
    """

    _read_only: bool
    _is_open: bool

    def __init__(self, *, read_only: bool = False) -> None:
        self._is_open = False
        self._read_only = read_only

    # -- opening and closing ---------------------------------------------------------
    @classmethod
    async def open(cls, *args: Any, **kwargs: Any) -> Self:
        """Construct the store with ``cls(*args, **kwargs)`` and open it."""
        store = cls(*args, **kwargs)
        await store._open()
        return store

    async def _open(self) -> None:
        """Mark the store open.

        Raises
        ------
        ValueError
            If it already is.
        """
        if self._is_open:
            raise ValueError("store is already open")
        self._is_open = True

    async def _ensure_open(self) -> None:
        """Open the store unless it is open."""
        if not self._is_open:
            await self._open()

    def close(self) -> None:
        """Close the store."""
        self._is_open = False

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def with_read_only(self, read_only: bool = False) -> Store:
        """A new (unopened) store on the same data with another read-only mode.

        Raises
        ------
        NotImplementedError
            Unless a subclass implements it.
        """
        raise NotImplementedError(
            f"with_read_only is not implemented for the {type(self)} store type."
        )

    # -- read-only mode and capabilities -----------------------------------------------
    @property
    def read_only(self) -> bool:
        """Whether writes are refused."""
        return self._read_only

    def _check_writable(self) -> None:
        """Raise ValueError if the store is read-only."""
        if self.read_only:
            raise ValueError(READ_ONLY_MESSAGE)

    @property
    @abstractmethod
    def supports_writes(self) -> bool:
        """Whether the store can write."""

    @property
    @abstractmethod
    def supports_deletes(self) -> bool:
        """Whether the store can delete."""

    @property
    @abstractmethod
    def supports_listing(self) -> bool:
        """Whether the store can list its keys."""

    @property
    def supports_partial_writes(self) -> bool:
        """False: values are always replaced whole."""
        return False

    @property
    def supports_consolidated_metadata(self) -> bool:
        """Whether the store can hold consolidated metadata."""
        return True

    @abstractmethod
    def __eq__(self, value: object) -> bool:
        """Whether ``value`` is a store on the same data."""

    # -- reads -----------------------------------------------------------------------
    @abstractmethod
    async def get(
        self, key: str, prototype: BufferPrototype, byte_range: ByteRequest | None = None
    ) -> Buffer | None:
        """The value at ``key`` (or a byte range of it) made with ``prototype.buffer``;
        None if missing."""

    @abstractmethod
    async def get_partial_values(
        self, prototype: BufferPrototype, key_ranges: Iterable[tuple[str, ByteRequest | None]]
    ) -> list[Buffer | None]:
        """Byte ranges of several keys, in order; None for each missing key."""

    async def _get_many(
        self, requests: Iterable[tuple[str, BufferPrototype, ByteRequest | None]]
    ) -> AsyncGenerator[tuple[str, Buffer | None], None]:
        """``(key, value)`` for each ``(key, prototype, byte_range)`` request."""
        for key, prototype, byte_range in requests:
            yield key, await self.get(key, prototype, byte_range)

    @abstractmethod
    async def exists(self, key: str) -> bool:
        """Whether ``key`` holds a value."""

    async def getsize(self, key: str) -> int:
        """Size in bytes of the value at ``key``.

        Raises
        ------
        FileNotFoundError
            If ``key`` holds no value.
        """
        from zarrdist.storage._cpu_buffers import default_buffer_prototype

        value = await self.get(key, prototype=default_buffer_prototype())
        if value is None:
            raise FileNotFoundError(key)
        return len(value)

    async def getsize_prefix(self, prefix: str) -> int:
        """Total size in bytes of the values under ``prefix``."""
        keys = [key async for key in self.list_prefix(prefix)]
        return sum([await self.getsize(key) for key in keys])

    # -- writes ----------------------------------------------------------------------
    @abstractmethod
    async def set(self, key: str, value: Buffer) -> None:
        """Store ``value`` at ``key``."""

    async def set_if_not_exists(self, key: str, value: Buffer) -> None:
        """Store ``value`` at ``key`` unless ``key`` holds a value."""
        if not await self.exists(key):
            await self.set(key, value)

    async def _set_many(self, values: Iterable[tuple[str, Buffer]]) -> None:
        """Store several values."""
        for key, value in values:
            await self.set(key, value)

    @abstractmethod
    async def delete(self, key: str) -> None:
        """Delete ``key``; a missing key is not an error."""

    async def delete_dir(self, prefix: str) -> None:
        """Delete every key under the directory ``prefix``."""
        self._check_writable()
        if prefix and not prefix.endswith("/"):
            prefix += "/"
        for key in [key async for key in self.list_prefix(prefix)]:
            await self.delete(key)

    async def clear(self) -> None:
        """Delete every key."""
        await self.delete_dir("")

    # -- listing ---------------------------------------------------------------------
    @abstractmethod
    def list(self) -> AsyncIterator[str]:
        """Every key."""

    @abstractmethod
    def list_prefix(self, prefix: str) -> AsyncIterator[str]:
        """Every key that starts with ``prefix``."""

    @abstractmethod
    def list_dir(self, prefix: str) -> AsyncIterator[str]:
        """The names (keys and sub-directories) directly under the directory ``prefix``."""

    async def is_empty(self, prefix: str = "") -> bool:
        """Whether no key lives under the directory ``prefix``."""
        if prefix and not prefix.endswith("/"):
            prefix += "/"
        async for _ in self.list_prefix(prefix):
            return False
        return True

    def __getstate__(self) -> dict[str, Any]:
        # The bridge is this process's: a pickle (which the bridge's own spec makes
        # of this store) must not hold it, or pickling would recurse.
        state = self.__dict__.copy()
        state.pop("_zarrdist_bridge", None)
        return state

    # -- zarrdist's engine -----------------------------------------------------------
    def __zarrdist_store__(self) -> SyncStore:
        """The synchronous store zarrdist's arrays and groups use for this one: a
        bridge running this store's coroutines on fsspec's I/O loop (one per store)."""
        bridge = self.__dict__.get("_zarrdist_bridge")
        if bridge is None:
            from zarrdist.storage._bridge import AsyncStoreBridge

            bridge = self.__dict__.setdefault("_zarrdist_bridge", AsyncStoreBridge(self))
        return bridge
