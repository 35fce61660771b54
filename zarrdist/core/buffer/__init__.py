"""zarr-python's ``zarr.core.buffer`` path (re-exports only): zarrdist's
buffer prototype under zarr-python's names."""

from zarrdist.buffers import NDBufferPrototype as BufferPrototype
from zarrdist.buffers import default_prototype as default_buffer_prototype

__all__ = ["BufferPrototype", "default_buffer_prototype"]
