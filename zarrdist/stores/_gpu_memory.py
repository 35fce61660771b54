"""GpuMemoryStore: values held in device memory, as zarr-python's ``GpuMemoryStore``.

Each value is a 1-D uint8 CuPy array. Reads hand out host bytes (the store API is
bytes); :meth:`GpuMemoryStore.get_device` hands out the device array itself, for
callers that decode on the device. CuPy is imported when a store is made, so this
module imports everywhere and the error names what is missing.
"""

from __future__ import annotations

import importlib
from collections.abc import MutableMapping
from types import ModuleType
from typing import Any

import numpy as np

from zarrdist.stores._base import ByteRequest, slice_bytes
from zarrdist.stores._memory import MemoryStore

__all__ = ["GpuMemoryStore"]


def _cupy() -> ModuleType:
    try:
        return importlib.import_module("cupy")
    except ImportError as error:
        raise ImportError(
            "GpuMemoryStore keeps values in GPU memory and needs CuPy, which is not "
            "installed: pip install 'zarrdist[gpu]' (or cupy-cuda12x)"
        ) from error


class GpuMemoryStore(MemoryStore):
    """Keys in a dict of this process, values in device memory (CuPy arrays).

    Parameters
    ----------
    store_dict : MutableMapping, optional
        The mapping to keep values in; values given as host bytes move to the device.
    read_only : bool
        Refuse writes.

    Raises
    ------
    ImportError
        If CuPy is not installed.
    """

    def __init__(
        self, store_dict: MutableMapping[str, Any] | None = None, *, read_only: bool = False
    ) -> None:
        self._xp = _cupy()
        if store_dict is not None:
            for key, value in list(store_dict.items()):
                store_dict[key] = self._on_device(value)
        super().__init__(store_dict, read_only=read_only)

    def __repr__(self) -> str:
        return f"GpuMemoryStore(<{len(self.store_dict)} keys>, read_only={self.read_only})"

    def _on_device(self, value: Any) -> Any:
        if hasattr(value, "__cuda_array_interface__"):
            return self._xp.asarray(value).reshape(-1).view(self._xp.uint8)
        return self._xp.asarray(np.frombuffer(bytes(value), dtype=np.uint8))

    def _get(self, key: str, byte_range: ByteRequest | None) -> bytes | memoryview | None:
        value = self.store_dict.get(key)
        if value is None:
            return None
        host = value.get() if hasattr(value, "get") else np.asarray(value)
        return slice_bytes(host.tobytes(), byte_range)

    def _set(self, key: str, value: bytes | memoryview) -> None:
        self.store_dict[key] = self._on_device(value)

    def get_device(self, key: str) -> Any:
        """The device array (1-D uint8) held at ``key``, or None."""
        return self.store_dict.get(self._key(key))
