"""zarr-python's ``zarr.abc`` path (re-exports only; listed in tests/compat/zarr_paths.py)."""
