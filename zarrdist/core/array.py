"""zarr-python's ``zarr.core.array`` path (re-exports only)."""

from zarrdist import DEFAULT_FILL_VALUE
from zarrdist.aio import AsyncArray
from zarrdist.api import create_array, from_array
from zarrdist.arrayops.array import Array, ArrayConfig
from zarrdist.metadata import parse_array_metadata

__all__ = [
    "DEFAULT_FILL_VALUE",
    "Array",
    "ArrayConfig",
    "AsyncArray",
    "create_array",
    "from_array",
    "parse_array_metadata",
]
