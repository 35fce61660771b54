"""Where decoded chunks live: the array module (numpy, or cupy on GPU workers).

Codecs never hard-code numpy for decoded data: they ask the prototype for empty
and filled arrays and for conversions, so the same code path serves device arrays.
Encoded data is always 1-D bytes on the host (``bytes`` or ``memoryview``).
"""

from __future__ import annotations

import math
import mmap
import threading
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Literal, cast

import numpy as np

#: Memory layouts NumPy allocates (callers pass metadata's order, a plain str).
_Order = Literal["C", "F"]

__all__ = [
    "NDBufferPrototype",
    "anonymous_memory",
    "copy_rows",
    "cpu_prototype",
    "default_prototype",
    "gpu_prototype",
    "thread_buffer",
]


@dataclass(frozen=True)
class NDBufferPrototype:
    """The array module decoded chunks are made with.

    Attributes
    ----------
    xp : module
        ``numpy`` or ``cupy`` (anything with numpy's array-creation API).
    """

    xp: ModuleType

    def __reduce__(self) -> tuple[Any, ...]:
        # Modules do not pickle; tasks carry the module's name and re-import it.
        return (_by_module_name, (self.xp.__name__,))

    @property
    def is_device(self) -> bool:
        """Whether arrays live on a device (not numpy)."""
        return self.xp is not np

    def empty(self, shape: tuple[int, ...], dtype: np.dtype[Any], order: str = "C") -> Any:
        """An uninitialised array (large host arrays in memory without huge-page advice)."""
        if self.xp is np:
            return _host_empty(shape, np.dtype(dtype), order)
        return self.xp.empty(shape, dtype=dtype, order=order)

    def full(
        self, shape: tuple[int, ...], fill_value: Any, dtype: np.dtype[Any], order: str = "C"
    ) -> Any:
        """An array with every element ``fill_value``."""
        if dtype.kind in "OT":
            # Variable-length strings/bytes have no device representation.
            out = np.empty(shape, dtype=dtype, order=cast(_Order, order))
            out[...] = fill_value
            return out
        return self.xp.full(shape, fill_value, dtype=dtype, order=order)

    def asarray(self, data: Any) -> Any:
        """``data`` as an array of this module (a copy only when it must move)."""
        if self.xp is np:
            return np.asarray(data)
        if getattr(data, "dtype", None) is not None and data.dtype.kind in "OT":
            return np.asarray(data)
        return self.xp.asarray(data)

    def to_host(self, data: Any) -> np.ndarray[Any, Any]:
        """``data`` as a numpy array."""
        if isinstance(data, np.ndarray):
            return data
        get = getattr(data, "get", None)
        return np.asarray(get() if callable(get) else data)


cpu_prototype = NDBufferPrototype(np)


#: From this size on glibc maps every allocation afresh (its largest dynamic mmap
#: threshold), so the pages are new either way; below it, NumPy's buffers often
#: reuse heap pages a previous task already touched.
_FRESH_MAPPING_BYTES = 32 << 20


def anonymous_memory(nbytes: int) -> mmap.mmap:
    """``nbytes`` of zeroed memory mapped for this process alone, made resident page by
    page as it is written. Private on POSIX (see :func:`_host_empty` for why not
    shared); Windows has no such flag, and its anonymous mappings are private."""
    flags = getattr(mmap, "MAP_PRIVATE", None)
    return mmap.mmap(-1, nbytes) if flags is None else mmap.mmap(-1, nbytes, flags=flags)


_thread_buffers = threading.local()


def thread_buffer(nbytes: int) -> memoryview:
    """This thread's reusable host buffer, as a view of exactly ``nbytes``.

    For a read's short-lived copies (a decoded chunk, a run of chunks on its way
    into the output): a fresh buffer each time is fresh memory, a page fault per
    4 KiB, as much work as the copy itself. One buffer per thread serves every
    such use, since each is done with it before the next starts; it grows to the
    largest size asked for.
    """
    buffer: bytearray | None = getattr(_thread_buffers, "buffer", None)
    if buffer is None or len(buffer) < nbytes:
        buffer = _thread_buffers.buffer = bytearray(nbytes)
    return memoryview(buffer)[:nbytes]


def copy_rows(target: np.ndarray[Any, Any], source: np.ndarray[Any, Any]) -> bool:
    """``target[...] = source`` with each row copied as one element, where both are
    host arrays of one shape and dtype (no Python objects), at least 2-D, each
    contiguous along its last axis; False (nothing copied) otherwise.

    NumPy copies a block of a larger array one contiguous row at a time, and per row
    its inner loop costs more than the copy of a 128-byte row (a 32³ float32 chunk in
    a 512³ array); seen as single elements of a row's bytes, one inner loop copies
    many rows (docs/performance.md, "Placing a chunk row by row"). The bytes written
    are the same.
    """
    if type(target) is not np.ndarray or type(source) is not np.ndarray:
        return False
    itemsize = target.itemsize
    if not (
        target.ndim >= 2
        and itemsize > 0
        and target.shape == source.shape
        and target.size > 0
        and target.dtype == source.dtype
        and not target.dtype.hasobject
        and target.strides[-1] == itemsize
        and source.strides[-1] == itemsize
    ):
        return False
    row = np.dtype((np.void, target.shape[-1] * itemsize))
    target.view(row)[...] = source.view(row)
    return True


def _host_empty(shape: tuple[int, ...], dtype: np.dtype[Any], order: str) -> np.ndarray[Any, Any]:
    """``np.empty``, but a large array is mapped without NumPy's huge-page advice.

    Where the kernel compacts memory on demand for that advice (transparent huge
    pages with ``defrag=madvise``, the default), the first touch of a fresh read
    output stalls while memory that a large write left fragmented is compacted
    (docs/performance.md, "Read outputs: no huge-page advice, private mappings").
    Smaller arrays,
    and arrays holding Python objects, which cannot live in a raw mapping, keep
    ``np.empty``.

    The mapping is private: ``mmap``'s default, a shared anonymous mapping, is
    backed by shmem, whose first touches and release cost twice as much.
    """
    nbytes = math.prod(shape) * dtype.itemsize
    layout = cast(_Order, order)
    if nbytes < _FRESH_MAPPING_BYTES or dtype.hasobject:
        return np.empty(shape, dtype=dtype, order=layout)
    # The mapping is released when the last array viewing it is.
    return np.ndarray(shape, dtype=dtype, buffer=anonymous_memory(nbytes), order=layout)


def _by_module_name(name: str) -> NDBufferPrototype:
    """The prototype for array module ``name`` (unpickling)."""
    if name == "numpy":
        return cpu_prototype
    import importlib

    return NDBufferPrototype(importlib.import_module(name))


def gpu_prototype() -> NDBufferPrototype:
    """The CuPy prototype.

    Raises
    ------
    ImportError
        If CuPy is not installed.
    """
    import cupy

    return NDBufferPrototype(cupy)


def default_prototype() -> NDBufferPrototype:
    """The prototype config asks for: CuPy when ``gpu`` is enabled, else numpy."""
    from zarrdist.config import config

    return gpu_prototype() if config.get("gpu") else cpu_prototype
