"""zarr-python's ``zarr.core.dtype.wrapper`` path (re-exports only). See :mod:`zarrdist.zarr_paths`."""

from zarrdist.dtype import (
    ZDType,
)
from zarrdist.dtype.zarr_helpers import (
    TBaseDType,
    TBaseScalar,
)

__all__ = [
    "TBaseDType",
    "TBaseScalar",
    "ZDType",
]
