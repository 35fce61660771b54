"""zarr-python's ``zarr.core.array`` path (re-exports only)."""

from zarrdist import DEFAULT_FILL_VALUE
from zarrdist.api.aio import AsyncArray
from zarrdist.api.arrays.array import Array, ArrayConfig
from zarrdist.api.arrays.grid_walk import iter_chunk_coords as _iter_chunk_coords
from zarrdist.api.arrays.grid_walk import iter_chunk_regions as _iter_chunk_regions
from zarrdist.api.arrays.grid_walk import iter_shard_coords as _iter_shard_coords
from zarrdist.api.arrays.grid_walk import iter_shard_keys as _iter_shard_keys
from zarrdist.api.arrays.grid_walk import iter_shard_regions as _iter_shard_regions
from zarrdist.api.arrays.grid_walk import shards_initialized as _shards_initialized
from zarrdist.api.arrays.keywords import chunk_key_encoding_for as _parse_chunk_key_encoding
from zarrdist.api.arrays.keywords import default_filters_v2
from zarrdist.api.arrays.keywords import v2_chunk_encoding as _parse_chunk_encoding_v2
from zarrdist.api.arrays.keywords import v3_chunk_encoding as _parse_chunk_encoding_v3
from zarrdist.api.asynchronous import create_array, from_array
from zarrdist.metadata import parse_array_metadata
from zarrdist.metadata.v3 import default_serializer as default_serializer_v3

__all__ = [
    "DEFAULT_FILL_VALUE",
    "_iter_chunk_coords",
    "_iter_chunk_regions",
    "_iter_shard_coords",
    "_iter_shard_keys",
    "_iter_shard_regions",
    "_parse_chunk_encoding_v2",
    "_parse_chunk_encoding_v3",
    "_parse_chunk_key_encoding",
    "_shards_initialized",
    "Array",
    "ArrayConfig",
    "AsyncArray",
    "create_array",
    "default_filters_v2",
    "default_serializer_v3",
    "from_array",
    "parse_array_metadata",
]
