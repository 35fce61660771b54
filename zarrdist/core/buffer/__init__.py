"""zarr-python's ``zarr.core.buffer`` path: the Buffer face of the async store API
(``core``, ``cpu``) and the array-likeness checks zarrdist's reads use."""

from zarrdist.core.buffer import cpu
from zarrdist.core.buffer.core import (
    ArrayLike,
    Buffer,
    BufferPrototype,
    NDArrayLike,
    NDArrayLikeOrScalar,
    NDBuffer,
    default_buffer_prototype,
)
from zarrdist.core.buffer.cpu import numpy_buffer_prototype

__all__ = [
    "ArrayLike",
    "Buffer",
    "BufferPrototype",
    "NDArrayLike",
    "NDArrayLikeOrScalar",
    "NDBuffer",
    "cpu",
    "default_buffer_prototype",
    "numpy_buffer_prototype",
]
