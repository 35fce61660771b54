"""zarr-python's ``zarr.buffer`` path (re-exports only)."""

from zarrdist.chunkio.buffers import default_prototype as default_buffer_prototype

__all__ = ["default_buffer_prototype"]
