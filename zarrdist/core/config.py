"""zarr-python's ``zarr.core.config`` path (re-exports only)."""

from zarrdist.config import Config, config
from zarrdist.metadata.fields import parse_indexing_order

__all__ = ["Config", "config", "parse_indexing_order"]
