"""zarr-python's wrapper stores, ``WrapperStore`` and ``LoggingStore``, over async stores.

A wrapper holds another store of zarr-python's async API (``_store``: a face of
``zarrdist.storage``, a user's ``zarrdist.abc.store.Store`` subclass) and hands each
coroutine to it. zarrdist's engine uses a plain ``WrapperStore`` as the store it
wraps (nothing is added on the way); a ``LoggingStore``, or a subclass that overrides
a coroutine, is bridged, so the engine's calls are logged, counted or changed as
the subclass says.
"""

from __future__ import annotations

import logging
import sys
import time
from collections import defaultdict
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from zarrdist.storage._async_store import Store
from zarrdist.storage._faces import overrides_async_api
from zarrdist.stores import resolve_store

if TYPE_CHECKING:
    from collections.abc import AsyncGenerator, AsyncIterator, Iterable, Iterator
    from types import TracebackType
    from typing import Self

    from zarrdist.storage._buffers import Buffer, BufferPrototype
    from zarrdist.stores import ByteRequest
    from zarrdist.stores import Store as SyncStore

__all__ = ["LoggingStore", "WrapperStore"]

T_Store = TypeVar("T_Store", bound=Store)


class WrapperStore(Store, Generic[T_Store]):
    """zarr-python's ``WrapperStore``: every call handed to the store it wraps.

    Parameters
    ----------
    store : zarrdist.abc.store.Store
        The wrapped store.
    """

    _store: T_Store

    def __init__(self, store: T_Store) -> None:
        self._store = store

    @classmethod
    async def open(cls, store_cls: type[T_Store], *args: Any, **kwargs: Any) -> Self:
        """Open ``store_cls(*args, **kwargs)`` and wrap it."""
        store = store_cls(*args, **kwargs)
        await store._open()
        return cls(store=store)

    def __zarrdist_store__(self) -> SyncStore:
        """The wrapped store's synchronous store, or a bridge for a subclass with its
        own coroutines."""
        if overrides_async_api(self):
            return super().__zarrdist_store__()
        return resolve_store(self._store)

    # -- state -----------------------------------------------------------------------
    @property
    def _is_open(self) -> bool:
        return self._store._is_open

    @_is_open.setter
    def _is_open(self, value: bool) -> None:
        raise NotImplementedError(f"{type(self).__name__} must be opened via the `_open` method")

    async def _open(self) -> None:
        await self._store._open()

    async def _ensure_open(self) -> None:
        await self._store._ensure_open()

    def close(self) -> None:
        """Close the wrapped store."""
        self._store.close()

    def __enter__(self) -> Self:
        return type(self)(self._store.__enter__())

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._store.__exit__(exc_type, exc_value, traceback)

    @property
    def read_only(self) -> bool:
        """The wrapped store's read-only mode."""
        return self._store.read_only

    def _check_writable(self) -> None:
        self._store._check_writable()

    def with_read_only(self, read_only: bool = False) -> Self:
        """A wrapper over the wrapped store's ``with_read_only(read_only)``."""
        return type(self)(self._store.with_read_only(read_only))  # type: ignore[arg-type]

    @property
    def supports_writes(self) -> bool:
        """The wrapped store's capability."""
        return self._store.supports_writes

    @property
    def supports_deletes(self) -> bool:
        """The wrapped store's capability."""
        return self._store.supports_deletes

    @property
    def supports_listing(self) -> bool:
        """The wrapped store's capability."""
        return self._store.supports_listing

    @property
    def supports_partial_writes(self) -> bool:
        """The wrapped store's capability."""
        return self._store.supports_partial_writes

    def __eq__(self, value: object) -> bool:
        return type(self) is type(value) and self._store == value._store

    __hash__ = None  # type: ignore[assignment]

    def __str__(self) -> str:
        return f"wrapping-{self._store}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}({type(self._store).__name__}, '{self._store}')"

    # -- the coroutines, handed on -----------------------------------------------------
    async def get(
        self, key: str, prototype: BufferPrototype, byte_range: ByteRequest | None = None
    ) -> Buffer | None:
        """The wrapped store's ``get``."""
        return await self._store.get(key, prototype, byte_range)

    async def get_partial_values(
        self, prototype: BufferPrototype, key_ranges: Iterable[tuple[str, ByteRequest | None]]
    ) -> list[Buffer | None]:
        """The wrapped store's ``get_partial_values``."""
        return await self._store.get_partial_values(prototype, key_ranges)

    async def _get_many(
        self, requests: Iterable[tuple[str, BufferPrototype, ByteRequest | None]]
    ) -> AsyncGenerator[tuple[str, Buffer | None], None]:
        async for item in self._store._get_many(requests):
            yield item

    async def exists(self, key: str) -> bool:
        """The wrapped store's ``exists``."""
        return await self._store.exists(key)

    async def getsize(self, key: str) -> int:
        """The wrapped store's ``getsize``."""
        return await self._store.getsize(key)

    async def getsize_prefix(self, prefix: str) -> int:
        """The wrapped store's ``getsize_prefix``."""
        return await self._store.getsize_prefix(prefix)

    async def set(self, key: str, value: Buffer) -> None:
        """The wrapped store's ``set``."""
        await self._store.set(key, value)

    async def set_if_not_exists(self, key: str, value: Buffer) -> None:
        """The wrapped store's ``set_if_not_exists``."""
        await self._store.set_if_not_exists(key, value)

    async def _set_many(self, values: Iterable[tuple[str, Buffer]]) -> None:
        await self._store._set_many(values)

    async def delete(self, key: str) -> None:
        """The wrapped store's ``delete``."""
        await self._store.delete(key)

    async def delete_dir(self, prefix: str) -> None:
        """The wrapped store's ``delete_dir``."""
        await self._store.delete_dir(prefix)

    async def clear(self) -> None:
        """The wrapped store's ``clear``."""
        await self._store.clear()

    def list(self) -> AsyncIterator[str]:
        """The wrapped store's ``list``."""
        return self._store.list()

    def list_prefix(self, prefix: str) -> AsyncIterator[str]:
        """The wrapped store's ``list_prefix``."""
        return self._store.list_prefix(prefix)

    def list_dir(self, prefix: str) -> AsyncIterator[str]:
        """The wrapped store's ``list_dir``."""
        return self._store.list_dir(prefix)

    async def is_empty(self, prefix: str = "") -> bool:
        """The wrapped store's ``is_empty``."""
        return await self._store.is_empty(prefix)


