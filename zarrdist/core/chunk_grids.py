"""zarr-python's ``zarr.core.chunk_grids`` path (re-exports only)."""

from zarrdist.chunking.grid import RegularChunkGrid

__all__ = ["RegularChunkGrid"]
