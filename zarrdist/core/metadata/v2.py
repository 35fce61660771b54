"""zarr-python's ``zarr.core.metadata.v2`` path (re-exports only)."""

from zarrdist.metadata import ArrayMetadataV2 as ArrayV2Metadata

__all__ = ["ArrayV2Metadata"]
