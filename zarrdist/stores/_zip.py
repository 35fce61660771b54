"""ZipStore: keys as members of one zip archive.

A zip archive cannot replace a member in place. As in zarr-python, overwriting a
key appends a second member with the same name; readers of the archive (zipfile,
zarr-python, this store) resolve a name to its last member, so reads return the
latest bytes. An archive lives in one process while it is being written: its
central directory exists only after :meth:`ZipStore.close`.
"""

from __future__ import annotations

import os
import threading
import time
import warnings
import weakref
import zipfile
from collections.abc import Iterator, Sequence
from typing import Any, Literal, cast

from zarrdist.errors import ByteRangeError, StoreError, ZarrUserWarning
from zarrdist.stores._base import (
    LOCAL_RANGE_GAP_BYTES,
    ByteRequest,
    OffsetByteRequest,
    RangeByteRequest,
    Store,
    StoreSpec,
    normalize_key,
)
from zarrdist.stores._limits import current_value_limit

__all__ = ["ZipStore", "open_zip_spec"]

ZipMode = Literal["r", "w", "a", "x"]
_ZIP_MODES = ("r", "w", "a", "x")
# Live archives of this process by absolute path, so a spec reopened here (for
# example by a threaded dask task) reaches the writer and its unwritten directory.
_LIVE: weakref.WeakValueDictionary[str, ZipStore] = weakref.WeakValueDictionary()


class ZipStore(Store):
    """Keys as members of a zip archive at ``path``.

    Parameters
    ----------
    path : str or os.PathLike
        The archive.
    mode : {"r", "w", "a", "x"}
        Read; create (truncating); append to (creating if missing); create exclusively.
    read_only : bool, optional
        Defaults to ``mode == "r"``.
    compression : int
        ``zipfile.ZIP_STORED`` (default: members stay seekable for byte ranges) or
        ``zipfile.ZIP_DEFLATED`` and friends.
    allowZip64 : bool
        Write ZIP64 extensions for archives past 4 GiB (zipfile's flag); False
        makes such an archive an error.

    Raises
    ------
    ValueError
        If ``mode`` is not a zip mode.
    StoreError
        If the file is not a zip archive.
    """

    supports_deletes = False
    supports_multiprocess_writes = False
    # Members are read from a local file: a request is a seek and a read.
    range_gap_bytes = LOCAL_RANGE_GAP_BYTES

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        mode: str = "r",
        read_only: bool | None = None,
        compression: int = zipfile.ZIP_STORED,
        allowZip64: bool = True,  # zarr-python's (and zipfile's) name
    ) -> None:
        if mode not in _ZIP_MODES:
            raise ValueError(f"unknown zip mode {mode!r}; use one of {_ZIP_MODES}")
        self.path = os.path.abspath(os.fspath(path))
        super().__init__(read_only=mode == "r" if read_only is None else read_only)
        self.mode = mode
        self.compression = compression
        self.allowZip64 = allowZip64
        self._lock = threading.RLock()
        self._zf: zipfile.ZipFile | None = None
        self._open(cast(ZipMode, mode))

    def _open(self, mode: ZipMode) -> zipfile.ZipFile:
        try:
            zf = zipfile.ZipFile(
                self.path, mode=mode, compression=self.compression, allowZip64=self.allowZip64
            )
        except zipfile.BadZipFile as exc:
            raise StoreError(f"not a zip archive: {exc}", store=self.url) from exc
        self._zf = zf
        _LIVE[self.path] = self
        return zf

    def _archive(self) -> zipfile.ZipFile:
        """The open archive; after close(), reopened to append (never to truncate)."""
        if self._zf is None:
            return self._open("r" if self.read_only else "a")
        return self._zf

    def close(self) -> None:
        """Write the central directory and close the archive."""
        with self._lock:
            if self._zf is not None:
                self._zf.close()
                self._zf = None

    def __repr__(self) -> str:
        return f"ZipStore({self.path!r}, mode={self.mode!r})"

    @property
    def url(self) -> str:
        """``zip://`` and the archive path."""
        return f"zip://{self.path}"

    @property
    def spec(self) -> StoreSpec:
        """``{"driver": "zip", "path": ..., "mode": "r"}``: other processes only read."""
        return StoreSpec("zip", {"path": self.path, "mode": "r"})

    # -- reads ---------------------------------------------------------------------
    def _info(self, zf: zipfile.ZipFile, key: str) -> zipfile.ZipInfo | None:
        try:
            return zf.getinfo(key)
        except KeyError:
            return None

    def _get(self, key: str, byte_range: ByteRequest | None) -> bytes | None:
        result = self._read(key, [byte_range])
        return None if result is None else result[0]

    def get_ranges(
        self, key: str, ranges: Sequence[ByteRequest]
    ) -> list[bytes | memoryview | None]:
        """Several byte ranges of one member, read through one open member."""
        key = self._ranges_key(key, ranges)
        result = self._read(key, list(ranges))
        return [None] * len(ranges) if result is None else list(result)

    def _read(self, key: str, requests: list[ByteRequest | None]) -> list[bytes] | None:
        with self._lock:
            zf = self._archive()
            info = self._info(zf, key)
            if info is None or info.is_dir():
                return None
            limit = current_value_limit()
            # zipfile never expands a member past its declared size, so refusing the
            # declaration bounds the memory (a zip bomb).
            compressed = info.compress_type != zipfile.ZIP_STORED
            if limit is not None and compressed and info.file_size > limit:
                raise StoreError(
                    f"member declares {info.file_size} bytes, more than the {limit} "
                    "bytes its chunk can hold: refusing to decompress it",
                    store=self.url,
                    key=key,
                )
            try:
                with zf.open(info) as member:
                    return [_read_member(member, info.file_size, r) for r in requests]
            except (zipfile.BadZipFile, OSError) as exc:
                raise StoreError(f"cannot read member: {exc}", store=self.url, key=key) from exc

    def exists(self, key: str) -> bool:
        """Whether the archive has a member named ``key``."""
        key = self._key(key)
        with self._lock:
            info = self._info(self._archive(), key)
        return info is not None and not info.is_dir()

    def getsize(self, key: str) -> int | None:
        """Uncompressed size of the member, from the archive's directory."""
        key = self._key(key)
        with self._lock:
            info = self._info(self._archive(), key)
        return None if info is None or info.is_dir() else info.file_size

    def _list(self, prefix: str) -> Iterator[str]:
        with self._lock:
            # NameToInfo holds each name once (its latest member), unlike namelist().
            names = list(self._archive().NameToInfo)
        return iter([n for n in names if n.startswith(prefix) and _safe_name(n)])

    # -- writes --------------------------------------------------------------------
    def _set(self, key: str, value: bytes | memoryview) -> None:
        info = zipfile.ZipInfo(filename=key, date_time=time.localtime(time.time())[:6])
        info.compress_type = self.compression
        info.external_attr = 0o644 << 16  # a regular file, rw-r--r--
        with self._lock:
            zf = self._archive()
            if key in zf.NameToInfo:
                warnings.warn(
                    f"Duplicate name: {key!r}: overwriting {key!r} in zip archive {self.path} "
                    "appends a duplicate "
                    "member; the archive keeps the old bytes too",
                    ZarrUserWarning,
                    stacklevel=3,
                )
                # Our own warning (starting as zipfile's) says more than zipfile's.
                del zf.NameToInfo[key]
            zf.writestr(info, bytes(value))

    def set_if_not_exists(self, key: str, value: bytes | memoryview) -> bool:
        """Store ``value`` unless ``key`` exists, atomically within this process."""
        key = self._key(key)
        self._check_writable(key)
        with self._lock:
            if key in self._archive().NameToInfo:
                return False
            self._set(key, value)
        return True

    def _delete(self, key: str) -> None:
        # Members cannot be removed from a zip; only a missing key "deletes" quietly.
        if self.exists(key):
            raise StoreError("zip archives cannot delete members", store=self.url, key=key)


