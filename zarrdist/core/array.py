"""zarr-python's ``zarr.core.array`` path (re-exports only)."""

from zarrdist import DEFAULT_FILL_VALUE
from zarrdist.aio import AsyncArray
from zarrdist.api.asynchronous import create_array, from_array
from zarrdist.array import Array, ArrayConfig
from zarrdist.arrayops.keywords import v3_chunk_encoding as _parse_chunk_encoding_v3
from zarrdist.metadata import parse_array_metadata

__all__ = [
    "DEFAULT_FILL_VALUE",
    "_parse_chunk_encoding_v3",
    "Array",
    "ArrayConfig",
    "AsyncArray",
    "create_array",
    "from_array",
    "parse_array_metadata",
]
