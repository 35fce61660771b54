"""zarr-python's ``zarr.core.dtype.npy.float`` path (re-exports only). See :mod:`zarrdist.zarr_paths`."""

from zarrdist.dtype import (
    Float16,
    Float32,
    Float64,
)

__all__ = [
    "Float16",
    "Float32",
    "Float64",
]
