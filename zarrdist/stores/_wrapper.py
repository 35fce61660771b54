"""Adapter stores over a base store: WrapperStore, LoggingStore, CacheStore.

An adapter's spec nests its base's spec (``{"driver": "logging", "base": {...}}``),
so a worker reopens the whole chain from JSON, as with TensorStore's kvstore
adapters.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, ClassVar, Generic, TypeVar

from zarrdist.stores._base import (
    ByteRequest,
    Store,
    StoreSpec,
    check_byte_request,
    native_store,
    open_spec,
    slice_bytes,
)

__all__ = ["CacheStore", "LoggingStore", "WrapperStore", "open_wrapper_spec"]

T = TypeVar("T")
Value = bytes | memoryview


#: The wrapped store's type (``WrapperStore[LocalStore]``, as zarr-python's generic).
T_Store = TypeVar("T_Store", bound=Store)


class WrapperStore(Store, Generic[T_Store]):
    """A store that forwards every call to ``store``; subclass it to intercept calls.

    Parameters
    ----------
    store : Store
        The base store.
    """

    driver: ClassVar[str] = "wrapper"

    def __init__(self, store: Store) -> None:
        # zarr-python's async store faces (zarrdist.storage) wrap as the store they face.
        base = native_store(store)
        if not isinstance(base, Store):
            raise TypeError(f"{type(self).__name__} wraps a Store, not a {type(base).__name__}")
        self._store = base
        super().__init__(read_only=base.read_only)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._store!r})"

    @property
    def store(self) -> Store:
        """The base store."""
        return self._store

    @property
    def read_only(self) -> bool:
        """The base store's read-only mode."""
        return self._store.read_only

    @property
    def url(self) -> str:
        """The base store's URL."""
        return self._store.url

    # Capabilities are the base store's: a wrapped memory store still lives in one
    # process, and graphs over it must stay there.
    @property
    def supports_writes(self) -> bool:  # type: ignore[override]
        """The base store's capability."""
        return self._store.supports_writes

    @property
    def supports_deletes(self) -> bool:  # type: ignore[override]
        """The base store's capability."""
        return self._store.supports_deletes

    @property
    def supports_listing(self) -> bool:  # type: ignore[override]
        """The base store's capability."""
        return self._store.supports_listing

    @property
    def supports_partial_reads(self) -> bool:  # type: ignore[override]
        """The base store's capability."""
        return self._store.supports_partial_reads

    @property
    def supports_multiprocess_writes(self) -> bool:  # type: ignore[override]
        """The base store's capability."""
        return self._store.supports_multiprocess_writes

    @property
    def range_gap_bytes(self) -> int:  # type: ignore[override]
        """The base store's gap."""
        return self._store.range_gap_bytes

    @property
    def lock(self) -> Any:
        """The base store's cross-process ``lock(key)``, or None if it has none."""
        return getattr(self._store, "lock", None)

    @property
    def metadata_lock(self) -> Any:
        """The base store's cross-process ``metadata_lock(path)``, or None."""
        return getattr(self._store, "metadata_lock", None)

    @property
    def lock_identity(self) -> Any:
        """The base store's lock identity (local stores: real paths), or None."""
        return getattr(self._store, "lock_identity", None)

    @property
    def spec(self) -> StoreSpec:
        """``{"driver": <name>, "base": <base spec>, ...options}``."""
        return StoreSpec(self.driver, {"base": self._store.spec.to_json(), **self._options()})

    def _options(self) -> dict[str, Any]:
        """Options of this adapter (besides ``base``) that its spec carries."""
        return {}

    @classmethod
    def _from_options(cls, base: Store, options: Mapping[str, Any]) -> WrapperStore[Any]:
        return cls(base)

    def with_read_only(self, read_only: bool = True) -> Store:
        """The same adapter over a copy of the base with the given read-only mode."""
        return self._from_options(self._store.with_read_only(read_only), self._options())

    def _call(self, name: str, fn: Callable[..., T], *args: Any) -> T:
        """Every forwarded call goes through here (LoggingStore counts them)."""
        return fn(*args)

    # The abstract hooks, for code that calls them directly.
    def _get(self, key: str, byte_range: ByteRequest | None) -> Value | None:
        return self._store._get(key, byte_range)

    def _set(self, key: str, value: Value) -> None:
        self._store._set(key, value)

    def _delete(self, key: str) -> None:
        self._store._delete(key)

    def _list(self, prefix: str) -> Iterator[str]:
        return self._store._list(prefix)

    # -- forwarded public API ------------------------------------------------------
    def get(self, key: str, byte_range: ByteRequest | None = None) -> Value | None:
        """Forwarded to the base store."""
        return self._call("get", self._store.get, key, byte_range)

    def get_many(self, keys: Sequence[str]) -> list[Value | None]:
        """Forwarded to the base store."""
        return self._call("get_many", self._store.get_many, keys)

    def get_ranges(self, key: str, ranges: Sequence[ByteRequest]) -> list[Value | None]:
        """Forwarded to the base store."""
        return self._call("get_ranges", self._store.get_ranges, key, ranges)

    def set(self, key: str, value: bytes | bytearray | memoryview) -> None:
        """Forwarded to the base store."""
        self._call("set", self._store.set, key, value)

    def set_many(self, items: Mapping[str, Value] | Iterable[tuple[str, bytes]]) -> None:
        """Forwarded to the base store."""
        self._call("set_many", self._store.set_many, items)

    def set_if_not_exists(self, key: str, value: Value) -> bool:
        """Forwarded to the base store."""
        return self._call("set_if_not_exists", self._store.set_if_not_exists, key, value)

    def delete(self, key: str) -> None:
        """Forwarded to the base store."""
        self._call("delete", self._store.delete, key)

    def delete_prefix(self, prefix: str) -> int:
        """Forwarded to the base store."""
        return self._call("delete_prefix", self._store.delete_prefix, prefix)

    def exists(self, key: str) -> bool:
        """Forwarded to the base store."""
        return self._call("exists", self._store.exists, key)

    def getsize(self, key: str) -> int | None:
        """Forwarded to the base store."""
        return self._call("getsize", self._store.getsize, key)

    def list(self) -> Iterator[str]:
        """Forwarded to the base store."""
        return self._call("list", self._store.list)

    def list_prefix(self, prefix: str) -> Iterator[str]:
        """Forwarded to the base store."""
        return self._call("list_prefix", self._store.list_prefix, prefix)

    def list_dir(self, prefix: str) -> Iterator[str]:
        """Forwarded to the base store."""
        return self._call("list_dir", self._store.list_dir, prefix)

    def is_empty(self, prefix: str = "") -> bool:
        """Forwarded to the base store."""
        return self._call("is_empty", self._store.is_empty, prefix)

    def close(self) -> None:
        """Close the base store."""
        self._call("close", self._store.close)


