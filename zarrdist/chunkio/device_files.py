"""Local chunk files straight into device memory with kvikio.

kvikio's ``CuFile`` reads a file into a CuPy buffer: through GPUDirect Storage
where the system has it (cuFile and a supported file system), else in its
compatibility mode (POSIX reads into a pinned bounce buffer, then a copy), which
kvikio picks itself (``KVIKIO_COMPAT_MODE`` overrides it). Either way the chunk's
encoded bytes never become a Python ``bytes`` object.

Behind the same capability check as device decoding: only for whole-chunk reads
of a plain :class:`~zarrdist.stores.LocalStore` whose chain decodes wholly on the
device (no host-only codec, which would need the bytes on the host), into a
device prototype, with kvikio installed. Otherwise :func:`fetch_to_device` returns
None and the read fetches through the store as always.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from typing import Any

from zarrdist.chunkio.units import ArrayHandle
from zarrdist.codecs.device import device_plan
from zarrdist.stores import LocalStore

__all__ = ["fetch_to_device", "register_file_reader"]

_lock = threading.Lock()
#: Array module name -> the kvikio module (or a test's stand-in); None: not installed.
_readers: dict[str, Any] = {}


def register_file_reader(module_name: str, kvikio: Any) -> None:
    """Use ``kvikio`` (a module with ``CuFile``) for reads into arrays of module
    ``module_name``; None forgets it (the next read imports kvikio again)."""
    with _lock:
        if kvikio is None:
            _readers.pop(module_name, None)
        else:
            _readers[module_name] = kvikio


def _kvikio(module_name: str) -> Any:
    with _lock:
        if module_name in _readers:
            return _readers[module_name]
    found: Any = None
    if module_name == "cupy":
        try:
            import kvikio

            found = kvikio
        except ImportError:
            found = None
    with _lock:
        return _readers.setdefault(module_name, found)


def fetch_to_device(handle: ArrayHandle, keys: Sequence[str]) -> list[Any] | None:
    """The stored chunks ``keys`` of ``handle`` as 1-D uint8 device arrays (None for
    a missing chunk), read by kvikio; or None where this path does not apply."""
    store, prototype = handle.store, handle.prototype
    if type(store) is not LocalStore or not prototype.is_device or handle.sharding is not None:
        return None
    plan = device_plan(handle.metadata.codec_chain, handle.unit_spec)
    if plan is None or plan.host or (plan.stage is not None and plan.stage.checks_header):
        # Host codecs need the bytes on the host, and so does a gzip header check.
        return None
    kvikio = _kvikio(getattr(prototype.xp, "__name__", ""))
    if kvikio is None:
        return None
    xp = prototype.xp
    out: list[Any] = []
    pending = []
    for key in keys:
        path = os.path.join(store.root, key)
        try:
            size = os.path.getsize(path)
        except FileNotFoundError:
            out.append(None)
            continue
        buffer = xp.empty(size, dtype=xp.uint8)
        handle_ = kvikio.CuFile(path, "r")
        # Every file's read is in flight at once; kvikio splits each into tasks.
        pending.append((handle_, handle_.pread(buffer, size), size, key))
        out.append(buffer)
    for file, future, size, key in pending:
        try:
            got = future.get()
        finally:
            file.close()
        if got != size:
            raise OSError(f"kvikio read {got} of {size} bytes of chunk {key!r}")
    return out
