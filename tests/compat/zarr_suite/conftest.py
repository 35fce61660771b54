"""The cached zarr-python suite under .cache/ is run by run.py, never collected here."""

collect_ignore = [".cache"]
