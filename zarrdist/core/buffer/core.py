"""zarr-python's ``zarr.core.buffer.core`` path (re-exports only)."""

from zarrdist.storage._buffers import (
    ArrayLike,
    Buffer,
    BufferPrototype,
    NDArrayLike,
    NDArrayLikeOrScalar,
    NDBuffer,
)
from zarrdist.storage._cpu_buffers import default_buffer_prototype

__all__ = [
    "ArrayLike",
    "Buffer",
    "BufferPrototype",
    "NDArrayLike",
    "NDArrayLikeOrScalar",
    "NDBuffer",
    "default_buffer_prototype",
]
