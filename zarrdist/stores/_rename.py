"""Atomic renames of a finished temporary file onto its key (Linux's renameat2 where present).

A first write into a store creates every name; a rewrite replaces every name.
:func:`swap_in` picks the cheapest atomic call for each, and :func:`fsync_directory`
makes a rename durable.
"""

from __future__ import annotations

import ctypes
import errno
import os
import sys
import threading
from typing import Any

__all__ = ["fsync_directory", "swap_in"]

_AT_FDCWD = -100
RENAME_NOREPLACE = 1
RENAME_EXCHANGE = 2


def load_renameat2() -> Any | None:
    """libc's renameat2 on Linux; None elsewhere (Windows cannot open libc by None)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):  # a libc without it (glibc before 2.28)
        return None
    function.argtypes = (ctypes.c_int, ctypes.c_char_p) * 2 + (ctypes.c_uint,)
    function.restype = ctypes.c_int
    return function


# Linux's renameat2(RENAME_EXCHANGE), or None. Renaming over an existing file on
# ext4 frees the replaced inode inside the rename and starts writeback of the new
# file's data there too; swapping the two names and then unlinking the old value
# costs half as much (docs/performance.md, "Rewriting a file"; see swap_in).
_renameat2 = load_renameat2()


def rename2(a: str, b: str, flags: int) -> int:
    """renameat2(a, b, flags): 0, or the errno it failed with (ENOSYS without it)."""
    if _renameat2 is None:
        return errno.ENOSYS
    result: int = _renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), flags)
    if result == 0:
        return 0
    return ctypes.get_errno()


def _exchange(a: str, b: str) -> bool:
    """Swap the names ``a`` and ``b`` atomically; False where that cannot be done."""
    return rename2(a, b, RENAME_EXCHANGE) == 0


# Whether this thread's last value went to a new name: a first write creates every
# name, a rewrite replaces every name, so the call that fitted last is tried first.
last_swap = threading.local()


def swap_in(tmp: str, path: str) -> None:
    """Put the file ``tmp`` at ``path`` atomically, removing what ``path`` held.

    An existing value is swapped out and then unlinked, which on ext4 costs half of
    a rename over it (see ``_renameat2``); a new name gets a rename that refuses to
    replace anything, and a filesystem without renameat2 gets ``os.replace``. A
    directory at ``path`` is swapped back and refused, as ``os.replace`` refuses it.
    """
    if getattr(last_swap, "new_name", False):
        failed = rename2(tmp, path, RENAME_NOREPLACE)
        if failed == 0:
            return
        if failed != errno.EEXIST:
            os.replace(tmp, path)
            return
    if not _exchange(tmp, path):
        last_swap.new_name = True
        os.replace(tmp, path)
        return
    last_swap.new_name = False
    try:
        os.unlink(tmp)
    except IsADirectoryError:
        _exchange(tmp, path)
        raise IsADirectoryError(errno.EISDIR, "is a directory", path) from None
    except FileNotFoundError:  # someone removed our leftover already
        pass


def fsync_directory(directory: str) -> None:
    """Make a rename durable: fsync the directory that holds the new name."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
