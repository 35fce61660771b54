"""zarr-python's ``zarr.core.dtype.npy.string`` path (re-exports only). See :mod:`zarrdist.zarr_paths`."""

from zarrdist.dtype import (
    FixedLengthUTF32,
    VariableLengthUTF8,
)
from zarrdist.dtype.zarr_helpers import (
    NUMPY_SUPPORTS_VLEN_STRING as _NUMPY_SUPPORTS_VLEN_STRING,
)

__all__ = [
    "FixedLengthUTF32",
    "VariableLengthUTF8",
    "_NUMPY_SUPPORTS_VLEN_STRING",
]