class LoggingStore(WrapperStore[T_Store]):
    """zarr-python's ``LoggingStore``: logs and counts every call to the wrapped store.

    Each call logs ``Calling <Store>.<method>`` and ``Finished <Store>.<method>`` at
    ``log_level`` to the logger ``LoggingStore(<store>)``; with no handler there and
    none on the root logger, one printing to stdout is added, as zarr-python does.

    Parameters
    ----------
    store : zarrdist.abc.store.Store
        The wrapped store.
    log_level : str
        Level of the records (``"DEBUG"``, ``"INFO"``, ...).
    log_handler : logging.Handler, optional
        A handler to attach to the logger.

    Attributes
    ----------
    counter : collections.defaultdict
        Calls so far by method name.
    """

    def __init__(
        self, store: T_Store, log_level: str = "DEBUG", log_handler: logging.Handler | None = None
    ) -> None:
        super().__init__(store)
        self.counter: defaultdict[str, int] = defaultdict(int)
        self.log_level = log_level
        self.log_handler = log_handler
        self.logger = logging.getLogger(f"LoggingStore({store})")
        self.logger.setLevel(log_level)
        if log_handler is not None:
            self.logger.addHandler(log_handler)
        elif not self.logger.handlers and not logging.getLogger().handlers:
            handler = logging.StreamHandler(sys.stdout)
            handler.setFormatter(logging.Formatter("%(asctime)s - %(name)s - %(message)s"))
            self.logger.addHandler(handler)

    @classmethod
    async def open(cls, store_cls: type[T_Store], *args: Any, **kwargs: Any) -> Self:
        """Open ``store_cls(*args, **kwargs)`` and wrap it (``log_level`` and
        ``log_handler`` are the wrapper's)."""
        level = kwargs.pop("log_level", "DEBUG")
        handler = kwargs.pop("log_handler", None)
        store = store_cls(*args, **kwargs)
        await store._open()
        return cls(store=store, log_level=level, log_handler=handler)

    def __zarrdist_store__(self) -> SyncStore:
        """A bridge through this store's coroutines: the engine's calls are logged."""
        return Store.__zarrdist_store__(self)

    def with_read_only(self, read_only: bool = False) -> Self:
        """A logging wrapper over the wrapped store's ``with_read_only(read_only)``."""
        other = self._store.with_read_only(read_only)
        return type(self)(other, log_level=self.log_level, log_handler=self.log_handler)  # type: ignore[arg-type]

    def __enter__(self) -> Self:
        return self

    def __str__(self) -> str:
        return f"logging-{self._store}"

    @contextmanager
    def log(self, hint: Any = "") -> Iterator[None]:
        """Count the caller's method and log its start and end around the block."""
        method = sys._getframe(2).f_code.co_name
        operation = f"{type(self._store).__name__}.{method}"
        if hint:
            operation += f"({hint})"
        level = logging.getLevelName(self.log_level)
        self.counter[method] += 1
        self.logger.log(level, "Calling %s", operation)
        start = time.perf_counter()
        try:
            yield
        finally:
            self.logger.log(level, "Finished %s [%.2f s]", operation, time.perf_counter() - start)

    async def get(
        self, key: str, prototype: BufferPrototype, byte_range: ByteRequest | None = None
    ) -> Buffer | None:
        """The wrapped store's ``get``, logged."""
        with self.log(key):
            return await self._store.get(key, prototype, byte_range)

    async def get_partial_values(
        self, prototype: BufferPrototype, key_ranges: Iterable[tuple[str, ByteRequest | None]]
    ) -> list[Buffer | None]:
        """The wrapped store's ``get_partial_values``, logged."""
        pairs = list(key_ranges)
        with self.log(pairs):
            return await self._store.get_partial_values(prototype, pairs)

    async def exists(self, key: str) -> bool:
        """The wrapped store's ``exists``, logged."""
        with self.log(key):
            return await self._store.exists(key)

    async def getsize(self, key: str) -> int:
        """The wrapped store's ``getsize``, logged."""
        with self.log(key):
            return await self._store.getsize(key)

    async def getsize_prefix(self, prefix: str) -> int:
        """The wrapped store's ``getsize_prefix``, logged."""
        with self.log(prefix):
            return await self._store.getsize_prefix(prefix)

    async def set(self, key: str, value: Buffer) -> None:
        """The wrapped store's ``set``, logged."""
        with self.log(key):
            await self._store.set(key, value)

    async def set_if_not_exists(self, key: str, value: Buffer) -> None:
        """The wrapped store's ``set_if_not_exists``, logged."""
        with self.log(key):
            await self._store.set_if_not_exists(key, value)

    async def delete(self, key: str) -> None:
        """The wrapped store's ``delete``, logged."""
        with self.log(key):
            await self._store.delete(key)

    async def delete_dir(self, prefix: str) -> None:
        """The wrapped store's ``delete_dir``, logged."""
        with self.log(prefix):
            await self._store.delete_dir(prefix)

    async def clear(self) -> None:
        """The wrapped store's ``clear``, logged."""
        with self.log():
            await self._store.clear()

    async def list(self) -> AsyncGenerator[str, None]:
        """The wrapped store's ``list``, logged."""
        with self.log():
            async for key in self._store.list():
                yield key

    async def list_prefix(self, prefix: str) -> AsyncGenerator[str, None]:
        """The wrapped store's ``list_prefix``, logged."""
        with self.log(prefix):
            async for key in self._store.list_prefix(prefix):
                yield key

    async def list_dir(self, prefix: str) -> AsyncGenerator[str, None]:
        """The wrapped store's ``list_dir``, logged."""
        with self.log(prefix):
            async for key in self._store.list_dir(prefix):
                yield key

    async def is_empty(self, prefix: str = "") -> bool:
        """The wrapped store's ``is_empty``, logged."""
        with self.log(prefix):
            return await self._store.is_empty(prefix)
