"""zarr-python's ``zarr.storage._common`` path (re-exports only)."""

from zarrdist.api.aio.storage import contains_array, contains_group, make_store_path
from zarrdist.stores import StorePath

__all__ = ["StorePath", "contains_array", "contains_group", "make_store_path"]
