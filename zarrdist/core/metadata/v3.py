"""zarr-python's ``zarr.core.metadata.v3`` path (re-exports only)."""

from zarrdist.metadata import ArrayMetadataV3 as ArrayV3Metadata
from zarrdist.metadata.fields import (
    parse_dimension_names,
    parse_node_type_array,
    parse_zarr_format,
)
from zarrdist.metadata.v3 import parse_codecs

__all__ = [
    "ArrayV3Metadata",
    "parse_codecs",
    "parse_dimension_names",
    "parse_node_type_array",
    "parse_zarr_format",
]
