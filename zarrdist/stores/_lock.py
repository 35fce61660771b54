"""Cross-process locks on the keys of a local store, shared by every alias of it.

Writers that update a shared chunk or shard outside one graph (threads calling
``z[a:b] = v``, other processes, other nodes on a shared file system) do a
read-modify-write, and these locks serialise them; metadata updates (append,
resize, attributes) take a shared/exclusive lock on the array's document.

Where the lock lives: one hidden file beside the *lock root* of the store, the real
path (symlinks resolved) of the topmost directory of the Zarr hierarchy that holds
the store root: ``/data/.era5.zarr.zarrdist-lock`` for ``/data/era5.zarr``. Every
process that reaches the store, through a symlink, a bind mount, a relative path,
or with another ``TMPDIR``, opens that same file, and Zarr readers of the store
never list it. Where the directory above the lock root cannot be written (a mount
point), the file is ``.zarrdist-lock`` inside the lock root instead (zarr-python
then warns about an unknown object when it lists the root's members). A key is locked as one byte of that file at an offset hashed from the key's
path relative to the lock root (an open-file-description byte-range lock, Linux's
``F_OFD_SETLK``): one file for the whole store whatever the number of keys, so
nothing leaks, and two threads of one process exclude each other as two processes
do. Byte-range locks work over NFS (v3 with lockd, v4) and most cluster file
systems; where the file system refuses them, the lock raises a :class:`StoreError`.
Platforms without OFD locks use ``flock`` on the whole file (one writer per store).

Who may lock: the file is created with the read/write bits the lock root grants to
its group and to others, so exactly the users who may write the store may take
its locks; nobody else can create or open the file to block writers. A lock not
free within its timeout (``io.lock_timeout``) raises a :class:`StoreError` naming
the key and the lock file.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
import struct
import time
from typing import Self

from zarrdist.errors import StoreError
from zarrdist.stores._settings import setting

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

__all__ = ["LOCK_SUFFIX", "FileLock", "lock_file", "lock_root"]

#: Lock files' names end with this; stores hide every such name.
LOCK_SUFFIX = ".zarrdist-lock"
#: flock's fallback needs one file per kind of lock: a writer holds a metadata lock
#: while it takes chunk locks, and two flocks on one file from one process conflict.
_META_SUFFIX = "-meta"
_OFD = getattr(fcntl, "F_OFD_SETLK", None) if fcntl is not None else None
# struct flock on Linux: short l_type, short l_whence, off_t l_start, off_t l_len,
# pid_t l_pid (0 for OFD locks), padded to 32 bytes.
_FLOCK = "hhqqi4x"
#: A waiting writer polls a held lock after 1 ms, then at doubling intervals up to
#: 50 ms: a lock held briefly is taken soon, and a long wait costs few calls.
_FIRST_POLL_S = 0.001
_MAX_POLL_S = 0.05
_DOCUMENTS = ("zarr.json", ".zgroup", ".zarray")


def lock_root(root: str) -> str:
    """The directory whose lock file guards the store rooted at ``root``.

    The real path of ``root``, raised to the topmost ancestor that is still part of
    the same Zarr hierarchy (holds a ``zarr.json``, ``.zgroup`` or ``.zarray``), so a
    store opened at a sub-group shares its locks with one opened at the hierarchy's
    root.
    """
    real = os.path.realpath(root)
    while True:
        parent = os.path.dirname(real)
        if parent == real or not any(os.path.isfile(os.path.join(parent, n)) for n in _DOCUMENTS):
            return real
        real = parent


def lock_file(root: str) -> str:
    """The lock file of the store rooted at ``root`` (see the module's docstring)."""
    top = lock_root(root)
    parent, name = os.path.split(top)
    beside = os.path.join(parent, f".{name}{LOCK_SUFFIX}")
    inside = os.path.join(top, LOCK_SUFFIX)
    # Whichever exists wins, so users who may not write the parent still meet the
    # others at one file; a new one goes beside the root where the parent allows.
    if not name or os.path.exists(inside):
        return inside
    if os.path.exists(beside) or os.access(parent, os.W_OK):
        return beside
    return inside


def _lock_mode(directory: str) -> int:
    """rw for the owner, plus rw for the group and others where they may write ``directory``."""
    try:
        mode = os.stat(directory).st_mode
    except OSError:
        return 0o600
    out = 0o600
    if mode & stat.S_IWGRP:
        out |= 0o060
    if mode & stat.S_IWOTH:
        out |= 0o006
    return out


def _guarded_directory(path: str) -> str:
    """The lock root that the lock file ``path`` guards (its permissions set the file's)."""
    directory, name = os.path.split(path)
    if name.startswith(".") and name.endswith(LOCK_SUFFIX) and name != LOCK_SUFFIX:
        return os.path.join(directory, name[1 : -len(LOCK_SUFFIX)])
    return directory


def _open_lock_file(path: str, *, store: str | None, key: str) -> int:
    directory = os.path.dirname(path)
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
    except FileExistsError:
        pass
    except FileNotFoundError:
        os.makedirs(directory, exist_ok=True)
        return _open_lock_file(path, store=store, key=key)
    except OSError as exc:
        raise StoreError(
            f"cannot create the lock file {path!r}: {exc.strerror or exc}", store=store, key=key
        ) from exc
    else:
        # fchmod, not the create mode: the umask would take the group's bits away.
        os.fchmod(fd, _lock_mode(_guarded_directory(path.removesuffix(_META_SUFFIX))))
        return fd
    try:
        return os.open(path, os.O_RDWR | os.O_CLOEXEC)
    except OSError as exc:
        raise StoreError(
            f"cannot open the lock file {path!r}: {exc.strerror or exc} (it must be "
            "readable and writable by every writer of the store)",
            store=store,
            key=key,
        ) from exc


def _offset(name: str) -> int:
    """The byte that stands for ``name``: 62 bits of its SHA-256 (collisions only wait)."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big") >> 2


class FileLock:
    """An exclusive (or shared) lock on one key of a local store, across processes.

    Parameters
    ----------
    path : str
        The lock file (see :func:`lock_file`).
    key : str
        The key, relative to the lock root.
    shared : bool
        Take a shared lock (many holders) instead of an exclusive one.
    metadata : bool
        A metadata lock (a separate namespace from chunk locks).
    timeout : float, optional
        Seconds to wait in :meth:`acquire`; None means ``io.lock_timeout``.
    store : str, optional
        The store's URL, for error messages.

    Examples
    --------
    >>> import os, tempfile
    >>> with FileLock(os.path.join(tempfile.mkdtemp(), "lock"), "c/0") as lock:
    ...     lock.locked
    True
    """

    def __init__(
        self,
        path: str,
        key: str,
        *,
        shared: bool = False,
        metadata: bool = False,
        timeout: float | None = None,
        store: str | None = None,
    ) -> None:
        self.key = key
        self.shared = shared
        self.lock_path = path + (_META_SUFFIX if metadata and _OFD is None else "")
        self._name = ("m:" if metadata else "c:") + key
        self.timeout = timeout
        self.store = store
        self._fd: int | None = None

    def __repr__(self) -> str:
        return f"FileLock({self.lock_path!r}, {self.key!r}, locked={self.locked})"

    @property
    def locked(self) -> bool:
        """Whether this object holds the lock."""
        return self._fd is not None

    def _try(self, fd: int) -> bool:
        """One attempt to lock; False if another holder has it."""
        try:
            if _OFD is not None:
                kind = fcntl.F_RDLCK if self.shared else fcntl.F_WRLCK
                fcntl.fcntl(
                    fd, _OFD, struct.pack(_FLOCK, kind, os.SEEK_SET, _offset(self._name), 1, 0)
                )
            else:  # pragma: no cover - platforms without OFD locks
                kind = fcntl.LOCK_SH if self.shared else fcntl.LOCK_EX
                fcntl.flock(fd, kind | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno in (errno.EACCES, errno.EAGAIN, errno.EWOULDBLOCK):
                return False
            raise StoreError(
                f"the file system refused a lock on {self.lock_path!r}: {exc.strerror or exc}; "
                "writers sharing chunks need a file system with byte-range locks",
                store=self.store,
                key=self.key,
            ) from exc
        return True

    def acquire(self, timeout: float | None = None) -> None:
        """Take the lock, waiting up to ``timeout`` seconds (default: the constructor's).

        Raises
        ------
        StoreError
            If the lock is not free within the timeout, or locks are unsupported.
        """
        if fcntl is None:  # pragma: no cover - Windows
            raise StoreError("file locks need POSIX fcntl", store=self.store, key=self.key)
        if self._fd is not None:
            raise StoreError("lock is already held by this object", store=self.store, key=self.key)
        if timeout is None:
            timeout = self.timeout
        if timeout is None:
            timeout = float(setting("io.lock_timeout"))
        fd = _open_lock_file(self.lock_path, store=self.store, key=self.key)
        deadline = time.monotonic() + timeout
        pause = _FIRST_POLL_S
        try:
            while not self._try(fd):
                if time.monotonic() >= deadline:
                    raise StoreError(
                        f"lock not acquired within {timeout} s: another writer holds it "
                        f"(lock file {self.lock_path!r}; io.lock_timeout sets the wait)",
                        store=self.store,
                        key=self.key,
                    )
                time.sleep(pause)
                pause = min(pause * 2, _MAX_POLL_S)
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd

    def release(self) -> None:
        """Give the lock back; releasing a lock not held is an error.

        Raises
        ------
        StoreError
            If this object does not hold the lock.
        """
        if self._fd is None:
            raise StoreError("lock is not held", store=self.store, key=self.key)
        fd, self._fd = self._fd, None
        # Closing the descriptor drops its locks; the file stays (one per store).
        os.close(fd)

    def __enter__(self) -> Self:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
