"""LocalStore: keys as files under a root directory, written atomically.

A write goes to a temporary file in the key's own directory and is moved onto
the key in one atomic step, so a reader, or a process that dies mid-write, never
leaves or sees a torn value. Without ``io.fsync`` this promises atomic
visibility, not durability across a power loss. Keys are checked by
:func:`normalize_key`, so no key reaches outside the root.

Symlinks (see docs/reliability.md): reads follow them, so a store may be put
together from linked directories and files. Writes and deletes never go through a
linked directory that leads out of the root: ``set``, array creation and
``delete_prefix`` refuse such a key with a :class:`StoreError`. Listings of a
directory skip a link that leads back to one of the directories above it, so a
walk of the hierarchy always ends. The store's lock file (beside the root, or
``.zarrdist-lock`` inside it, see :mod:`zarrdist.stores._lock`) is hidden from
listings and never deleted.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import re
import shutil
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path

try:
    import resource
except ImportError:  # Windows
    resource = None  # type: ignore[assignment]

from zarrdist.errors import StoreError
from zarrdist.stores._base import (
    LOCAL_RANGE_GAP_BYTES,
    ByteRequest,
    OffsetByteRequest,
    RangeByteRequest,
    Store,
    StoreSpec,
    read_only_from_mode,
)
from zarrdist.stores._local_guard import LocalGuards, write_all
from zarrdist.stores._lock import LOCK_SUFFIX
from zarrdist.stores._pool import DEVICE_READS, run_all
from zarrdist.stores._rename import fsync_directory, swap_in
from zarrdist.stores._settings import setting

__all__ = ["TMP_NAME", "LocalStore"]

# Temporary files are hidden and carry a random token, so listings can skip them
# without hiding any real key (zarr keys never end in ".zarrdist-<32 hex>.partial").
TMP_NAME = re.compile(r"^\..*\.zarrdist-[0-9a-f]{32}\.partial$")


def _hidden(name: str) -> bool:
    """Temporary files and the lock file, which are no keys."""
    return LOCK_SUFFIX in name or TMP_NAME.match(name) is not None


# Temporary names draw from a random per-process prefix and a counter: uuid4 per
# file cost a getrandom system call, one of the GIL hand-offs that small writes
# from two threads queue on. A fork's child draws a new prefix; O_EXCL catches
# whatever still collides.
_token_prefix = ""
_token_count = itertools.count()


def _tmp_token() -> str:
    """32 hex digits naming one temporary file, unique within this process."""
    return f"{_token_prefix}{next(_token_count):016x}"


def _new_token_prefix() -> None:
    global _token_prefix
    _token_prefix = uuid.uuid4().hex[:16]


_new_token_prefix()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_new_token_prefix)

# A concurrent delete may prune a directory between our makedirs and our create.
_CREATE_ATTEMPTS = 8
# get_many reads the first _PROBE_KEYS keys in the calling thread and goes on in
# DEVICE_READS threads of the reader pool only if those reads waited on a device:
# threads help reads that wait on a device, and slow down reads from the page cache,
# where every system call hands the GIL over (docs/performance.md, "Local reads:
# when get_many uses threads").
_PROBE_KEYS = 8
# The probe counts as waiting when it took twice a generous estimate of a read
# from the page cache (per read, and per byte copied).
_CACHED_READ_S = 30e-6
_CACHED_BYTES_PER_S = float(1 << 30)
# Per-thread resource usage (Linux): whether the probe's reads reached a device.
_RUSAGE_THREAD: int | None = getattr(resource, "RUSAGE_THREAD", None) if resource else None


_MISSING = (FileNotFoundError, NotADirectoryError, IsADirectoryError)


class LocalStore(LocalGuards, Store):
    """Keys as files under ``root`` on a local or mounted file system.

    Parameters
    ----------
    root : str or os.PathLike
        The directory; created lazily on the first write.
    read_only : bool
        Refuse writes.
    mode : {"r", "r+", "a", "w", "w-"}, optional
        zarr-python's access mode; ``"r"`` means read-only. Creating or
        overwriting arrays is the array API's business, so the store itself never
        deletes anything because of the mode.

    Raises
    ------
    ValueError
        If ``mode`` is unknown or contradicts ``read_only``.
    """

    supports_multiprocess_writes = True
    range_gap_bytes = LOCAL_RANGE_GAP_BYTES

    def __init__(
        self, root: str | os.PathLike[str], *, read_only: bool = False, mode: str | None = None
    ) -> None:
        self.root = Path(os.path.abspath(os.fspath(root)))
        self._root = str(self.root)
        super().__init__(read_only=read_only_from_mode(mode, read_only, store=self.url))

    def __repr__(self) -> str:
        return f"LocalStore({self._root!r}, read_only={self.read_only})"

    def _prepare(self) -> None:
        # zarr-python's ``open``: a writable store's root exists afterwards; a
        # read-only store's root must already exist.
        if not self.read_only:
            self.root.mkdir(parents=True, exist_ok=True)
        if not self.root.is_dir():
            raise FileNotFoundError(f"{self.url}: the store's root directory does not exist")

    @property
    def url(self) -> str:
        """``file://`` URL of the root."""
        # Every key check names the store, so the URL is made once, not per call.
        url: str | None = self.__dict__.get("_url")
        if url is None:
            url = self.__dict__["_url"] = self.root.as_uri()
        return url

    @property
    def spec(self) -> StoreSpec:
        """``{"driver": "local", "root": ..., "read_only": ...}``."""
        return StoreSpec("local", {"root": self._root, "read_only": self.read_only})

    def _path(self, key: str) -> str:
        return os.path.join(self._root, key) if key else self._root

    def _error(self, action: str, key: str, exc: OSError) -> StoreError:
        return StoreError(f"cannot {action}: {exc.strerror or exc}", store=self.url, key=key)

    # -- reads ---------------------------------------------------------------------
    def _get(self, key: str, byte_range: ByteRequest | None) -> bytes | memoryview | None:
        if byte_range is None:
            return self._read_keys([key])[0]
        return self._read_ranges(key, [byte_range])[0]

    def get_ranges(
        self, key: str, ranges: Sequence[ByteRequest]
    ) -> list[bytes | memoryview | None]:
        """Several byte ranges of one file, read through one open file handle."""
        key = self._ranges_key(key, ranges)
        return self._read_ranges(key, ranges)

    def _read_ranges(
        self, key: str, ranges: Sequence[ByteRequest]
    ) -> list[bytes | memoryview | None]:
        # A bare descriptor and pread: a Python file object costs more to open than
        # reading a shard's index, and seeks are calls of their own.
        try:
            fd = os.open(self._path(key), os.O_RDONLY)
        except _MISSING:
            return [None] * len(ranges)
        except OSError as exc:
            raise self._error("read", key, exc) from exc
        try:
            size = None
            values: list[bytes | memoryview | None] = []
            for request in ranges:
                if isinstance(request, RangeByteRequest):
                    start, stop = request.start, request.end
                else:
                    size = os.fstat(fd).st_size if size is None else size
                    if isinstance(request, OffsetByteRequest):
                        start, stop = request.offset, size
                    else:
                        start, stop = max(size - request.suffix, 0), size
                values.append(_pread(fd, start, stop))
            return values
        except OSError as exc:
            raise self._error("read", key, exc) from exc
        finally:
            os.close(fd)

    def get_many(self, keys: Sequence[str]) -> list[bytes | memoryview | None]:
        """Whole values of many keys, in order; None for each missing key.

        Reads start in the calling thread. When the first few come back slower than
        memory copies do (a cold page cache, a network file system), the rest are
        read by a few threads so the requests overlap; from the page cache, threads
        only fight over the GIL (twice as slow as a loop for 8 KiB chunks).
        """
        return self._get_many(keys, None)

    def get_many_into(
        self, keys: Sequence[str], buffer: bytearray | memoryview
    ) -> list[bytes | memoryview | None]:
        """``get_many``, reading the files that fit into ``buffer`` one after another.

        Values placed there are views of ``buffer``. A new bytes object per value
        is new memory: glibc returns a freed batch of large values to the system,
        and the next batch faults it in again (docs/performance.md, "Local batch
        reads into one buffer"). Reads that go to the reader threads (see
        ``get_many``) come back as bytes.
        """
        if not hasattr(os, "readv"):  # Windows
            return self._get_many(keys, None)
        return self._get_many(keys, _Fill(buffer))

    def _get_many(self, keys: Sequence[str], fill: _Fill | None) -> list[bytes | memoryview | None]:
        checked = self._keys(keys)
        # Only a get_many that goes on past the probe asks whether it waited.
        blocks = _blocks_read() if len(checked) > _PROBE_KEYS else None
        start = time.perf_counter()
        values = self._read_keys(checked[:_PROBE_KEYS], fill)
        rest = checked[len(values) :]
        if blocks is not None:
            blocks = (_blocks_read() or 0) - blocks
        if not rest or not _waits_on_device(values, time.perf_counter() - start, blocks):
            if _small(values):
                with _small_reads:
                    values.extend(self._read_keys(rest, fill))
            else:
                values.extend(self._read_keys(rest, fill))
            return values
        # One job per thread over a slice of the keys: a job per key costs more
        # in hand-offs than an 8 KiB read, while slices keep 8 reads in flight.
        # From a reader-pool thread (a piece of a direct read) they run in that thread.
        step = -(-len(rest) // DEVICE_READS)
        slices = [rest[i : i + step] for i in range(0, len(rest), step)]
        for part in run_all(self._read_keys, slices):
            values.extend(part)
        return values

    def _read_keys(
        self, keys: Sequence[str], fill: _Fill | None = None
    ) -> list[bytes | memoryview | None]:
        """Whole values of checked keys (into ``fill``'s buffer where given); None for
        each missing one. The one place whole files are read, with per-key work kept
        to the file's system calls."""
        root = self._root + os.sep
        read = _read_whole if fill is None else fill.read
        values: list[bytes | memoryview | None] = []
        for key in keys:
            try:
                values.append(read(root + key) if key else None)
            except _MISSING:
                values.append(None)
            except OSError as exc:
                raise self._error("read", key, exc) from exc
        return values

    def exists(self, key: str) -> bool:
        """Whether a file holds ``key`` (directories are not keys)."""
        return os.path.isfile(self._path(self._key(key)))

    def getsize(self, key: str) -> int | None:
        """Size of the file at ``key`` from its metadata, without reading it."""
        path = self._path(self._key(key))
        try:
            return os.path.getsize(path) if os.path.isfile(path) else None
        except _MISSING:
            return None

    # -- writes --------------------------------------------------------------------
    def _set(self, key: str, value: bytes | memoryview) -> None:
        path = self._path(key)
        directory, name = os.path.split(path)
        self._check_inside(directory, key)
        fd, tmp = self._create(directory, name, key)
        fsync = bool(setting("io.fsync"))
        try:
            try:
                write_all(fd, value)
                if fsync:
                    os.fsync(fd)
            finally:
                os.close(fd)
            swap_in(tmp, path)
        except OSError as exc:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise self._error("write", key, exc) from exc
        if fsync:
            fsync_directory(directory)

    def _create(self, directory: str, name: str, key: str) -> tuple[int, str]:
        """Open a new temporary file beside the key, creating its directories lazily."""
        for _ in range(_CREATE_ATTEMPTS):
            tmp = os.path.join(directory, f".{name}.zarrdist-{_tmp_token()}.partial")
            try:
                # 0o666 and the umask, as for any file the user creates (not mkstemp's 0o600).
                return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), tmp
            except FileExistsError:
                continue  # another process's token (a fork's twin): draw again
            except FileNotFoundError:
                try:
                    os.makedirs(directory, exist_ok=True)
                except OSError as exc:
                    raise self._error("create the directory of", key, exc) from exc
            except OSError as exc:
                raise self._error("write", key, exc) from exc
        raise StoreError("directory kept disappearing while writing", store=self.url, key=key)

    def _delete(self, key: str) -> None:
        try:
            os.unlink(self._path(key))
        except _MISSING:
            return
        except OSError as exc:
            raise self._error("delete", key, exc) from exc
        self._prune(os.path.dirname(self._path(key)))

    def _prune(self, directory: str) -> None:
        """Remove now-empty directories up to the root, so listings match the keys."""
        while len(directory) > len(self._root) and directory.startswith(self._root):
            try:
                os.rmdir(directory)
            except OSError:
                return
            directory = os.path.dirname(directory)

    def delete_prefix(self, prefix: str) -> int:
        """Delete every key under ``prefix`` by removing its directory; return the count."""
        self._check_writable(prefix or None)
        prefix = self._dir_prefix(prefix)
        count = sum(1 for _ in self._list(prefix))
        target = self._path(prefix.rstrip("/"))
        if prefix:
            self._check_inside(os.path.dirname(target), prefix)
        try:
            if prefix:
                if os.path.islink(target):
                    os.unlink(target)  # the link itself, never what it points to
                else:
                    shutil.rmtree(target)
                self._prune(os.path.dirname(target))
            else:
                for entry in _scandir(target):
                    if LOCK_SUFFIX in entry.name:
                        continue  # deleting it would let two writers hold one lock
                    if entry.is_dir(follow_symlinks=False):
                        shutil.rmtree(entry.path)
                    else:
                        os.unlink(entry.path)
        except _MISSING:
            pass
        except OSError as exc:
            raise self._error("delete", prefix, exc) from exc
        return count

    # -- listing -------------------------------------------------------------------
    def _list(self, prefix: str) -> Iterator[str]:
        base, _, _ = prefix.rpartition("/")
        return self._walk(self._path(base), base, prefix)

    def _walk(self, directory: str, rel: str, prefix: str) -> Iterator[str]:
        for entry in _scandir(directory):
            key = f"{rel}/{entry.name}" if rel else entry.name
            if entry.is_dir(follow_symlinks=False):
                if key.startswith(prefix) or prefix.startswith(key + "/"):
                    yield from self._walk(entry.path, key, prefix)
            elif key.startswith(prefix) and not _hidden(entry.name):
                yield key

    def list_dir(self, prefix: str) -> Iterator[str]:
        """Names directly under ``prefix``: files (keys) and sub-directories."""
        prefix = self._dir_prefix(prefix)
        directory = self._path(prefix.rstrip("/"))
        for entry in _scandir(directory):
            if _hidden(entry.name):
                continue
            if entry.is_symlink() and self._loops(directory, entry.path):
                continue
            yield entry.name


