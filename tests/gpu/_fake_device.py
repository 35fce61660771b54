"""A stand-in for CuPy and nvCOMP on machines without a GPU.

``fake_cupy()`` is a module named ``cupy`` whose arrays are :class:`DeviceArray`
(a NumPy subclass, so results can be compared with NumPy) and which records every
host-to-device copy; :class:`FakeNvcomp` decompresses batches with the host
libraries and records each batch it was given. Tests assert on these records what
would run on the device.
"""

from __future__ import annotations

import gzip
import struct
import types
import zlib
from collections.abc import Sequence
from typing import Any

import numcodecs
import numpy as np


class DeviceArray(np.ndarray):
    """An array "in device memory": reachable on the host only through ``get()``."""

    def get(self) -> np.ndarray:
        return np.asarray(self).copy()

    @property
    def __cuda_array_interface__(self) -> dict[str, Any]:
        # What zarrdist checks to tell device buffers from host ones.
        return {"shape": self.shape, "typestr": self.dtype.str, "version": 3}


def _on_device(arr: Any) -> DeviceArray:
    return np.asarray(arr).view(DeviceArray)


def fake_cupy() -> types.ModuleType:
    """A module named ``cupy`` with the part of its API zarrdist uses."""
    xp = types.ModuleType("cupy")
    copies: list[int] = []

    def asarray(data: Any, dtype: Any = None) -> DeviceArray:
        if not isinstance(data, DeviceArray):
            host = np.asarray(data, dtype=dtype)
            copies.append(host.nbytes)
            return _on_device(host.copy())
        return data if dtype is None else _on_device(data.astype(dtype))

    xp.ndarray = DeviceArray  # type: ignore[attr-defined]
    xp.uint8 = np.uint8  # type: ignore[attr-defined]
    xp.asarray = asarray  # type: ignore[attr-defined]
    xp.empty = lambda *a, **k: _on_device(np.empty(*a, **k))  # type: ignore[attr-defined]
    xp.full = lambda *a, **k: _on_device(np.full(*a, **k))  # type: ignore[attr-defined]
    xp.zeros = lambda *a, **k: _on_device(np.zeros(*a, **k))  # type: ignore[attr-defined]
    xp.ascontiguousarray = lambda a: _on_device(np.ascontiguousarray(a))  # type: ignore[attr-defined]
    xp.copies = copies  # type: ignore[attr-defined]
    return xp


def _inflate_raw(data: bytes) -> bytes:
    return zlib.decompressobj(-15).decompress(data)


_HOST = {
    "zstd": lambda data, size: numcodecs.Zstd().decode(data),
    "gzip": lambda data, size: gzip.decompress(data),
    "lz4": lambda data, size: numcodecs.LZ4().decode(struct.pack("<I", size) + data),
    "deflate": lambda data, size: _inflate_raw(data),
}


class FakeNvcomp:
    """nvCOMP's batched decompression, run by the host libraries; ``batches`` records
    (algorithm, number of chunks) of each call."""

    def __init__(self, xp: types.ModuleType) -> None:
        self.xp = xp
        self.batches: list[tuple[str, int]] = []

    def decompress(self, algorithm: str, chunks: Sequence[Any], sizes: Sequence[int]) -> list[Any]:
        assert all(isinstance(c, DeviceArray) for c in chunks), "input must be on the device"
        self.batches.append((algorithm, len(chunks)))
        out = []
        for chunk, size in zip(chunks, sizes, strict=True):
            raw = _HOST[algorithm](np.asarray(chunk).tobytes(), size)
            out.append(_on_device(np.frombuffer(bytes(raw), dtype=np.uint8)))
        return out


class FakeKvikio:
    """kvikio's ``CuFile`` reading local files into device arrays; ``reads`` records
    (path, size) of each read."""

    def __init__(self) -> None:
        self.reads: list[tuple[str, int]] = []
        outer = self

        class _Future:
            def __init__(self, n: int) -> None:
                self._n = n

            def get(self) -> int:
                return self._n

        class CuFile:
            def __init__(self, path: str, flags: str = "r") -> None:
                assert flags == "r"
                self._path = path

            def pread(self, buf: DeviceArray, size: int) -> _Future:
                assert isinstance(buf, DeviceArray), "kvikio reads into device memory"
                with open(self._path, "rb") as f:
                    data = f.read(size)
                np.asarray(buf)[: len(data)] = np.frombuffer(data, dtype=np.uint8)
                outer.reads.append((self._path, len(data)))
                return _Future(len(data))

            def close(self) -> None:
                pass

        self.CuFile = CuFile
