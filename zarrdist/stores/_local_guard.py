"""LocalStore's guards: symlinks out of the root, atomic claims, and its locks.

Split from :mod:`zarrdist.stores._local` to keep modules small; ``LocalStore``
inherits :class:`LocalGuards`. Policy (docs/reliability.md): reads follow symlinks;
writes and deletes never go through a linked directory that leads out of the
root; listings skip links that lead back above themselves.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from typing import TYPE_CHECKING

from zarrdist.errors import StoreError
from zarrdist.stores._lock import FileLock, lock_file, lock_root
from zarrdist.stores._rename import fsync_directory
from zarrdist.stores._settings import setting

__all__ = ["LocalGuards", "write_all"]


def write_all(fd: int, value: bytes | memoryview) -> None:
    """Write all of ``value`` to ``fd``: one system call unless the kernel writes short.

    Plain ``os.write``, not a file object, whose creation costs three more system
    calls (fstat, isatty, lseek) per value.
    """
    done = os.write(fd, value)
    if done < len(value):
        view = memoryview(value)
        while done < len(view):
            done += os.write(fd, view[done:])


class LocalGuards:
    """Methods of LocalStore about links, claims and locks (see the module docstring)."""

    if TYPE_CHECKING:
        _root: str

        @property
        def url(self) -> str: ...
        def _key(self, key: str) -> str: ...
        def _check_writable(self, key: str | None = None) -> None: ...
        def _path(self, key: str) -> str: ...
        def _create(self, directory: str, name: str, key: str) -> tuple[int, str]: ...
        def _error(self, action: str, key: str, exc: OSError) -> StoreError: ...

    @property
    def _real_root(self) -> str:
        real: str | None = self.__dict__.get("_real")
        if real is None:
            real = self.__dict__["_real"] = os.path.realpath(self._root)
        return real

    def _check_inside(self, directory: str, key: str) -> None:
        """Refuse a write or delete whose directory a symlink leads out of the root.

        Cheap when no link is involved: the real path of the key's directory is its
        path under the real root. The directory may not exist yet: its nearest
        existing ancestor is checked instead (makedirs creates only plain directories).
        """
        root = self._root
        if directory.startswith(root) and directory[len(root) : len(root) + 1] == os.sep:
            # The usual case, without relpath's normalising (a third of the check's
            # time; docs/performance.md, "W3 rewrites"): keys are normalised already.
            rel = directory[len(root) + 1 :]
        else:
            rel = os.path.relpath(directory, root)
        if rel in (".", ""):
            return
        # One lstat per level below the root: with no link among the existing
        # levels, the real path is the root's real path plus these names (resolving
        # the whole path would lstat every level above the root too, on each write).
        level = root
        for part in rel.split(os.sep):
            level = level + os.sep + part
            try:
                if stat.S_ISLNK(os.lstat(level).st_mode):
                    break  # a link: resolve the whole path below
            except FileNotFoundError:
                return  # makedirs creates only plain directories from here on
        else:
            return
        real_root = self._real_root
        probe = directory
        while not os.path.lexists(probe) and len(probe) > len(self._root):
            probe = os.path.dirname(probe)
        real = os.path.realpath(probe)
        if real != real_root and not real.startswith(real_root + os.sep):
            raise StoreError(
                f"refusing to write or delete through a symlink that leads out of the "
                f"store's root (to {real!r})",
                store=self.url,
                key=key,
            )

    def set_if_not_exists(self, key: str, value: bytes | memoryview) -> bool:
        """Store ``value`` unless ``key`` exists; return whether it was written.

        Atomic across processes: the value is written to a temporary file and
        hard-linked onto the key, which fails if the key exists (where hard links
        are unsupported, ``O_EXCL`` creation of the key is the claim).
        """
        key = self._key(key)
        self._check_writable(key)
        value = value if isinstance(value, bytes) else memoryview(value).cast("B")
        path = self._path(key)
        directory, name = os.path.split(path)
        self._check_inside(directory, key)
        fd, tmp = self._create(directory, name, key)
        try:
            try:
                write_all(fd, value)
                if setting("io.fsync"):
                    os.fsync(fd)
            finally:
                os.close(fd)
            try:
                os.link(tmp, path)
            except FileExistsError:
                return False
            except OSError as exc:
                if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP):
                    raise
                return self._claim_by_create(path, value)
        except OSError as exc:
            raise self._error("write", key, exc) from exc
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
        if setting("io.fsync"):
            fsync_directory(directory)
        return True

    def _claim_by_create(self, path: str, value: bytes | memoryview) -> bool:
        """set_if_not_exists without hard links: a reader may see the value half written."""
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            return False
        try:
            write_all(fd, value)
        finally:
            os.close(fd)
        return True

    def _loops(self, directory: str, link: str) -> bool:
        """Whether ``link`` leads to ``directory`` or a directory above it (up to the
        root), judged by real paths of the path's own ancestors: a walk through it
        would never end."""
        target = os.path.realpath(link)
        probe = directory
        while True:
            if os.path.realpath(probe) == target:
                return True
            if len(probe) <= len(self._root):
                return False
            probe = os.path.dirname(probe)

    # -- locking -------------------------------------------------------------------
    @property
    def lock_identity(self) -> tuple[str, str]:
        """(lock root, this root's path relative to it): the same for every alias."""
        ident: tuple[str, str] | None = self.__dict__.get("_lock_identity")
        if ident is None:
            root = lock_root(self._root)
            rel = os.path.relpath(self._real_root, root)
            ident = self.__dict__["_lock_identity"] = (root, "" if rel == "." else rel)
        return ident

    @property
    def _lock_file(self) -> str:
        path: str | None = self.__dict__.get("_lock_path")
        if path is None:
            path = self.__dict__["_lock_path"] = lock_file(self._root)
        return path

    def _lock_key(self, key: str) -> str:
        _root, rel = self.lock_identity
        return f"{rel}/{key}" if rel else key

    def lock(self, key: str, *, timeout: float | None = None) -> FileLock:
        """A cross-process lock for ``key`` (a context manager) for read-modify-writes.

        Shared by every process that reaches this store, through any path: the lock
        file sits at the store's lock root (see :mod:`zarrdist.stores._lock`).
        """
        key = self._lock_key(self._key(key))
        return FileLock(self._lock_file, key, timeout=timeout, store=self.url)

    def metadata_lock(
        self, path: str, *, shared: bool = False, timeout: float | None = None
    ) -> FileLock:
        """The lock on the metadata of the node at ``path``: exclusive for updates of
        it (append, resize, attributes), shared for writes that rely on its shape."""
        key = self._lock_key(path.strip("/"))
        return FileLock(
            self._lock_file, key, shared=shared, metadata=True, timeout=timeout, store=self.url
        )