def _scandir(directory: str) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(directory) as it:
            return list(it)
    except _MISSING:
        return []


#: Held while a thread reads small values from the page cache. Each read is three
#: system calls, and each call hands the GIL over: two threads reading at once
#: trade it at every call and read at half the speed of one. Taking turns, the
#: other thread decompresses meanwhile (its codec runs without the GIL).
_small_reads = threading.Lock()
#: Values up to this size take turns (the size ``_FIRST_READ`` reads in one call):
#: for larger ones the copy, which runs without the GIL, outweighs the hand-offs.
_SMALL_VALUE_BYTES = 64 << 10


def _new_small_reads_lock() -> None:
    # A fork while another thread held the lock would leave the child's copy held.
    global _small_reads
    _small_reads = threading.Lock()


os.register_at_fork(after_in_child=_new_small_reads_lock)


def _small(values: Sequence[bytes | memoryview | None]) -> bool:
    """Whether ``values`` (a probe) are small enough that reads cost their calls, not copies."""
    present = [len(v) for v in values if v is not None]
    return bool(present) and max(present) <= _SMALL_VALUE_BYTES


def _blocks_read() -> int | None:
    """Blocks this thread has read from devices so far; None where the system does
    not count them per thread."""
    if _RUSAGE_THREAD is None:
        return None
    return int(resource.getrusage(_RUSAGE_THREAD).ru_inblock)


