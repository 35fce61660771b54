"""FsspecStore: keys under a path of any fsspec file system (s3, gcs, http, file, memory).

Latency, not bandwidth, bounds many small reads from an object store, so the batch
methods (``get_many``, ``get_ranges``, ``set_many``) put up to ``io.max_concurrency``
requests in flight at once: on an async file system (s3fs, gcsfs, http) as
coroutines on the file system's own loop, on a sync one in a short-lived thread
pool. Single-key methods call the file system directly.
"""

from __future__ import annotations

import asyncio
import errno
import inspect
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import fsspec
from fsspec.asyn import get_loop
from fsspec.asyn import sync as run_on_loop
from fsspec.mapping import FSMap

from zarrdist.errors import StoreError
from zarrdist.stores._base import (
    LOCAL_RANGE_GAP_BYTES,
    REMOTE_RANGE_GAP_BYTES,
    ByteRequest,
    OffsetByteRequest,
    RangeByteRequest,
    Store,
    StoreSpec,
)
from zarrdist.stores._remote import GuardedFileSystem, translate_remote_error, with_timeouts
from zarrdist.stores._settings import setting

__all__ = ["ALLOWED_EXCEPTIONS", "FsspecStore", "open_fsspec_spec"]

T = TypeVar("T")
# What a file system raises for a key that holds no value (zarr-python's default).
ALLOWED_EXCEPTIONS: tuple[type[Exception], ...] = (
    FileNotFoundError,
    IsADirectoryError,
    NotADirectoryError,
)
_MISSING = ALLOWED_EXCEPTIONS
# A byte request whose answer is empty without asking the server (S3 answers an
# empty Range with the whole object).
_EMPTY = (0, 0)


def _bounds(request: ByteRequest | None) -> tuple[int | None, int | None]:
    """fsspec ``(start, end)`` for a byte request; :data:`_EMPTY` for an empty answer."""
    if request is None:
        return None, None
    if isinstance(request, RangeByteRequest):
        return (request.start, request.end) if request.end > request.start else _EMPTY
    if isinstance(request, OffsetByteRequest):
        return (request.offset or None), None
    return (-request.suffix, None) if request.suffix else _EMPTY


def _clean_url(url: str) -> str:
    """``url`` without trailing slashes on its path (``memory://`` itself stays whole)."""
    scheme, sep, rest = url.partition("://")
    return f"{scheme}{sep}{rest.rstrip('/')}" if rest.rstrip("/") else url


def _out_of_range(exc: OSError, request: ByteRequest | None) -> bool:
    # s3fs reports HTTP 416 (a start past the end, or any range of an empty object)
    # as EINVAL; HTTP semantics clamp instead, so the answer is empty.
    return request is not None and exc.errno == errno.EINVAL


