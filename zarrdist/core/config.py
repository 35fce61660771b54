"""zarr-python's ``zarr.core.config`` path (re-exports only)."""

from zarrdist.config import Config, config

__all__ = ["Config", "config"]
