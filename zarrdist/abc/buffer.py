"""zarr-python's ``zarr.abc.buffer`` path (re-exports only)."""

from zarrdist.core.buffer.core import ArrayLike, Buffer, BufferPrototype, NDArrayLike, NDBuffer

__all__ = ["ArrayLike", "Buffer", "BufferPrototype", "NDArrayLike", "NDBuffer"]
