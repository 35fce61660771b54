"""zarr-python's ``zarr.core.metadata.v2`` path (re-exports only)."""

from zarrdist.metadata import ArrayMetadataV2 as ArrayV2Metadata
from zarrdist.metadata.fields import parse_zarr_format_v2 as parse_zarr_format

__all__ = ["ArrayV2Metadata", "parse_zarr_format"]
