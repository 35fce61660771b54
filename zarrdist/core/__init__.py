"""zarr-python's ``zarr.core`` path (re-exports only; "core" is zarr-python's word here,
not zarrdist's format-core layer). Listed in tests/compat/zarr_paths.py."""
