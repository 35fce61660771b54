"""zarr-python's ``zarr.core.chunk_grids`` path (re-exports only)."""

from zarrdist.chunking.grid import RegularChunkGrid, normalize_chunks
from zarrdist.chunking.grid import guess_chunks as _guess_chunks

__all__ = ["RegularChunkGrid", "_guess_chunks", "normalize_chunks"]
