"""Root conftest of the extracted zarr-python suite (copied there by run.py)."""

import os
import sys

if os.environ.get("ZARR_SUITE_TARGET", "zarrdist") == "zarrdist":
    sys.path.insert(0, os.environ["ZARR_SUITE_HARNESS"])
    import zarr_alias

    zarr_alias.install()
