"""zstd through numcodecs' own libzstd, with one context per thread.

numcodecs' ``Zstd.encode`` creates and frees a compression context on every call:
on an 8 KiB chunk that is more than a third of the call (docs/performance.md,
"zstd: a reused compression context"). The zstd library inside numcodecs'
extension module exports its functions, so this module calls that same library
(``ctypes``, which releases the GIL during the call) with a context kept per
thread, set up exactly as numcodecs sets up its own: compression level, then
checksum flag, then ``ZSTD_compress2`` (which records the content size). Same
library, same parameters, same input: zstd produces the same frame whether or
not the context is new, so the bytes equal numcodecs' (and zarr-python's).

:func:`compressor` returns None, and callers use numcodecs, when the library or
any function is not found, when its version differs from the one numcodecs
reports, or when a probe compression differs from numcodecs' own output.

Decompression into a caller's buffer (:func:`decompressor`) likewise keeps one
decompression context per thread: numcodecs' ``Zstd.decode(data, out=...)`` calls
``ZSTD_decompress``, which creates and frees a context per call, a seventh of the
decoding of a 128 KiB chunk (docs/performance.md, "zstd: a reused decompression
context"). ``ZSTD_decompress`` is that same context creation followed by
``ZSTD_decompressDCtx``; a context that is never given a parameter or a dictionary
decodes exactly as a new one.
"""

from __future__ import annotations

import ctypes
import threading
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import numpy as np

__all__ = ["REUSED_MAX_BYTES", "compressor", "decompressor"]

#: Inputs up to this size are compressed through a reused context. Above it the
#: context's setup is a small part of the call and numcodecs' own call is as fast
#: (docs/performance.md, "zstd: a reused compression context").
REUSED_MAX_BYTES = 64 << 10

# zstd.h: ZSTD_c_compressionLevel, ZSTD_c_checksumFlag (stable API since 1.4.0).
_LEVEL = 100
_CHECKSUM = 201
_INT_MIN, _INT_MAX = -(1 << 31), (1 << 31) - 1

_local = threading.local()


class _Context:
    """One thread's compression context and output buffer."""

    def __init__(self, lib: Any) -> None:
        self.lib = lib
        self.cctx = lib.ZSTD_createCCtx()
        if not self.cctx:
            raise MemoryError("ZSTD_createCCtx failed")
        self.settings: tuple[int, bool] | None = None
        capacity = int(lib.ZSTD_compressBound(REUSED_MAX_BYTES))
        self.out = bytearray(capacity)
        self.out_view = memoryview(self.out)
        self.out_ptr = ctypes.addressof((ctypes.c_char * capacity).from_buffer(self.out))

    def __del__(self) -> None:
        if getattr(self, "cctx", None):
            self.lib.ZSTD_freeCCtx(self.cctx)

    def compress(self, data: Any, level: int, checksum: bool) -> bytes | None:
        lib = self.lib
        if not _INT_MIN <= level <= _INT_MAX:
            return None  # numcodecs' own call refuses it (a C int)
        if self.settings != (level, checksum):
            # The same calls, in the same order, as numcodecs' compress.
            if lib.ZSTD_isError(lib.ZSTD_CCtx_setParameter(self.cctx, _LEVEL, level)):
                return None
            if lib.ZSTD_isError(lib.ZSTD_CCtx_setParameter(self.cctx, _CHECKSUM, int(checksum))):
                return None
            self.settings = (level, checksum)
        source, size = _address(data)
        if source is None:
            return None
        written = int(lib.ZSTD_compress2(self.cctx, self.out_ptr, len(self.out), source, size))
        if lib.ZSTD_isError(written):
            self.settings = None  # the context's state is unknown: set it up again
            return None
        return bytes(self.out_view[:written])


def _address(data: Any) -> tuple[Any, int]:
    """A pointer to ``data``'s bytes (kept valid by ``data``) and their count; None
    for data that is not one contiguous buffer of at most ``REUSED_MAX_BYTES``."""
    if isinstance(data, bytes):
        return (data, len(data)) if len(data) <= REUSED_MAX_BYTES else (None, 0)
    view = memoryview(data)
    if not view.c_contiguous or view.nbytes > REUSED_MAX_BYTES:
        return None, 0
    if not view.readonly:
        return (ctypes.c_char * view.nbytes).from_buffer(view.cast("B")), view.nbytes
    array = np.frombuffer(view.cast("B"), dtype=np.uint8)
    return array.ctypes.data_as(ctypes.c_void_p), view.nbytes