def _waits_on_device(
    values: Sequence[bytes | memoryview | None], elapsed: float, blocks: int | None = None
) -> bool:
    """Whether reading ``values`` took ``elapsed`` seconds because a device was slow.

    ``blocks``: the blocks the reads took from a device, where the system counts
    them. Then that decides: the time also holds the waits for the GIL while
    another thread runs Python, which made reads from the page cache look slow
    (docs/performance.md, "Local reads: when get_many uses threads").
    """
    if blocks is not None:
        return blocks > 0
    nbytes = sum(len(v) for v in values if v is not None)
    cached = len(values) * _CACHED_READ_S + nbytes / _CACHED_BYTES_PER_S
    return elapsed > 2 * cached


#: Most chunks fit in one read of this size, so they need no ``fstat`` to size the
#: buffer; below glibc's mmap threshold, so the unused tail is returned cheaply.
_FIRST_READ = 64 << 10


def _read_whole(path: str) -> bytes:
    """A whole file through a bare descriptor: a third of ``open().read()``'s cost on
    small chunks, where the per-call overhead, not the copy, is the price. Every
    system call also releases the GIL, a hand-off between threads, so a small file
    is read with three calls (open, read, close)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        data = os.read(fd, _FIRST_READ)
        if len(data) < _FIRST_READ:
            return data
        # A large file: read it whole into one buffer (reading the head again costs
        # less than joining).
        return _pread(fd, 0, os.fstat(fd).st_size)
    finally:
        os.close(fd)


class _Fill:
    """Reads whole files one after another into a caller's buffer."""

    __slots__ = ("_pos", "_view")

    def __init__(self, buffer: bytearray | memoryview) -> None:
        self._view = memoryview(buffer)
        self._pos = 0

    def read(self, path: str) -> bytes | memoryview:
        """The file at ``path``: a view of the buffer if it fits in what is left."""
        fd = os.open(path, os.O_RDONLY)
        try:
            room = self._view[self._pos :]
            # A read that stops short of the room met the end of the file, as
            # _read_whole takes it; a file that fills the room may go on.
            n = os.readv(fd, [room]) if room else 0
            if n < len(room):
                self._pos += n
                return room[:n]
            return _pread(fd, 0, os.fstat(fd).st_size)
        finally:
            os.close(fd)


def _seek_read(fd: int, n: int, offset: int) -> bytes:
    """``os.pread`` where the platform has none (Windows); each read here has a
    descriptor of its own, so moving its position is safe."""
    os.lseek(fd, offset, os.SEEK_SET)
    return os.read(fd, n)


_pread_call = getattr(os, "pread", _seek_read)


def _pread(fd: int, start: int, stop: int) -> bytes:
    """Bytes ``[start, stop)`` of an open file, fewer where the file ends first."""
    if stop <= start:
        return b""
    data = _pread_call(fd, stop - start, start)
    if len(data) < stop - start and data:
        # A single read may stop short (above 2 GiB): read on until the file ends.
        parts = [data]
        offset = start + len(data)
        while offset < stop and (more := _pread_call(fd, stop - offset, offset)):
            parts.append(more)
            offset += len(more)
        data = b"".join(parts)
    return data