class LoggingStore(WrapperStore[Store]):
    """Counts (and logs) every call made to the base store.

    zarr-python's signature: ``LoggingStore(store, log_level="DEBUG", log_handler=None)``.
    Calls are logged at ``log_level`` to the ``zarrdist.stores`` logger (or
    ``logger=``); a ``log_handler`` is attached to that logger, which then lets
    records of ``log_level`` through. Unlike zarr-python, no handler printing to
    stdout is added when none is given: graph tasks make many calls, and logging
    is the application's to configure.

    Parameters
    ----------
    store : Store
        The base store.
    log_level : int or str or None
        Log each call at this level (default DEBUG); None counts calls only.
    log_handler : logging.Handler, optional
        A handler to attach to the logger.
    logger : logging.Logger or str, optional
        Where to log (default ``zarrdist.stores``).

    Attributes
    ----------
    counter : collections.Counter
        Calls so far by method name (``get``, ``get_many``, ``set``, ``list_dir``, ...).
    """

    driver = "logging"

    def __init__(
        self,
        store: Store,
        log_level: int | str | None = "DEBUG",
        log_handler: logging.Handler | None = None,
        *,
        logger: logging.Logger | str | None = None,
    ) -> None:
        super().__init__(store)
        if isinstance(log_level, str):
            levels = logging.getLevelNamesMapping()
            if log_level.upper() not in levels:
                raise ValueError(f"unknown log level {log_level!r}; use one of {sorted(levels)}")
            log_level = levels[log_level.upper()]
        self.log_level: int | None = log_level
        if not isinstance(logger, logging.Logger):
            logger = logging.getLogger(logger or "zarrdist.stores")
        self.logger = logger
        self.log_handler = log_handler
        if log_handler is not None:
            if log_handler not in logger.handlers:
                logger.addHandler(log_handler)
            if log_level is not None and not logger.isEnabledFor(log_level):
                logger.setLevel(log_level)
        self.counter: Counter[str] = Counter()
        self._counter_lock = threading.Lock()

    def _options(self) -> dict[str, Any]:
        return {"log_level": self.log_level, "logger": self.logger.name}

    @classmethod
    def _from_options(cls, base: Store, options: Mapping[str, Any]) -> LoggingStore:
        return cls(base, log_level=options.get("log_level"), logger=options.get("logger"))

    @contextmanager
    def log(self, hint: Any = "") -> Iterator[None]:
        """Log the start and the duration of the block at INFO, and count it, under
        the caller's function name (zarr-python's ``LoggingStore.log``)."""
        caller = sys._getframe(2).f_code.co_name
        op = f"{type(self._store).__name__}.{caller}" + (f"({hint})" if hint else "")
        self.logger.info(" Calling %s", op)
        start = time.perf_counter()
        with self._counter_lock:
            self.counter[caller] += 1
        try:
            yield
        finally:
            self.logger.info("Finished %s [%.2f s]", op, time.perf_counter() - start)

    def _call(self, name: str, fn: Callable[..., T], *args: Any) -> T:
        with self._counter_lock:
            self.counter[name] += 1
        level = self.log_level
        if level is None or not self.logger.isEnabledFor(level):
            return fn(*args)
        start = time.perf_counter()
        try:
            return fn(*args)
        finally:
            elapsed = (time.perf_counter() - start) * 1000
            shown = ", ".join(_short(a) for a in args)
            self.logger.log(level, "%s.%s(%s) %.2f ms", self.url, name, shown, elapsed)


