"""zarr-python's ``zarr.buffer`` path (re-exports only)."""

from zarrdist.buffer import cpu
from zarrdist.storage._cpu_buffers import default_buffer_prototype

__all__ = ["cpu", "default_buffer_prototype"]
