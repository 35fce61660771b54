"""zarr-python's ``zarr.core.sync_group`` path (re-exports only)."""

from zarrdist import create_hierarchy

__all__ = ["create_hierarchy"]