def _short(arg: Any) -> str:
    """A log-friendly form of an argument: values by their size, keys in full."""
    if isinstance(arg, bytes | bytearray | memoryview):
        return f"<{len(arg)} bytes>"
    if isinstance(arg, Sequence | Mapping) and not isinstance(arg, str) and len(arg) > 4:
        return f"<{len(arg)} items>"
    return repr(arg)


class CacheStore(WrapperStore[Store]):
    """A bounded LRU cache of whole values in front of a slow store.

    Byte ranges are served from a cached whole value, or passed through uncached
    (caching them would pull whole shards for a partial read). Writes go straight
    to the base and drop the key from the cache. Thread-safe.

    Parameters
    ----------
    store : Store
        The base store.
    max_size_bytes : int
        Total bytes of cached values; a larger value is never cached.

    Attributes
    ----------
    hits, misses : int
        Whole-value lookups answered from the cache, and not.
    """

    driver = "cache"

    def __init__(self, store: Store, max_size_bytes: int) -> None:
        super().__init__(store)
        if max_size_bytes < 0:
            raise ValueError(f"max_size_bytes must be >= 0, not {max_size_bytes}")
        self.max_size_bytes = int(max_size_bytes)
        self._values: OrderedDict[str, bytes] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()
        # Bumped by every invalidation: a fetch that started before a write must
        # not put the old value back after the write dropped it.
        self._generation = 0
        self.hits = 0
        self.misses = 0

    @property
    def cached_bytes(self) -> int:
        """Bytes currently held."""
        return self._size

    def _options(self) -> dict[str, Any]:
        return {"max_size_bytes": self.max_size_bytes}

    @classmethod
    def _from_options(cls, base: Store, options: Mapping[str, Any]) -> CacheStore:
        return cls(base, int(options["max_size_bytes"]))

    def _lookup(self, key: str) -> bytes | None:
        with self._lock:
            value = self._values.get(key)
            if value is None:
                self.misses += 1
                return None
            self._values.move_to_end(key)
            self.hits += 1
            return value

    def _insert(self, key: str, value: Value, generation: int) -> None:
        if len(value) > self.max_size_bytes:
            return
        with self._lock:
            if generation != self._generation:
                return
            old = self._values.pop(key, None)
            self._size -= 0 if old is None else len(old)
            self._values[key] = bytes(value)
            self._size += len(value)
            while self._size > self.max_size_bytes:
                _, evicted = self._values.popitem(last=False)
                self._size -= len(evicted)

    def _invalidate(self, match: Callable[[str], bool]) -> None:
        with self._lock:
            self._generation += 1
            for key in [k for k in self._values if match(k)]:
                self._size -= len(self._values.pop(key))

    def get(self, key: str, byte_range: ByteRequest | None = None) -> Value | None:
        """The value, from the cache when held; whole values fetched are cached."""
        key = self._key(key)
        check_byte_request(byte_range, store=self.url, key=key)
        cached = self._lookup(key)
        if cached is not None:
            return slice_bytes(cached, byte_range)
        if byte_range is not None:
            return self._store.get(key, byte_range)
        generation = self._generation
        value = self._store.get(key)
        if value is not None:
            self._insert(key, value, generation)
        return value

    def get_many(self, keys: Sequence[str]) -> list[Value | None]:
        """Cached values from the cache, the rest in one batch call to the base."""
        keys = self._keys(keys)
        out: list[Value | None] = [self._lookup(k) for k in keys]
        missing = [i for i, v in enumerate(out) if v is None]
        if missing:
            generation = self._generation
            fetched = self._store.get_many([keys[i] for i in missing])
            for i, value in zip(missing, fetched, strict=True):
                out[i] = value
                if value is not None:
                    self._insert(keys[i], value, generation)
        return out

    def get_ranges(self, key: str, ranges: Sequence[ByteRequest]) -> list[Value | None]:
        """Ranges of a cached value, or passed through to the base."""
        key = self._ranges_key(key, ranges)
        cached = self._lookup(key)
        if cached is None:
            return self._store.get_ranges(key, ranges)
        return [slice_bytes(cached, r) for r in ranges]

    def exists(self, key: str) -> bool:
        """True at once for a cached key; else asks the base."""
        key = self._key(key)
        with self._lock:
            if key in self._values:
                return True
        return self._store.exists(key)

    def _write(self, keys: Sequence[str], write: Callable[[], T]) -> T:
        wanted = set(keys)
        self._invalidate(wanted.__contains__)
        try:
            return write()
        finally:
            # Again after: a fetch that ran during the write may have cached old bytes.
            self._invalidate(wanted.__contains__)

    def set(self, key: str, value: bytes | bytearray | memoryview) -> None:
        """Write through to the base and drop ``key`` from the cache."""
        self._write([key], lambda: self._store.set(key, value))

    def set_many(self, items: Mapping[str, Value] | Iterable[tuple[str, bytes]]) -> None:
        """Write through to the base and drop the keys from the cache."""
        pairs = list(items.items() if isinstance(items, Mapping) else items)
        self._write([k for k, _ in pairs], lambda: self._store.set_many(pairs))

    def set_if_not_exists(self, key: str, value: Value) -> bool:
        """Forwarded to the base; drops ``key`` from the cache."""
        return self._write([key], lambda: self._store.set_if_not_exists(key, value))

    def delete(self, key: str) -> None:
        """Delete in the base and drop ``key`` from the cache."""
        self._write([key], lambda: self._store.delete(key))

    def delete_prefix(self, prefix: str) -> int:
        """Delete in the base and drop every cached key under ``prefix``."""
        start = self._dir_prefix(prefix)
        self._invalidate(lambda k: k.startswith(start))
        try:
            return self._store.delete_prefix(prefix)
        finally:
            self._invalidate(lambda k: k.startswith(start))


def open_wrapper_spec(cls: type[WrapperStore[Any]]) -> Callable[[dict[str, Any]], Store]:
    """The spec opener for an adapter class: reopen the base, then wrap it."""

    def opener(options: dict[str, Any]) -> Store:
        base = open_spec(StoreSpec.from_json(options["base"]))
        return cls._from_options(base, options)

    return opener
