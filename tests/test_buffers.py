"""Host buffers: what ``default_prototype().empty`` hands a read to fill."""

from __future__ import annotations

import sys
import threading

import numpy as np
import pytest

from zarrdist.chunkio.buffers import _FRESH_MAPPING_BYTES, default_prototype, thread_buffer


def _maps_entry(address: int) -> str:
    """The line of /proc/self/maps whose range holds ``address``."""
    with open("/proc/self/maps") as maps:
        for line in maps:
            start, end = (int(x, 16) for x in line.split()[0].split("-"))
            if start <= address < end:
                return line
    raise AssertionError(f"address {address:#x} is in no mapping")


@pytest.mark.parametrize("order", ["C", "F"])
def test_small_empty_is_numpy(order: str) -> None:
    out = default_prototype().empty((64, 32), np.dtype("float32"), order=order)
    assert isinstance(out, np.ndarray)
    assert out.shape == (64, 32)
    assert out.flags.c_contiguous if order == "C" else out.flags.f_contiguous
    assert out.flags.writeable


@pytest.mark.parametrize("order", ["C", "F"])
def test_large_empty_is_a_writable_array_of_its_shape(order: str) -> None:
    rows = _FRESH_MAPPING_BYTES // (4 * 1024) + 1
    out = default_prototype().empty((rows, 1024), np.dtype("<f4"), order=order)
    assert out.shape == (rows, 1024)
    assert out.dtype == np.dtype("<f4")
    assert out.flags.c_contiguous if order == "C" else out.flags.f_contiguous
    out[...] = 1.5
    out[-1, -1] = 2.5
    assert float(out.sum(dtype=np.float64)) == 1.5 * (out.size - 1) + 2.5


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/maps")
def test_large_empty_is_private_memory() -> None:
    # A shared anonymous mapping (mmap's default) is shmem: its page faults and its
    # release cost about twice a private mapping's, on every full read.
    out = default_prototype().empty((_FRESH_MAPPING_BYTES,), np.dtype("u1"))
    entry = _maps_entry(out.ctypes.data)
    perms = entry.split()[1]
    assert perms.startswith("rw"), entry
    assert perms.endswith("p"), entry


def test_object_arrays_stay_numpy() -> None:
    n = _FRESH_MAPPING_BYTES // np.dtype(object).itemsize + 1
    out = default_prototype().empty((n,), np.dtype(object))
    out[0] = "a python object"
    assert out[0] == "a python object"


def test_anonymous_memory_without_map_private(monkeypatch: pytest.MonkeyPatch) -> None:
    # Windows has no MAP_PRIVATE; its anonymous mappings are private already.
    from zarrdist.chunkio import buffers

    monkeypatch.delattr(buffers.mmap, "MAP_PRIVATE", raising=False)
    memory = buffers.anonymous_memory(1 << 16)
    view = memoryview(memory)
    view[:3] = b"abc"
    assert bytes(view[:4]) == b"abc\0"
    view.release()
    memory.close()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/maps")
def test_read_fetch_buffers_are_private_memory() -> None:
    from zarrdist.chunkio import read as chunkread

    with chunkread._fetch_buffer() as buffer:
        entry = _maps_entry(np.frombuffer(buffer, np.uint8).ctypes.data)
    perms = entry.split()[1]
    assert perms.startswith("rw"), entry
    assert perms.endswith("p"), entry


def test_thread_buffer_is_one_buffer_per_thread_viewed_at_the_size_asked() -> None:
    small = thread_buffer(100)
    assert len(small) == 100
    assert not small.readonly
    large = thread_buffer(1 << 20)
    assert len(large) == 1 << 20
    again = thread_buffer(4096)
    assert len(again) == 4096
    assert again.obj is large.obj  # a smaller request reuses the grown buffer
    seen: list[object] = []
    worker = threading.Thread(target=lambda: seen.append(thread_buffer(4096).obj))
    worker.start()
    worker.join()
    assert seen[0] is not large.obj  # another thread has a buffer of its own
