"""zarr-python's ``zarr.core.metadata.v3`` path (re-exports only)."""

from zarrdist.metadata import ArrayMetadataV3 as ArrayV3Metadata

__all__ = ["ArrayV3Metadata"]
