"""zarr-python's ``zarr.core._info`` path (re-exports only)."""

from zarrdist.arrayops.describe import human_readable_size
from zarrdist.hierarchy.describe import GroupInfo

__all__ = ["GroupInfo", "human_readable_size"]
