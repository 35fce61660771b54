"""zarr-python's ``zarr.core.buffer`` path (re-exports only): zarrdist's
buffer prototype under zarr-python's names."""

from zarrdist.chunkio.arraylike import NDArrayLike, NDArrayLikeOrScalar
from zarrdist.chunkio.buffers import NDBufferPrototype as BufferPrototype
from zarrdist.chunkio.buffers import default_prototype as default_buffer_prototype

__all__ = ["BufferPrototype", "NDArrayLike", "NDArrayLikeOrScalar", "default_buffer_prototype"]