@lru_cache(maxsize=1)
def _library() -> Any | None:
    """numcodecs' libzstd with the functions this module calls typed, or None."""
    try:
        import numcodecs.zstd as numcodecs_zstd

        lib = ctypes.CDLL(numcodecs_zstd.__file__)
        if int(lib.ZSTD_versionNumber()) != int(numcodecs_zstd.VERSION_NUMBER):
            return None
        size_t, ptr = ctypes.c_size_t, ctypes.c_void_p
        lib.ZSTD_createCCtx.restype = ptr
        lib.ZSTD_createCCtx.argtypes = []
        lib.ZSTD_freeCCtx.restype = size_t
        lib.ZSTD_freeCCtx.argtypes = [ptr]
        lib.ZSTD_CCtx_setParameter.restype = size_t
        lib.ZSTD_CCtx_setParameter.argtypes = [ptr, ctypes.c_int, ctypes.c_int]
        lib.ZSTD_compress2.restype = size_t
        lib.ZSTD_compress2.argtypes = [ptr, ptr, size_t, ptr, size_t]
        lib.ZSTD_compressBound.restype = size_t
        lib.ZSTD_compressBound.argtypes = [size_t]
        lib.ZSTD_isError.restype = ctypes.c_uint
        lib.ZSTD_isError.argtypes = [size_t]
        lib.ZSTD_createDCtx.restype = ptr
        lib.ZSTD_createDCtx.argtypes = []
        lib.ZSTD_freeDCtx.restype = size_t
        lib.ZSTD_freeDCtx.argtypes = [ptr]
        lib.ZSTD_decompressDCtx.restype = size_t
        lib.ZSTD_decompressDCtx.argtypes = [ptr, ptr, size_t, ptr, size_t]
    except (ImportError, OSError, AttributeError):
        return None  # no numcodecs zstd, or a build that does not export libzstd
    return lib


def _context(lib: Any) -> _Context:
    context: _Context | None = getattr(_local, "context", None)
    if context is None:
        context = _local.context = _Context(lib)
    return context


@lru_cache(maxsize=1)
def compressor() -> Callable[[Any, int, bool], bytes | None] | None:
    """``compress(data, level, checksum)`` through a reused per-thread context, or
    None where it cannot be shown to give numcodecs' bytes.

    ``compress`` returns None for data it does not take (larger than
    :data:`REUSED_MAX_BYTES`, not contiguous) or on a zstd error: the caller then
    compresses through numcodecs, which also names the error.
    """
    lib = _library()
    if lib is None:
        return None

    def compress(data: Any, level: int, checksum: bool) -> bytes | None:
        return _context(lib).compress(data, level, checksum)

    import numcodecs.zstd as numcodecs_zstd

    probe = np.arange(6000, dtype="<u4").tobytes() + bytes(range(256)) * 9
    for level, checksum in ((1, False), (3, True), (-2, False), (0, True)):
        if compress(probe, level, checksum) != numcodecs_zstd.compress(probe, level, checksum):
            return None
    return compress


class _Decoder:
    """One thread's decompression context."""

    def __init__(self, lib: Any) -> None:
        self.lib = lib
        self.dctx = lib.ZSTD_createDCtx()
        if not self.dctx:
            raise MemoryError("ZSTD_createDCtx failed")

    def __del__(self) -> None:
        if getattr(self, "dctx", None):
            self.lib.ZSTD_freeDCtx(self.dctx)

    def decompress_into(self, data: Any, out: Any) -> bool:
        """Decode ``data`` into ``out`` (writable, contiguous), which it must fill
        exactly, as numcodecs' ``decode(data, out=out)`` does; False where it did not
        (a zstd error, another size, a buffer this cannot address)."""
        try:
            target = ctypes.c_char.from_buffer(out)  # writable and contiguous, or refused
            keep, source, size = _source(data)
        except (TypeError, ValueError, BufferError):
            return False
        capacity = memoryview(out).nbytes
        destination = ctypes.addressof(target)
        written = int(self.lib.ZSTD_decompressDCtx(self.dctx, destination, capacity, source, size))
        del keep, target  # the buffers stay exported until the call has returned
        # An error code is within 120 of 2**64, never a buffer's length.
        return written == capacity


def _source(data: Any) -> tuple[Any, Any, int]:
    """An object keeping ``data``'s bytes in place, a pointer to them, their count."""
    if isinstance(data, bytes):
        return data, data, len(data)
    view = memoryview(data)
    if not view.c_contiguous:
        raise ValueError("not contiguous")
    view = view.cast("B")
    if not view.nbytes:
        return view, None, 0
    if not view.readonly:
        keep = ctypes.c_char.from_buffer(view)
        return keep, ctypes.addressof(keep), view.nbytes
    array = np.frombuffer(view, dtype=np.uint8)
    return array, array.ctypes.data, view.nbytes


def _decoder(lib: Any) -> _Decoder:
    decoder: _Decoder | None = getattr(_local, "decoder", None)
    if decoder is None:
        decoder = _local.decoder = _Decoder(lib)
    return decoder


@lru_cache(maxsize=1)
def decompressor() -> Callable[[Any, Any], bool] | None:
    """``decompress_into(data, out)`` through a reused per-thread context, or None
    where numcodecs' library cannot be used (callers then use numcodecs).

    ``decompress_into`` fills ``out`` (a writable, contiguous buffer of a frame's
    decoded size, at least one byte) and returns True, or returns False with
    ``out`` undefined: the caller then decodes the usual way, which names the fault.
    """
    lib = _library()
    if lib is None:
        return None

    def decompress_into(data: Any, out: Any) -> bool:
        return _decoder(lib).decompress_into(data, out)

    import numcodecs.zstd as numcodecs_zstd

    probe = np.arange(6000, dtype="<u4").tobytes() + bytes(range(256)) * 9
    out = bytearray(len(probe))
    if not decompress_into(numcodecs_zstd.compress(probe, 1, True), out) or out != probe:
        return None
    return decompress_into
