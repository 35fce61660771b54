"""The Store ABC: synchronous bytes by key, with byte-range requests.

A store knows nothing of arrays. It moves 1-D bytes by string key. A missing key
is ``None``, never an error. Back-ends that gain from concurrency (object stores)
implement the batch methods (``get_many``, ``get_ranges``) concurrently inside
one call; dask supplies the parallelism between tasks, so there is no hidden
event-loop thread here.
"""

from __future__ import annotations

import asyncio
import json
import re
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Self

from zarrdist.errors import ByteRangeError, ReadOnlyStoreError, StoreError

__all__ = [
    "ACCESS_MODES",
    "LOCAL_RANGE_GAP_BYTES",
    "REMOTE_RANGE_GAP_BYTES",
    "ByteRequest",
    "OffsetByteRequest",
    "RangeByteRequest",
    "Store",
    "StoreSpec",
    "SuffixByteRequest",
    "native_store",
    "normalize_key",
    "normalize_keys",
    "open_spec",
    "read_only_from_mode",
    "register_driver",
    "slice_bytes",
    "unpickle_store",
]


@dataclass(frozen=True, slots=True)
class RangeByteRequest:
    """Bytes ``[start, end)``; ``end`` is exclusive, as in Python slices."""

    start: int
    end: int


@dataclass(frozen=True, slots=True)
class OffsetByteRequest:
    """Every byte from ``offset`` to the end of the value."""

    offset: int


@dataclass(frozen=True, slots=True)
class SuffixByteRequest:
    """The last ``suffix`` bytes of the value (all of it if shorter)."""

    suffix: int


ByteRequest = RangeByteRequest | OffsetByteRequest | SuffixByteRequest


def check_byte_request(request: ByteRequest | None, *, store: str, key: str) -> None:
    """Raise ByteRangeError for a request no store could satisfy (negative, reversed)."""
    if request is None:
        return
    if isinstance(request, RangeByteRequest):
        bad = request.start < 0 or request.end < request.start
    elif isinstance(request, OffsetByteRequest):
        bad = request.offset < 0
    elif isinstance(request, SuffixByteRequest):
        bad = request.suffix < 0
    else:
        raise ByteRangeError(f"unknown byte request {request!r}", store=store, key=key)
    if bad:
        raise ByteRangeError(f"invalid byte request {request!r}", store=store, key=key)


def slice_bytes(value: bytes | memoryview, request: ByteRequest | None) -> bytes | memoryview:
    """Apply a byte request to a whole value, with HTTP-like clamping at the end."""
    if request is None:
        return value
    n = len(value)
    if isinstance(request, RangeByteRequest):
        return value[min(request.start, n) : min(request.end, n)]
    if isinstance(request, OffsetByteRequest):
        return value[min(request.offset, n) :]
    if request.suffix == 0:
        return value[n:]
    return value[max(n - request.suffix, 0) :]


def normalize_key(key: str, *, store: str = "") -> str:
    """Check a store key and return it unchanged.

    Keys are ``/``-separated relative paths. A key that could leave a store's root
    (``..`` segments, absolute paths, backslashes, drive letters, NUL) is refused
    here, at the store API, for every store.

    Raises
    ------
    ByteRangeError
        If the key is not a safe relative key.
    """
    # normalize_keys applies these rules to many keys at once: change both.
    if not isinstance(key, str):
        raise ByteRangeError(f"store keys are str, not {type(key).__name__}", store=store)
    bad = (
        key.startswith("/")
        or "\\" in key
        or "\x00" in key
        or (len(key) > 1 and key[1] == ":")
        # Only a key with a dot can have a "." or ".." segment; chunk keys (c/0/1)
        # skip the split.
        or ("." in key and any(part in ("..", ".") for part in key.split("/")))
        or "//" in key
    )
    if bad:
        raise ByteRangeError("refused a key that could leave the store root", store=store, key=key)
    return key


