"""zarr-python's ``zarr.core.dtype.npy.complex`` path (re-exports only). See :mod:`zarrdist.zarr_paths`."""

from zarrdist.dtype import (
    Complex64,
    Complex128,
)

__all__ = [
    "Complex128",
    "Complex64",
]
