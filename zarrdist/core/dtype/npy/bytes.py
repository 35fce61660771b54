"""zarr-python's ``zarr.core.dtype.npy.bytes`` path (re-exports only). See :mod:`zarrdist.zarr_paths`."""

from zarrdist.dtype import (
    NullTerminatedBytes,
    RawBytes,
    VariableLengthBytes,
)

__all__ = [
    "NullTerminatedBytes",
    "RawBytes",
    "VariableLengthBytes",
]