#: A key whose second character is a drive letter's colon, in newline-led keys.
_DRIVE = re.compile(r"\n[^\n]:")


def normalize_keys(keys: Sequence[str], *, store: str = "") -> list[str]:
    """:func:`normalize_key` for many keys: the same keys accepted, the same error raised.

    The checks run once over the keys joined by newlines, in C, rather than key by
    key in Python, whose time is GIL held while other threads wait (measured in
    docs/performance.md, "Key checks in one pass"). Anything the joined
    checks cannot rule out (a key that is not a str, holds a newline or a dot, or
    fails a check) is checked key by key, which names the key at fault. A rule
    added to :func:`normalize_key` must be added here too.
    """
    try:
        # Every key, the first too, follows a newline: a rule about a key's start
        # is one search.
        joined = "\n" + "\n".join(keys)
    except TypeError:
        joined = None
    if (
        joined is None
        or joined.count("\n") != len(keys)
        or "\n/" in joined
        or "\\" in joined
        or "\x00" in joined
        or "//" in joined
        or "." in joined
        or _DRIVE.search(joined) is not None
    ):
        return [normalize_key(key, store=store) for key in keys]
    return list(keys)


#: zarr-python's access-mode spellings; only "r" makes a store read-only.
ACCESS_MODES = ("r", "r+", "a", "w", "w-")


def read_only_from_mode(mode: str | None, read_only: bool, *, store: str = "") -> bool:
    """Combine a zarr-python ``mode`` with an explicit ``read_only`` flag.

    Raises
    ------
    ValueError
        If ``mode`` is not an access mode, or asks for writes on a read-only store.
    """
    if mode is None:
        return read_only
    if mode not in ACCESS_MODES:
        raise ValueError(f"unknown access mode {mode!r} for {store or 'store'}; use {ACCESS_MODES}")
    if read_only and mode != "r":
        raise ValueError(f"mode={mode!r} asks for writes but read_only=True ({store or 'store'})")
    return mode == "r"


@dataclass(frozen=True)
class StoreSpec:
    """A JSON-able description of a store from which any process can reopen it.

    ``driver`` names the implementation (``local``, ``memory``, ``zip``, ``fsspec``,
    ``logging``, ``cache``, ...); ``options`` holds its JSON-able arguments. Adapter
    stores keep their base store's spec under ``options["base"]``.
    """

    driver: str
    options: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The spec as a plain JSON-able dict."""
        return {"driver": self.driver, **self.options}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> StoreSpec:
        """Rebuild a spec from :meth:`to_json`'s output."""
        options = dict(data)
        driver = options.pop("driver")
        return cls(driver=driver, options=options)

    def open(self) -> Store:
        """Open (or, in a worker, reopen) the store this spec describes."""
        return open_spec(self)

    def __dask_tokenize__(self) -> str:
        return json.dumps(self.to_json(), sort_keys=True, default=str)

    def __hash__(self) -> int:
        return hash(self.__dask_tokenize__())

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, StoreSpec):
            return NotImplemented
        return self.to_json() == other.to_json()


_DRIVERS: dict[str, Any] = {}


def register_driver(name: str, opener: Any) -> None:
    """Register ``opener(options) -> Store`` for specs whose driver is ``name``."""
    _DRIVERS[name] = opener


def open_spec(spec: StoreSpec) -> Store:
    """Open a store from its spec (see :func:`register_driver`).

    The built-in drivers are registered by their modules, which ``zarrdist.stores``
    imports before any of its modules can be used.
    """
    try:
        opener = _DRIVERS[spec.driver]
    except KeyError:
        raise ByteRangeError(f"unknown store driver {spec.driver!r}") from None
    store: Store = opener(dict(spec.options))
    return store


#: Coalescing gap of stores whose requests go over a network: a request costs
#: milliseconds, more than reading through a mebibyte it does not need.
REMOTE_RANGE_GAP_BYTES = 1 << 20
#: Coalescing gap of local files, where a request is a system call (docs/performance.md,
#: "Coalescing gaps of local range reads").
LOCAL_RANGE_GAP_BYTES = 16 << 10


