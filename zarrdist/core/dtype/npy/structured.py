"""zarr-python's ``zarr.core.dtype.npy.structured`` path (re-exports only). See :mod:`zarrdist.zarr_paths`."""

from zarrdist.dtype import (
    Structured,
)

__all__ = [
    "Structured",
]
