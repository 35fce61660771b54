"""zarr-python's ``zarr.core.chunk_key_encodings`` path (re-exports only)."""

from zarrdist.chunking.grid import ChunkKeyEncoding, DefaultChunkKeyEncoding, V2ChunkKeyEncoding

__all__ = ["ChunkKeyEncoding", "DefaultChunkKeyEncoding", "V2ChunkKeyEncoding"]
