"""zarr-python's ``zarr.core.dtype.npy.time`` path (re-exports only). See :mod:`zarrdist.zarr_paths`."""

from zarrdist.dtype import (
    DateTime64,
    TimeDelta64,
)
from zarrdist.dtype.zarr_helpers import (
    datetime_from_int,
)

__all__ = [
    "DateTime64",
    "TimeDelta64",
    "datetime_from_int",
]
