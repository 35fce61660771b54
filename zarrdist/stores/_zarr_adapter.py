"""ZarrStoreAdapter: a zarr-python store (``zarr.abc.store.Store``) as a zarrdist Store.

zarr-python's stores are asynchronous; zarrdist's are synchronous. The adapter runs
each call's coroutine on zarr-python's own I/O loop (``zarr.core.sync``), not on a
private loop thread of its own, for three reasons:

- a store shared between zarr-python and zarrdist keeps one loop: an async file
  system (s3fs) or client session a zarr-python store opened is bound to the loop
  it was opened on, and zarr-python drives the same store on that loop;
- zarr-python resets that loop after ``os.fork`` (``register_at_fork``), so a
  forked worker gets a fresh one instead of a dead thread's loop;
- one loop thread per process, however many adapters are open.

Batch methods (``get_many``, ``get_ranges``, ``set_many``, ``delete_prefix``) put
all their requests in flight in one loop call, at most ``io.max_concurrency`` at a
time.

Pickling: a task sent to a cluster worker carries the adapter's StoreSpec, which
holds the pickled zarr-python store (base64). A store that cannot be pickled (an
icechunk writable session, a store holding a client socket) or that lives in one
process (zarr-python's MemoryStore: a pickle would be a copy whose writes are lost)
gets a process-local spec: graphs over it run on threads in this process, and a
process that reaches it otherwise gets an error naming the store and the reason.

``pinned=True`` makes every process keep one instance per adapter, so writes held
in memory by the wrapped store (an icechunk fork session's change set) accumulate
in that instance until :func:`release_pinned` hands it back for merging.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import os
import pickle
import sys
import threading
import uuid
from collections import OrderedDict
from collections.abc import Coroutine, Iterable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

from zarrdist.errors import StoreError
from zarrdist.stores._base import (
    LOCAL_RANGE_GAP_BYTES,
    REMOTE_RANGE_GAP_BYTES,
    ByteRequest,
    OffsetByteRequest,
    RangeByteRequest,
    Store,
    StoreSpec,
    SuffixByteRequest,
)
from zarrdist.stores._in_process import InProcessStores
from zarrdist.stores._settings import setting

__all__ = [
    "DRIVER",
    "ZarrStoreAdapter",
    "is_zarr_store",
    "open_zarr_adapter_spec",
    "release_pinned",
]

T = TypeVar("T")
DRIVER = "zarr-python"
# Unpickled adapters, by pickle digest: tasks on one worker share one instance
# instead of unpickling the store for each task. Bounded (64: more stores than one
# graph uses, few enough that dropped stores' clients are let go); pinned ones live
# apart.
_OPENED: OrderedDict[str, ZarrStoreAdapter] = OrderedDict()
_OPENED_MAX = 64
_PINNED: dict[str, ZarrStoreAdapter] = {}
# Process-local adapters, reopened by id in the process where they live.
_LOCK = threading.Lock()
_LOCAL = InProcessStores(
    "the zarr-python store",
    "run the graph in that process (threaded or synchronous scheduler) or use a store "
    "that can be pickled",
)
# What a zarr-python store raises for a key with no value (getsize, ranged gets).
_MISSING = (FileNotFoundError, KeyError, IsADirectoryError, NotADirectoryError)


def is_zarr_store(obj: object) -> bool:
    """Whether ``obj`` is a zarr-python store; never imports zarr itself."""
    if "zarr" not in sys.modules or isinstance(obj, Store):
        # zarrdist's own stores first: where code runs with ``zarr`` mapped to
        # zarrdist, zarr.abc.store.Store is zarrdist's Store.
        return False
    from zarr.abc.store import Store as ZarrStore

    return isinstance(obj, ZarrStore)


def _run(coro: Coroutine[Any, Any, T]) -> T:
    from zarr.core.sync import sync

    return sync(coro)


def _prototype() -> Any:
    from zarr.core.buffer import default_buffer_prototype

    return default_buffer_prototype()


def _to_zarr_request(request: ByteRequest | None) -> Any:
    if request is None:
        return None
    from zarr.abc import store as zabc

    if isinstance(request, RangeByteRequest):
        return zabc.RangeByteRequest(request.start, request.end)
    if isinstance(request, OffsetByteRequest):
        return zabc.OffsetByteRequest(request.offset)
    return zabc.SuffixByteRequest(request.suffix)


def _is_empty(request: ByteRequest | None) -> bool:
    """A request whose answer is empty without asking (stores differ on these)."""
    if isinstance(request, RangeByteRequest):
        return request.end <= request.start
    return isinstance(request, SuffixByteRequest) and request.suffix == 0


def _clamp(request: ByteRequest, size: int) -> ByteRequest | None:
    """``request`` within a value of ``size`` bytes; None if nothing is left to read."""
    if isinstance(request, RangeByteRequest):
        start, end = min(request.start, size), min(request.end, size)
    elif isinstance(request, OffsetByteRequest):
        start, end = min(request.offset, size), size
    else:
        start, end = max(size - request.suffix, 0), size
    return RangeByteRequest(start, end) if end > start else None


def _buffer_bytes(buffer: Any) -> bytes | memoryview:
    """The bytes of a zarr-python Buffer (a view of host memory where there is one)."""
    try:
        array = buffer.as_numpy_array()
    except (AttributeError, TypeError):
        return bytes(buffer.to_bytes())
    return memoryview(array.reshape(-1).view("B"))


class ZarrStoreAdapter(Store):
    """A zarr-python store (LocalStore, MemoryStore, FsspecStore, ObjectStore, an
    icechunk session's store, ...) used through zarrdist's synchronous Store API.

    Parameters
    ----------
    store : zarr.abc.store.Store
        The zarr-python store; the adapter is read-only when it is.
    pinned : bool
        Every process that unpickles this adapter keeps one instance of it, found
        again by :func:`release_pinned`: for stores that keep writes in memory until
        they are collected (icechunk fork sessions).
    """

    def __init__(self, store: Any, *, pinned: bool = False) -> None:
        if not self._accepts(store):
            raise TypeError(f"{type(self).__name__} wraps a zarr.abc.store.Store, not {store!r}")
        self._zstore = store
        super().__init__(read_only=bool(store.read_only))
        self._pin = uuid.uuid4().hex if pinned else None
        self._local_id = uuid.uuid4().hex
        self._spec: StoreSpec | None = None
        self._pickle_error: str | None = None
        if self._pin is not None:
            with _LOCK:
                _PINNED[self._pin] = self

    def __repr__(self) -> str:
        return f"ZarrStoreAdapter({self._zstore!r})"

    @property
    def store(self) -> Any:
        """The wrapped zarr-python store."""
        return self._zstore

    @property
    def read_only(self) -> bool:
        """The wrapped store's read-only mode."""
        return bool(self._zstore.read_only)

    @property
    def url(self) -> str:
        """The wrapped store, as zarr-python prints it."""
        return f"{type(self._zstore).__name__}({self._zstore})"

    @property
    def pin(self) -> str | None:
        """The token :func:`release_pinned` takes, for a pinned adapter."""
        return self._pin

    # -- what a subclass bridging another async Store API changes -----------------------
    @classmethod
    def _accepts(cls, store: object) -> bool:
        """Whether ``store`` is a store of the API this class bridges."""
        return is_zarr_store(store)

    def _run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run one of the wrapped store's coroutines to completion."""
        return _run(coro)

    def _prototype(self) -> Any:
        """The buffer prototype handed to the wrapped store's ``get``."""
        return _prototype()

    def _request(self, request: ByteRequest | None) -> Any:
        """``request`` as the wrapped store's API spells it."""
        return _to_zarr_request(request)

    def _local_reason(self) -> str | None:
        """Why the wrapped store must stay in this process (None if a pickle reaches
        the same data)."""
        return _process_local_reason(self._zstore)

    # -- capabilities ----------------------------------------------------------------
    @property
    def supports_writes(self) -> bool:  # type: ignore[override]
        """The wrapped store's capability."""
        return bool(getattr(self._zstore, "supports_writes", True))

    @property
    def supports_deletes(self) -> bool:  # type: ignore[override]
        """The wrapped store's capability."""
        return bool(getattr(self._zstore, "supports_deletes", True))

    @property
    def supports_listing(self) -> bool:  # type: ignore[override]
        """The wrapped store's capability."""
        return bool(getattr(self._zstore, "supports_listing", True))

    @property
    def supports_consolidated_metadata(self) -> bool:  # type: ignore[override]
        """The wrapped store's capability."""
        return bool(getattr(self._zstore, "supports_consolidated_metadata", True))

    @property
    def supports_multiprocess_writes(self) -> bool:  # type: ignore[override]
        """True when another process reaches the same data from the spec."""
        return "pickle" in self.spec.options

    @property
    def range_gap_bytes(self) -> int:  # type: ignore[override]
        """0 in memory, 16 KiB for local files, 1 MiB for anything remote."""
        name = type(self._zstore).__name__
        if "Memory" in name:
            return 0
        return LOCAL_RANGE_GAP_BYTES if name == "LocalStore" else REMOTE_RANGE_GAP_BYTES

    # -- spec ------------------------------------------------------------------------
    @property
    def spec(self) -> StoreSpec:
        """``{"driver": "zarr-python", "pickle": <base64>, ...}``, or a process-local spec.

        Computed once: a pinned store ships the state it had when first sent.
        """
        if self._spec is None:
            self._spec = self._make_spec()
        return self._spec

    def _make_spec(self) -> StoreSpec:
        options: dict[str, Any] = {"store": self.url, "read_only": self.read_only}
        reason = self._local_reason()
        if reason is None:
            try:
                payload = pickle.dumps(self._zstore, protocol=pickle.HIGHEST_PROTOCOL)
            except Exception as exc:  # noqa: BLE001 - any pickling failure means "not shippable"
                reason = f"it cannot be pickled ({type(exc).__name__}: {exc})"
            else:
                options["pickle"] = base64.b64encode(payload).decode("ascii")
                if self._pin is not None:
                    options["pinned"] = self._pin
                return StoreSpec(DRIVER, options)
        self._pickle_error = reason
        options.update(_LOCAL.register(self._local_id, self, reason))
        return StoreSpec(DRIVER, options)

    def with_read_only(self, read_only: bool = True) -> Store:
        """An adapter over the wrapped store's ``with_read_only(read_only)``."""
        if read_only == self.read_only:
            return self
        try:
            other = self._zstore.with_read_only(read_only)
        except NotImplementedError as exc:
            raise StoreError(f"cannot reopen read_only={read_only}: {exc}", store=self.url) from exc
        return type(self)(other)

    def _error(self, action: str, key: str | None, exc: Exception) -> StoreError:
        return StoreError(f"cannot {action}: {type(exc).__name__}: {exc}", store=self.url, key=key)

    # -- coroutines ------------------------------------------------------------------
    async def _aexists(self, key: str) -> bool:
        store = self._zstore
        fs = getattr(store, "fs", None)
        if fs is not None and getattr(fs, "async_impl", False) and hasattr(store, "path"):
            # zarr-python's FsspecStore says a directory-like prefix exists on S3.
            return bool(await fs._isfile(f"{store.path}/{key}"))
        return bool(await store.exists(key))

    async def _aget(self, key: str, request: ByteRequest | None) -> bytes | memoryview | None:
        store = self._zstore
        if _is_empty(request):
            return b"" if await self._aexists(key) else None
        try:
            buffer = await store.get(key, self._prototype(), byte_range=self._request(request))
        except _MISSING:
            return None
        except Exception as exc:  # re-raised below unless the range clamps
            if request is None:
                raise self._error("read", key, exc) from exc
            # Some stores refuse a range past the end (HTTP 416, obstore's
            # "Requested range was invalid"); zarrdist clamps, as HTTP does.
            return await self._aget_clamped(key, request, exc)
        if buffer is None:
            return None
        value = _buffer_bytes(buffer)
        if isinstance(request, SuffixByteRequest) and len(value) < request.suffix:
            # A suffix longer than the value is the whole value; some stores cut it
            # (zarr-python's MemoryStore slices from a negative start).
            return await self._aget(key, None)
        return value

    async def _aget_clamped(
        self, key: str, request: ByteRequest, first: Exception
    ) -> bytes | memoryview | None:
        try:
            size = await self._zstore.getsize(key)
        except _MISSING:
            return None
        except (OSError, ValueError) as exc:
            raise self._error("read", key, first) from exc
        clamped = _clamp(request, size)
        if clamped is None:
            return b""
        if clamped == request:
            raise self._error("read", key, first) from first
        return await self._aget(key, clamped)

    async def _aset(self, key: str, value: bytes) -> None:
        try:
            await self._zstore.set(key, self._prototype().buffer.from_bytes(value))
        except (OSError, ValueError) as exc:
            raise self._error("write", key, exc) from exc

    async def _adelete(self, key: str) -> None:
        try:
            await self._zstore.delete(key)
        except _MISSING:
            return
        except (OSError, ValueError) as exc:
            raise self._error("delete", key, exc) from exc

    async def _gather(self, coros: Sequence[Coroutine[Any, Any, T]]) -> list[T]:
        semaphore = asyncio.Semaphore(max(1, int(setting("io.max_concurrency"))))

        async def one(coro: Coroutine[Any, Any, T]) -> T:
            async with semaphore:
                return await coro

        # Wait for all before raising, so no request is left running unobserved.
        results = await asyncio.gather(*(one(c) for c in coros), return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException):
                raise result
        return results  # type: ignore[return-value]

    def _fresh_listing(self) -> None:
        # zarr-python's FsspecStore lists through the file system's directory
        # cache, which misses other writers' keys (and sometimes its own).
        fs = getattr(self._zstore, "fs", None)
        if fs is not None and hasattr(fs, "invalidate_cache"):
            fs.invalidate_cache()

    async def _alist(self, prefix: str) -> list[str]:
        self._fresh_listing()
        listing = self._zstore.list_prefix(prefix) if prefix else self._zstore.list()
        return [key async for key in listing if key.startswith(prefix)]

    # -- the Store hooks and batch methods -----------------------------------------
    def _get(self, key: str, byte_range: ByteRequest | None) -> bytes | memoryview | None:
        return self._run(self._aget(key, byte_range))

    def get_many(self, keys: Sequence[str]) -> list[bytes | memoryview | None]:
        """Whole values of many keys, all requests in flight in one loop call."""
        keys = self._keys(keys)
        return self._run(self._gather([self._aget(k, None) for k in keys])) if keys else []

    def get_ranges(
        self, key: str, ranges: Sequence[ByteRequest]
    ) -> list[bytes | memoryview | None]:
        """Several byte ranges of one value, requested concurrently in one loop call."""
        key = self._ranges_key(key, ranges)
        return self._run(self._gather([self._aget(key, r) for r in ranges])) if ranges else []

    def _set(self, key: str, value: bytes | memoryview) -> None:
        # Copy: zarr-python's MemoryStore keeps the buffer, which the caller may reuse.
        self._run(self._aset(key, bytes(value)))

    def set_many(
        self, items: Mapping[str, bytes | memoryview] | Iterable[tuple[str, bytes]]
    ) -> None:
        """Store several values, concurrently in one loop call."""
        pairs = list(items.items() if isinstance(items, Mapping) else items)
        keys = self._keys([k for k, _ in pairs])
        for key in keys:
            self._check_writable(key)
        if pairs:
            self._run(
                self._gather(
                    [self._aset(k, bytes(v)) for k, (_, v) in zip(keys, pairs, strict=True)]
                )
            )

    def set_if_not_exists(self, key: str, value: bytes | memoryview) -> bool:
        """The wrapped store's conditional write; True if ``value`` is what it wrote."""
        key = self._key(key)
        self._check_writable(key)
        data = bytes(value)

        async def conditional() -> bool:
            if await self._aexists(key):
                return False
            await self._zstore.set_if_not_exists(key, self._prototype().buffer.from_bytes(data))
            # zarr-python's method returns nothing: read back whose value won.
            stored = await self._aget(key, None)
            return stored is not None and bytes(stored) == data

        return self._run(conditional())

    def _delete(self, key: str) -> None:
        self._run(self._adelete(key))

    def delete_prefix(self, prefix: str) -> int:
        """Delete every key under ``prefix``, concurrently; return the count."""
        self._check_writable(prefix or None)
        keys = self._run(self._alist(self._dir_prefix(prefix)))
        if keys:
            self._run(self._gather([self._adelete(k) for k in keys]))
        return len(keys)

    def exists(self, key: str) -> bool:
        """The wrapped store's ``exists``."""
        key = self._key(key)
        return self._run(self._aexists(key))

    def getsize(self, key: str) -> int | None:
        """The wrapped store's ``getsize``; None for a missing key."""
        key = self._key(key)

        async def size() -> int | None:
            # Some stores size a directory (LocalStore); a key is a value or nothing.
            if not await self._aexists(key):
                return None
            try:
                return int(await self._zstore.getsize(key))
            except _MISSING:
                return None

        return self._run(size())

    def _list(self, prefix: str) -> Iterator[str]:
        return iter(self._run(self._alist(prefix)))

    def list_dir(self, prefix: str) -> Iterator[str]:
        """The wrapped store's ``list_dir``."""
        directory = self._dir_prefix(prefix).rstrip("/")

        async def children() -> list[str]:
            self._fresh_listing()
            return [name async for name in self._zstore.list_dir(directory)]

        return iter(sorted({n.rstrip("/") for n in self._run(children()) if n.rstrip("/")}))

    def close(self) -> None:
        """Close the wrapped store."""
        self._zstore.close()


def _process_local_reason(store: Any) -> str | None:
    """Why ``store`` must stay in this process (None if a pickle reaches the same data)."""
    from zarr.storage import MemoryStore as ZarrMemoryStore

    if isinstance(store, ZarrMemoryStore):
        return "a zarr-python MemoryStore lives in one process (a pickle would be a copy)"
    return None


def open_zarr_adapter_spec(options: dict[str, Any]) -> Store:
    """Reopen an adapter from its spec: unpickle the store, or find the local one.

    Raises
    ------
    StoreError
        If the store is process-local and this is another process, or cannot be
        unpickled here; the message names the store.
    """
    name = str(options.get("store", "zarr-python store"))
    payload = options.get("pickle")
    if payload is None:
        return _open_local(options, name)
    pin = options.get("pinned")
    digest = str(pin) if pin else hashlib.sha256(str(payload).encode()).hexdigest()
    with _LOCK:
        found = _PINNED.get(digest) if pin else _OPENED.get(digest)
        if found is not None:
            return found
    try:
        zstore = pickle.loads(base64.b64decode(str(payload)))
    except Exception as exc:
        raise StoreError(
            f"cannot unpickle the zarr-python store in process {os.getpid()}: "
            f"{type(exc).__name__}: {exc}",
            store=name,
        ) from exc
    # A store that names its own synchronous form (zarrdist's async faces and
    # users' zarrdist.abc.store.Store subclasses) opens as that.
    native = getattr(zstore, "__zarrdist_store__", None)
    adapter = native() if native is not None else ZarrStoreAdapter(zstore)
    with _LOCK:
        if pin:
            adapter._pin = str(pin)
            return _PINNED.setdefault(str(pin), adapter)
        _OPENED[digest] = adapter
        while len(_OPENED) > _OPENED_MAX:
            _OPENED.popitem(last=False)
    return adapter


def _open_local(options: Mapping[str, Any], name: str) -> Store:
    adapter: ZarrStoreAdapter = _LOCAL.find(options, name)
    read_only = bool(options.get("read_only", adapter.read_only))
    return adapter if read_only == adapter.read_only else adapter.with_read_only(read_only)


def release_pinned(pin: str) -> list[Any]:
    """The zarr-python stores this process holds for a pinned adapter, forgotten here."""
    with _LOCK:
        adapter = _PINNED.pop(pin, None)
    return [] if adapter is None else [adapter.store]
