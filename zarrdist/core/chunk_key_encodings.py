"""zarr-python's ``zarr.core.chunk_key_encodings`` path (re-exports only)."""

from zarrdist.chunking.grid import (
    ChunkKeyEncoding,
    ChunkKeyEncodingParams,
    DefaultChunkKeyEncoding,
    V2ChunkKeyEncoding,
)
from zarrdist.chunking.grid import chunk_key_encoding_from_json as parse_chunk_key_encoding

__all__ = [
    "ChunkKeyEncoding",
    "ChunkKeyEncodingParams",
    "DefaultChunkKeyEncoding",
    "V2ChunkKeyEncoding",
    "parse_chunk_key_encoding",
]
