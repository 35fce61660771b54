"""zarr-python's ``zarr.core._info`` path (re-exports only)."""

from zarrdist.api.arrays.describe import human_readable_size
from zarrdist.api.hierarchy.describe import GroupInfo

__all__ = ["GroupInfo", "human_readable_size"]