class Store(ABC):
    """Bytes by key, synchronously.

    Subclasses implement ``_get``, ``_set``, ``_delete``, ``_list`` and ``spec``;
    the public methods check keys, byte requests and read-only mode once, here.
    Batch methods have sequential defaults that remote stores override with
    concurrent implementations.
    """

    supports_writes: ClassVar[bool] = True
    supports_deletes: ClassVar[bool] = True
    supports_listing: ClassVar[bool] = True
    supports_partial_reads: ClassVar[bool] = True
    #: zarr-python's flags: every store holds consolidated metadata; no store
    #: writes part of a value (a value is always replaced whole).
    supports_consolidated_metadata: ClassVar[bool] = True
    supports_partial_writes: ClassVar[bool] = False
    #: True where several processes may write to the store at once (local dirs,
    #: object stores); False for stores that live inside one process.
    supports_multiprocess_writes: ClassVar[bool] = True
    #: The widest gap between two byte ranges of one object that is cheaper to read
    #: through than to ask for in a second request (``REMOTE_RANGE_GAP_BYTES``,
    #: ``LOCAL_RANGE_GAP_BYTES`` or 0 in memory).
    range_gap_bytes: ClassVar[int] = REMOTE_RANGE_GAP_BYTES

    def __init__(self, *, read_only: bool = False) -> None:
        self._read_only = read_only

    # -- what subclasses implement -------------------------------------------------
    @abstractmethod
    def _get(self, key: str, byte_range: ByteRequest | None) -> bytes | memoryview | None:
        """Return the value (or range of it) at ``key``, or None if missing."""

    @abstractmethod
    def _set(self, key: str, value: bytes | memoryview) -> None:
        """Store ``value`` at ``key``, replacing any previous value."""

    @abstractmethod
    def _delete(self, key: str) -> None:
        """Delete ``key``; a missing key is not an error."""

    @abstractmethod
    def _list(self, prefix: str) -> Iterator[str]:
        """Yield every key that starts with ``prefix`` (a plain string prefix)."""

    @property
    @abstractmethod
    def spec(self) -> StoreSpec:
        """The spec from which another process can reopen this store."""

    # -- the public API ------------------------------------------------------------
    @property
    def read_only(self) -> bool:
        """Whether writes are refused."""
        return self._read_only

    def __str__(self) -> str:
        return self.url

    @property
    def url(self) -> str:
        """A short description of the store, used in error messages."""
        return f"{self.spec.driver}://"

    def _check_writable(self, key: str | None = None) -> None:
        if self._read_only:
            raise ReadOnlyStoreError("store is read-only", store=self.url, key=key)

    def _key(self, key: str) -> str:
        return normalize_key(key, store=self.url)

    def _keys(self, keys: Sequence[str]) -> list[str]:
        return normalize_keys(keys, store=self.url)

    def _ranges_key(self, key: str, ranges: Sequence[ByteRequest]) -> str:
        """``key`` normalised, once every request of a ``get_ranges`` call is checked
        (what each store's ``get_ranges`` does first)."""
        key = self._key(key)
        for request in ranges:
            check_byte_request(request, store=self.url, key=key)
        return key

    def get(self, key: str, byte_range: ByteRequest | None = None) -> bytes | memoryview | None:
        """The value at ``key`` (or the requested byte range of it); None if missing."""
        key = self._key(key)
        check_byte_request(byte_range, store=self.url, key=key)
        return self._get(key, byte_range)

    def get_many(self, keys: Sequence[str]) -> list[bytes | memoryview | None]:
        """Whole values of many keys, in order; None for each missing key."""
        return [self.get(k) for k in keys]

    def get_many_into(
        self, keys: Sequence[str], buffer: bytearray | memoryview
    ) -> list[bytes | memoryview | None]:
        """``get_many``, where a store may place values in the caller's ``buffer``.

        Values placed there are views of it, valid until the caller writes to
        ``buffer`` again; values that do not fit come back as new bytes. For a
        caller that decodes a batch before fetching the next into the same
        buffer: memory used again is not new memory for the system to fault in.
        The default ignores ``buffer`` (so a caching wrapper never keeps a view).
        """
        return self.get_many(keys)

    def get_ranges(
        self, key: str, ranges: Sequence[ByteRequest]
    ) -> list[bytes | memoryview | None]:
        """Several byte ranges of one value, in order; None for each if missing."""
        return [self.get(key, r) for r in ranges]

    def set(self, key: str, value: bytes | bytearray | memoryview) -> None:
        """Store ``value`` at ``key``."""
        key = self._key(key)
        self._check_writable(key)
        self._set(key, value if isinstance(value, bytes) else memoryview(value).cast("B"))

    def set_many(
        self, items: Mapping[str, bytes | memoryview] | Iterable[tuple[str, bytes]]
    ) -> None:
        """Store several values; remote stores do it concurrently."""
        pairs = items.items() if isinstance(items, Mapping) else items
        for key, value in pairs:
            self.set(key, value)

    def set_if_not_exists(self, key: str, value: bytes | memoryview) -> bool:
        """Store ``value`` unless ``key`` exists; return whether it was written."""
        if self.exists(key):
            return False
        self.set(key, value)
        return True

    def delete(self, key: str) -> None:
        """Delete ``key``; a missing key is not an error."""
        key = self._key(key)
        self._check_writable(key)
        self._delete(key)

    def delete_prefix(self, prefix: str) -> int:
        """Delete every key under ``prefix`` (a directory-like prefix); return the count."""
        self._check_writable(prefix or None)
        keys = list(self._list(self._dir_prefix(prefix)))
        for key in keys:
            self._delete(key)
        return len(keys)

    def delete_dir(self, prefix: str) -> None:
        """Delete every key under ``prefix`` (zarr-python's name for :meth:`delete_prefix`)."""
        self.delete_prefix(prefix)

    def clear(self) -> None:
        """Delete every key of the store."""
        self.delete_prefix("")

    def getsize_prefix(self, prefix: str) -> int:
        """Total size in bytes of the values under ``prefix``."""
        return sum(self.getsize(key) or 0 for key in self.list_prefix(prefix))

    def exists(self, key: str) -> bool:
        """Whether ``key`` holds a value."""
        return self.get(self._key(key)) is not None

    def getsize(self, key: str) -> int | None:
        """Size in bytes of the value at ``key``; None if missing."""
        value = self.get(key)
        return None if value is None else len(value)

    def list(self) -> Iterator[str]:
        """Every key in the store."""
        return self._list("")

    def _dir_prefix(self, prefix: str) -> str:
        """``prefix`` checked like a key (no ``..``, no absolute path), ending in ``/``."""
        if not prefix.rstrip("/"):
            # "", "/" and "//" all name the root: everything in the store, never the
            # root directory itself (delete_prefix("/") used to remove it).
            return ""
        return normalize_key(prefix.rstrip("/"), store=self.url) + "/"

    def list_prefix(self, prefix: str) -> Iterator[str]:
        """Every key under ``prefix``. A non-empty prefix is a directory: ``a`` lists ``a/...``."""
        return self._list(self._dir_prefix(prefix))

    def list_dir(self, prefix: str) -> Iterator[str]:
        """The immediate children (keys and sub-directories) under ``prefix``."""
        prefix = self._dir_prefix(prefix)
        seen: set[str] = set()
        for key in self._list(prefix):
            child = key[len(prefix) :].split("/", 1)[0]
            if child and child not in seen:
                seen.add(child)
                yield child

    def is_empty(self, prefix: str = "") -> bool:
        """Whether no key lives under ``prefix``."""
        return next(iter(self.list_prefix(prefix)), None) is None

    @classmethod
    async def open(cls, *args: Any, **kwargs: Any) -> Self:
        """zarr-python's awaitable constructor: ``store = await LocalStore.open(root)``.

        The store is built with ``cls(*args, **kwargs)`` and made ready with
        :meth:`_prepare` (a local root directory is created, a zip file opened)
        off the event loop, since both touch the file system.
        """
        store = await asyncio.to_thread(cls, *args, **kwargs)
        await asyncio.to_thread(store._prepare)
        return store

    def prepare(self) -> None:
        """Make the store ready for use, as :meth:`open` does (create a local root;
        a read-only store's root must exist)."""
        self._prepare()

    def _prepare(self) -> None:
        """Make the store ready for use; :meth:`open` calls it. Nothing by default:
        zarrdist's stores are usable once constructed."""

    def close(self) -> None:
        """Release resources; the default has none."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __reduce__(self) -> tuple[Any, ...]:
        # A store pickles as its spec, so tasks and workers reopen it.
        return (unpickle_store, (self.spec,))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Store):
            return NotImplemented
        return type(self) is type(other) and self.spec == other.spec

    def __hash__(self) -> int:
        return hash(self.spec)

    def __dask_tokenize__(self) -> tuple[str, str]:
        # A store is what its spec says: equal specs give equal dask tokens.
        return ("zarrdist-store", self.spec.__dask_tokenize__())

    def with_read_only(self, read_only: bool = True) -> Store:
        """A copy of this store with the given read-only mode."""
        spec = StoreSpec(self.spec.driver, {**self.spec.options, "read_only": read_only})
        return open_spec(spec)


def native_store(obj: object) -> object:
    """The synchronous Store that ``obj`` stands for, where it names one; else ``obj``.

    An object whose class has a ``__zarrdist_store__()`` method (zarrdist's
    zarr-python-shaped async stores in ``zarrdist.storage``, and any subclass of the
    async ABC ``zarrdist.abc.store.Store``) is used through the store that method
    returns, as ``os.fspath`` uses ``__fspath__``: the stores layer knows the
    protocol, not the classes.

    Raises
    ------
    TypeError
        If ``__zarrdist_store__()`` returns something that is not a Store.
    """
    method = getattr(type(obj), "__zarrdist_store__", None)
    if method is None or isinstance(obj, Store):
        return obj
    store = method(obj)
    if not isinstance(store, Store):
        raise TypeError(
            f"{type(obj).__name__}.__zarrdist_store__() returned a "
            f"{type(store).__name__}, not a zarrdist Store"
        )
    return store


def unpickle_store(spec: StoreSpec) -> Store:
    """Reopen a pickled store; one that cannot be opened here raises when first used.

    Unpickling happens where an error cannot be reported well: a dask worker that
    fails to deserialise a task drops its connection and the computation hangs.
    Deferring the error (a memory store reached from another process, a zip archive
    still being written) lets the task that uses the store fail like any task.
    """
    try:
        return open_spec(spec)
    except StoreError as error:
        return _UnreachableStore(spec, error)


class _UnreachableStore(Store):
    """Stands in for a store that cannot be opened in this process; every access raises."""

    def __init__(self, spec: StoreSpec, error: StoreError) -> None:
        super().__init__(read_only=bool(spec.options.get("read_only", False)))
        self._spec = spec
        self._error = error

    @property
    def spec(self) -> StoreSpec:
        """The spec that could not be opened here."""
        return self._spec

    def _fail(self) -> StoreError:
        return StoreError(str(self._error.args[0]) if self._error.args else "unreachable store")

    def _get(self, key: str, byte_range: ByteRequest | None) -> bytes | memoryview | None:
        raise self._fail()

    def _set(self, key: str, value: bytes | memoryview) -> None:
        raise self._fail()

    def _delete(self, key: str) -> None:
        raise self._fail()

    def _list(self, prefix: str) -> Iterator[str]:
        raise self._fail()