def _safe_name(name: str) -> bool:
    """Whether an archive member name is a usable key (no zip-slip, no directory)."""
    if name.endswith("/"):
        return False
    try:
        normalize_key(name)
    except ByteRangeError:
        return False
    return True


def _read_member(member: Any, size: int, request: ByteRequest | None) -> bytes:
    """Read a byte request from an open member, clamped at its end."""
    if request is None:
        return bytes(member.read())
    if isinstance(request, RangeByteRequest):
        start, length = min(request.start, size), max(request.end - request.start, 0)
    elif isinstance(request, OffsetByteRequest):
        start, length = min(request.offset, size), -1
    else:
        start, length = max(size - request.suffix, 0), request.suffix
    member.seek(start)
    return bytes(member.read(length) if length >= 0 else member.read())


def open_zip_spec(options: dict[str, Any]) -> ZipStore:
    """Open a zip spec: the live archive of this process, else the file (read-only).

    Raises
    ------
    StoreError
        If a read-only store is asked for while this process writes the archive.
    """
    path = os.path.abspath(str(options["path"]))
    read_only = options.get("read_only")
    live = _LIVE.get(path)
    if live is not None and live._zf is not None:
        if read_only is None or bool(read_only) == live.read_only:
            return live
        if not live.read_only:
            raise StoreError(
                "the archive is open for writing in this process; close it before "
                "reopening it read-only",
                store=live.url,
            )
    if read_only is False:
        return ZipStore(path, mode="a")
    return ZipStore(path, mode=str(options.get("mode", "r")), read_only=True)
