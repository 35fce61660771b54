"""zarr-python's ``zarr.abc`` path (re-exports only; see :mod:`zarrdist.zarr_paths`)."""
