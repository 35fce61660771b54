"""zarr-python's ``zarr.experimental`` path (re-exports only)."""
