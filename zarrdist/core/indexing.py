"""zarr-python's ``zarr.core.indexing`` path (re-exports only)."""

from zarrdist.chunking.walk import GridOrder as _ArrayIndexingOrder
from zarrdist.chunking.walk import iter_grid as _iter_grid
from zarrdist.chunking.walk import iter_regions as _iter_regions
from zarrdist.codecs.sharding import iter_morton_order as morton_order_iter

__all__ = ["_ArrayIndexingOrder", "_iter_grid", "_iter_regions", "morton_order_iter"]
