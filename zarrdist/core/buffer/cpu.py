"""zarr-python's ``zarr.core.buffer.cpu`` path (re-exports only)."""

from zarrdist.storage._cpu_buffers import Buffer, NDBuffer, buffer_prototype, numpy_buffer_prototype

__all__ = ["Buffer", "NDBuffer", "buffer_prototype", "numpy_buffer_prototype"]