class FsspecStore(Store):
    """Keys under ``path`` of an fsspec file system.

    zarr-python's signature. The file system may be asynchronous
    (``s3fs.S3FileSystem(asynchronous=True)``, as zarr-python asks for): zarrdist
    then runs its coroutines on fsspec's own I/O loop (``fsspec.asyn.get_loop``),
    single calls and batches alike, so the file system's client session lives on
    one loop.

    Parameters
    ----------
    fs : fsspec.AbstractFileSystem or fsspec.FSMap
        The file system, synchronous or asynchronous (or a mapping, whose file
        system and root are used).
    read_only : bool
        Refuse writes.
    path : str
        Root of the store in ``fs``; ignored for an FSMap.
    allowed_exceptions : tuple of exception types
        What the file system raises for a key that holds no value: a read that
        raises one of these reads as missing (None).
    """

    def __init__(
        self,
        fs: fsspec.AbstractFileSystem | FSMap,
        read_only: bool = False,
        path: str = "/",
        allowed_exceptions: tuple[type[Exception], ...] = ALLOWED_EXCEPTIONS,
    ) -> None:
        if isinstance(fs, FSMap):
            fs, path = fs.fs, fs.root
        # Every call time-limited by async.timeout, HTTP-stack errors as OSError.
        self.fs = GuardedFileSystem(fs)
        self.allowed_exceptions = tuple(allowed_exceptions)
        # The calls zarrdist makes, synchronous whatever kind of file system fs is.
        self._sync_fs: Any = (
            _OnFsspecLoop(self.fs) if getattr(fs, "asynchronous", False) else self.fs
        )
        self.path = str(fs._strip_protocol(path)).rstrip("/")
        options = dict(fs.storage_options)
        # Another process reopens the store synchronously (the spec's file system).
        options.pop("asynchronous", None)
        self._storage_options: dict[str, Any] = options
        self._url = str(fs.unstrip_protocol(self.path or "/"))
        super().__init__(read_only=read_only)

    @classmethod
    def from_url(
        cls,
        url: str,
        storage_options: Mapping[str, Any] | None = None,
        read_only: bool = False,
        allowed_exceptions: tuple[type[Exception], ...] = ALLOWED_EXCEPTIONS,
    ) -> FsspecStore:
        """Open the store at an fsspec URL (``s3://bucket/x.zarr``, ``memory://x``, ...)."""
        options = dict(storage_options or {})
        protocol = url.partition("://")[0] if "://" in url else "file"
        try:
            fs, path = fsspec.core.url_to_fs(url, **with_timeouts(protocol, options))
        except Exception as exc:
            translated = translate_remote_error(exc)
            if translated is exc:
                raise
            raise StoreError(f"cannot open: {translated}", store=_clean_url(url)) from exc
        store = cls(fs, read_only=read_only, path=path, allowed_exceptions=allowed_exceptions)
        # Keep the caller's URL and options: they reopen the same store elsewhere.
        store._url = _clean_url(url)
        options.pop("asynchronous", None)
        store._storage_options = options
        return store

    @classmethod
    def from_mapper(
        cls,
        fs_map: FSMap,
        read_only: bool = False,
        allowed_exceptions: tuple[type[Exception], ...] = ALLOWED_EXCEPTIONS,
    ) -> FsspecStore:
        """The store over an fsspec mapping (``fsspec.get_mapper(url)``), as in zarr-python."""
        if not isinstance(fs_map, FSMap):
            raise TypeError(f"from_mapper needs an fsspec FSMap, not a {type(fs_map).__name__}")
        return cls(fs_map, read_only=read_only, allowed_exceptions=allowed_exceptions)

    @classmethod
    def from_upath(
        cls,
        upath: Any,
        read_only: bool = False,
        allowed_exceptions: tuple[type[Exception], ...] = ALLOWED_EXCEPTIONS,
    ) -> FsspecStore:
        """The store at a ``universal_pathlib`` path (its file system and path)."""
        fs, path = getattr(upath, "fs", None), getattr(upath, "path", None)
        if fs is None or path is None:
            raise TypeError(f"from_upath needs a UPath, not a {type(upath).__name__}")
        return cls(
            fs,
            read_only=read_only,
            path=str(path).rstrip("/"),
            allowed_exceptions=allowed_exceptions,
        )

    def __repr__(self) -> str:
        return f"FsspecStore({self._url!r}, read_only={self.read_only})"

    @property
    def url(self) -> str:
        """The URL of the store's root."""
        return self._url

    @property
    def spec(self) -> StoreSpec:
        """``{"driver": "fsspec", "url": ..., "storage_options": ..., "read_only": ...}``."""
        options = {
            "url": self._url,
            "storage_options": self._storage_options,
            "read_only": self.read_only,
        }
        return StoreSpec("fsspec", options)

    @property
    def range_gap_bytes(self) -> int:  # type: ignore[override]
        """1 MiB for remote file systems; 16 KiB for local files; 0 for ``memory://``."""
        protocols = self.fs.protocol if isinstance(self.fs.protocol, tuple) else (self.fs.protocol,)
        if "memory" in protocols:
            return 0
        if "file" in protocols or "local" in protocols:
            return LOCAL_RANGE_GAP_BYTES
        return REMOTE_RANGE_GAP_BYTES

    def _full(self, key: str) -> str:
        return f"{self.path}/{key}" if key else self.path

    def _error(self, action: str, key: str | None, exc: OSError) -> StoreError:
        return StoreError(
            f"cannot {action}: {str(exc) or type(exc).__name__}", store=self._url, key=key
        )

    # -- concurrency ---------------------------------------------------------------
    def _batch(
        self,
        sync_fn: Callable[..., T],
        async_fn: Callable[..., Awaitable[T]],
        calls: Sequence[tuple[Any, ...]],
    ) -> list[T]:
        """Run ``fn(*args)`` for every args tuple, concurrently, results in order."""
        if len(calls) <= 1:
            return [sync_fn(*args) for args in calls]
        limit = max(1, int(setting("io.max_concurrency")))
        loop = _loop_of(self.fs)
        if self.fs.async_impl and loop is not None:
            results: list[T] = run_on_loop(loop, _gather, async_fn, calls, limit)
            return results
        with ThreadPoolExecutor(max_workers=min(limit, len(calls))) as pool:
            return list(pool.map(lambda args: sync_fn(*args), calls))

    # -- reads ---------------------------------------------------------------------
    def _read(self, key: str, request: ByteRequest | None) -> bytes | None:
        path = self._full(key)
        start, end = _bounds(request)
        try:
            if (start, end) == _EMPTY:
                return b"" if self._sync_fs.isfile(path) else None
            return bytes(self._sync_fs.cat_file(path, start=start, end=end))
        except self.allowed_exceptions:
            return None
        except OSError as exc:
            if _out_of_range(exc, request):
                return b"" if self._sync_fs.isfile(path) else None
            raise self._error("read", key, exc) from exc

    async def _aread(self, key: str, request: ByteRequest | None) -> bytes | None:
        path = self._full(key)
        start, end = _bounds(request)
        try:
            if (start, end) == _EMPTY:
                return b"" if await self.fs._isfile(path) else None
            return bytes(await self.fs._cat_file(path, start=start, end=end))
        except self.allowed_exceptions:
            return None
        except OSError as exc:
            if _out_of_range(exc, request):
                return b"" if await self.fs._isfile(path) else None
            raise self._error("read", key, exc) from exc

    def _get(self, key: str, byte_range: ByteRequest | None) -> bytes | None:
        return self._read(key, byte_range)

    def get_many(self, keys: Sequence[str]) -> list[bytes | memoryview | None]:
        """Whole values of many keys, fetched concurrently; None for each missing key."""
        calls = [(k, None) for k in self._keys(keys)]
        return list(self._batch(self._read, self._aread, calls))

    def get_ranges(
        self, key: str, ranges: Sequence[ByteRequest]
    ) -> list[bytes | memoryview | None]:
        """Several byte ranges of one value, fetched concurrently."""
        key = self._ranges_key(key, ranges)
        return list(self._batch(self._read, self._aread, [(key, r) for r in ranges]))

    def exists(self, key: str) -> bool:
        """Whether an object (not a directory) is at ``key``."""
        key = self._key(key)
        try:
            return bool(self._sync_fs.isfile(self._full(key)))
        except OSError as exc:
            raise self._error("check", key, exc) from exc

    def getsize(self, key: str) -> int | None:
        """Size of the object from its metadata; None if missing."""
        key = self._key(key)
        try:
            info = self._sync_fs.info(self._full(key))
        except _MISSING:
            return None
        except OSError as exc:
            raise self._error("stat", key, exc) from exc
        return int(info["size"]) if info.get("type") == "file" else None

    # -- writes --------------------------------------------------------------------
    def _write(self, key: str, value: bytes) -> None:
        path = self._full(key)
        try:
            try:
                self._sync_fs.pipe_file(path, value)
            except FileNotFoundError:
                # Directory-based file systems (file://) need the parent first.
                self._sync_fs.makedirs(self.fs._parent(path), exist_ok=True)
                self._sync_fs.pipe_file(path, value)
        except OSError as exc:
            raise self._error("write", key, exc) from exc

    async def _awrite(self, key: str, value: bytes) -> None:
        path = self._full(key)
        try:
            try:
                await self.fs._pipe_file(path, value)
            except FileNotFoundError:
                await self.fs._makedirs(self.fs._parent(path), exist_ok=True)
                await self.fs._pipe_file(path, value)
        except OSError as exc:
            raise self._error("write", key, exc) from exc

    def _set(self, key: str, value: bytes | memoryview) -> None:
        self._write(key, bytes(value))

    def set_many(
        self, items: Mapping[str, bytes | memoryview] | Iterable[tuple[str, bytes]]
    ) -> None:
        """Store several values with concurrent requests."""
        pairs = items.items() if isinstance(items, Mapping) else items
        calls = [(self._key(k), bytes(v)) for k, v in pairs]
        for key, _ in calls:
            self._check_writable(key)
        self._batch(self._write, self._awrite, calls)

    def _delete(self, key: str) -> None:
        try:
            self._sync_fs.rm_file(self._full(key))
        except _MISSING:
            return
        except OSError as exc:
            raise self._error("delete", key, exc) from exc

    def delete_prefix(self, prefix: str) -> int:
        """Delete every key under ``prefix`` with one bulk request; return the count."""
        self._check_writable(prefix or None)
        keys = list(self._list(self._dir_prefix(prefix)))
        if keys:
            try:
                self._sync_fs.rm([self._full(k) for k in keys])
            except _MISSING:
                pass
            except OSError as exc:
                raise self._error("delete", prefix, exc) from exc
        return len(keys)

    # -- listing -------------------------------------------------------------------
    def _list(self, prefix: str) -> Iterator[str]:
        base = self._full(prefix.rpartition("/")[0])
        root = f"{self.path}/"
        try:
            # A listing must see other writers' keys, not a cached directory.
            self._sync_fs.invalidate_cache(base)
            paths = self._sync_fs.find(base or "/", withdirs=False)
        except _MISSING:
            return iter(())
        except OSError as exc:
            raise self._error("list", prefix, exc) from exc
        keys = (p[len(root) :] for p in paths if p.startswith(root))
        return iter([k for k in keys if k.startswith(prefix)])

    def list_dir(self, prefix: str) -> Iterator[str]:
        """Names directly under ``prefix``, from one directory listing."""
        prefix = self._dir_prefix(prefix)
        directory = self._full(prefix.rstrip("/"))
        try:
            self._sync_fs.invalidate_cache(directory)
            entries = self._sync_fs.ls(directory or "/", detail=False)
        except _MISSING:
            return iter(())
        except OSError as exc:
            raise self._error("list", prefix, exc) from exc
        inside = f"{directory}/"
        names = {str(p).rstrip("/")[len(inside) :] for p in entries if str(p).startswith(inside)}
        return iter(sorted(n for n in names if n and "/" not in n))


