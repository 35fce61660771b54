"""The read path's device capability: decode a batch of chunks on the GPU.

:func:`device_decoder` is what :func:`zarrdist.chunkio.read.read_units` asks: for a
read into a device array (``config.enable_gpu()``) whose chain decodes on the device
(:func:`zarrdist.codecs.device.device_plan`) and whose array module has a backend,
a function that decodes a whole batch there. Otherwise None, and the read decodes
on the host and copies each chunk to the device, as zarr-python does.

Backends are found by array module name: ``cupy`` gets nvCOMP through
nvidia-nvcomp (imported on first use); a chain with no compressor needs no nvCOMP
(its ``bytes`` and ``transpose`` run as CuPy operations). Other modules (a test's
stand-in) register theirs with :func:`register_backend`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

from zarrdist.codecs import ArraySpec, CodecChain
from zarrdist.codecs.device import DeviceBackend, device_plan, nvcomp_backend

__all__ = ["BatchDecoder", "device_decoder", "on_host", "register_backend"]

#: Decodes the stored chunks of a batch into device arrays.
BatchDecoder = Callable[[Sequence[Any]], list[Any]]

_backends: dict[str, DeviceBackend | None] = {}
_lock = threading.Lock()


class _NoCompressor:
    """A backend for chains without a compressor, where nvCOMP is not installed."""

    def __init__(self, xp: Any) -> None:
        self.xp = xp

    def decompress(self, algorithm: str, chunks: Sequence[Any], sizes: Sequence[int]) -> list[Any]:
        raise RuntimeError(f"nvCOMP is not installed; {algorithm} decodes on the host")


def register_backend(module_name: str, backend: DeviceBackend | None) -> None:
    """Use ``backend`` for reads into arrays of module ``module_name`` (None removes it)."""
    with _lock:
        if backend is None:
            _backends.pop(module_name, None)
        else:
            _backends[module_name] = backend


def _backend(xp: Any) -> tuple[DeviceBackend | None, bool]:
    """The backend for array module ``xp`` and whether it has a decompressor."""
    name = getattr(xp, "__name__", "")
    with _lock:
        found = _backends.get(name)
    if found is not None:
        return found, not isinstance(found, _NoCompressor)
    if name != "cupy":
        return None, False
    try:
        backend: DeviceBackend = nvcomp_backend()
    except ImportError:
        backend = _NoCompressor(xp)
    with _lock:
        _backends.setdefault(name, backend)
    return backend, not isinstance(backend, _NoCompressor)


def device_decoder(chain: CodecChain, spec: ArraySpec) -> BatchDecoder | None:
    """A batch decoder on the device for chunks of ``chain`` and ``spec``, or None where
    the host decodes (a host prototype, a chain with no device plan, a compressor
    and no nvCOMP)."""
    if not spec.prototype.is_device:
        return None
    plan = device_plan(chain, spec)
    if plan is None:
        return None
    backend, decompresses = _backend(spec.prototype.xp)
    if backend is None or (plan.stage is not None and not decompresses):
        return None
    found = backend

    def decode(datas: Sequence[Any]) -> list[Any]:
        return plan.decode_batch(datas, spec, found)

    return decode


def on_host(data: Any) -> Any:
    """Stored bytes as host bytes (a device buffer read by kvikio is copied back), for
    the host decode a failed device batch falls back to."""
    if hasattr(data, "__cuda_array_interface__"):
        return data.get().tobytes()
    return data
