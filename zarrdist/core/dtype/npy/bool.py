"""zarr-python's ``zarr.core.dtype.npy.bool`` path (re-exports only). See :mod:`zarrdist.zarr_paths`."""

from zarrdist.dtype import (
    Bool,
)

__all__ = [
    "Bool",
]
