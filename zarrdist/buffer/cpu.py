"""zarr-python's ``zarr.buffer.cpu`` path (re-exports only)."""

from zarrdist.core.buffer.cpu import Buffer, NDBuffer, buffer_prototype, numpy_buffer_prototype

__all__ = ["Buffer", "NDBuffer", "buffer_prototype", "numpy_buffer_prototype"]