async def _gather(
    fn: Callable[..., Awaitable[T]], calls: Sequence[tuple[Any, ...]], limit: int
) -> list[T]:
    """Await ``fn(*args)`` for every call, at most ``limit`` at a time, in order."""
    semaphore = asyncio.Semaphore(limit)

    async def one(args: tuple[Any, ...]) -> T:
        async with semaphore:
            return await fn(*args)

    # Wait for all before raising, so no request is left running unobserved.
    results = await asyncio.gather(*(one(args) for args in calls), return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return results  # type: ignore[return-value]


def _loop_of(fs: Any) -> asyncio.AbstractEventLoop | None:
    """The loop to run ``fs``'s coroutines on: its own, or fsspec's for an async one."""
    if getattr(fs, "asynchronous", False):
        loop: asyncio.AbstractEventLoop = get_loop()
        return loop
    own: asyncio.AbstractEventLoop | None = getattr(fs, "loop", None)
    return own


class _OnFsspecLoop:
    """An asynchronous file system's methods called synchronously on fsspec's loop.

    ``fs.cat_file(...)`` on a file system made with ``asynchronous=True`` fails
    ("Loop is not running"): its sync methods expect to be awaited. Here each
    method that has a coroutine twin (``_cat_file``) runs that coroutine on
    fsspec's I/O loop; anything else (``invalidate_cache``, ``_parent``) is the
    file system's own.
    """

    def __init__(self, fs: Any) -> None:
        self._fs = fs

    def __getattr__(self, name: str) -> Any:
        twin = getattr(self._fs, f"_{name}", None)
        if twin is not None and inspect.iscoroutinefunction(twin):
            return lambda *args, **kwargs: run_on_loop(get_loop(), twin, *args, **kwargs)
        return getattr(self._fs, name)


def open_fsspec_spec(options: dict[str, Any]) -> FsspecStore:
    """Open an fsspec spec: ``FsspecStore.from_url(url, storage_options, read_only)``."""
    return FsspecStore.from_url(
        str(options["url"]),
        storage_options=options.get("storage_options") or {},
        read_only=bool(options.get("read_only", False)),
    )
