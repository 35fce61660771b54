"""zarr-python's ``zarr.buffer`` path (re-exports only)."""

from zarrdist.buffer import cpu
from zarrdist.core.buffer import Buffer, BufferPrototype, NDBuffer, default_buffer_prototype

__all__ = ["Buffer", "BufferPrototype", "NDBuffer", "cpu", "default_buffer_prototype"]
