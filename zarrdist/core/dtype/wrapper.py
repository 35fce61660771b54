"""zarr-python's ``zarr.core.dtype.wrapper`` path (re-exports only). See :mod:`zarrdist.zarr_paths`."""

from zarrdist.datatypes.zarr_helpers import (
    TBaseDType,
    TBaseScalar,
)
from zarrdist.dtype import (
    ZDType,
)

__all__ = [
    "TBaseDType",
    "TBaseScalar",
    "ZDType",
]
