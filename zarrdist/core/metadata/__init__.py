"""zarr-python's ``zarr.core.metadata`` path (re-exports only)."""

from zarrdist.metadata import ArrayMetadata
from zarrdist.metadata import ArrayMetadataV2 as ArrayV2Metadata
from zarrdist.metadata import ArrayMetadataV3 as ArrayV3Metadata

__all__ = ["ArrayMetadata", "ArrayV2Metadata", "ArrayV3Metadata"]
