"""A cross-process lock for one file path on this machine (POSIX ``flock``).

Writes inside one graph need no locks: each key has one writing task. Separate
graphs or processes that update a shared chunk do a read-modify-write, and this
lock serialises them. The lock file lives in the temporary directory, named by a
hash of the locked path, so stores never show it to other Zarr readers.

``flock`` locks belong to an open file description, so two threads of one process
that each take the lock also exclude each other. ``flock`` is unreliable on some
network file systems; there, use a distributed lock instead.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from typing import Self

from zarrdist.errors import StoreError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

__all__ = ["FileLock"]

_POLL_SECONDS = 0.01


class FileLock:
    """An exclusive lock on ``path`` shared by every process on this machine.

    Parameters
    ----------
    path : str
        The path the lock protects (it need not exist).
    timeout : float, optional
        Seconds to wait in :meth:`acquire`; None waits forever.

    Examples
    --------
    >>> import tempfile, os
    >>> with FileLock(os.path.join(tempfile.gettempdir(), "x")) as lock:
    ...     lock.locked
    True
    """

    def __init__(self, path: str, *, timeout: float | None = None) -> None:
        self.path = os.path.abspath(path)
        digest = hashlib.sha256(self.path.encode()).hexdigest()
        self.lock_path = os.path.join(tempfile.gettempdir(), "zarrdist-locks", f"{digest}.lock")
        self.timeout = timeout
        self._fd: int | None = None

    def __repr__(self) -> str:
        return f"FileLock({self.path!r}, locked={self.locked})"

    @property
    def locked(self) -> bool:
        """Whether this object holds the lock."""
        return self._fd is not None

    def acquire(self, timeout: float | None = None) -> None:
        """Take the lock, waiting up to ``timeout`` seconds (default: the constructor's).

        Raises
        ------
        StoreError
            If the lock is not free within the timeout, or locks are unsupported.
        """
        if fcntl is None:  # pragma: no cover - Windows
            raise StoreError("file locks need POSIX flock", key=self.path)
        if self._fd is not None:
            raise StoreError("lock is already held by this object", key=self.path)
        timeout = self.timeout if timeout is None else timeout
        os.makedirs(os.path.dirname(self.lock_path), exist_ok=True)
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o666)
        deadline = None if timeout is None else time.monotonic() + timeout
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | (0 if deadline is None else fcntl.LOCK_NB))
                    break
                except BlockingIOError:
                    if deadline is not None and time.monotonic() >= deadline:
                        raise StoreError(
                            f"lock not acquired within {timeout} s", key=self.path
                        ) from None
                    time.sleep(_POLL_SECONDS)
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
            raise StoreError("lock is not held", key=self.path)
        fd, self._fd = self._fd, None
        # The lock file stays: removing it would race with a process about to lock it.
        try:
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    def __enter__(self) -> Self:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
