"""zarr-python's ``zarr.experimental.cache_store`` path (re-exports only)."""

from zarrdist.stores import CacheStore

__all__ = ["CacheStore"]
