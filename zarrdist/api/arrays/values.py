"""Values written into a selection: dask values broadcast like NumPy, plain regions.

What :meth:`zarrdist.Array.__setitem__` needs to decide how a dask value is written:
as one region of step-1 slices (a graph aligned to storage units), or computed first.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from zarrdist.chunking.indexing import check_value_shape

if TYPE_CHECKING:
    from zarrdist.chunking.indexing import Indexer

__all__ = ["broadcast_dask", "plain_region"]


def broadcast_dask(value: Any, shape: tuple[int, ...]) -> Any:
    """A dask value broadcast to the selection's ``shape``, refused (before any write) if
    NumPy would refuse it."""
    target = check_value_shape(value.shape, shape)
    if value.ndim > len(target):
        value = value.reshape(value.shape[value.ndim - len(target) :])
    if tuple(value.shape) != target:
        import dask.array as da

        value = da.broadcast_to(value, target)
    return value


def plain_region(indexer: Indexer, selection: Any) -> tuple[slice, ...] | None:
    """The region of a basic step-1 selection (ints become length-1 slices), else None."""
    if selection is None or getattr(indexer, "kind", "") != "basic":
        return None
    region = indexer.region
    expected = 1
    for sl in region:
        expected *= sl.stop - sl.start
    if expected != math.prod(indexer.shape):
        return None
    for p in indexer:
        for s in p.out_selection:
            if isinstance(s, slice) and s.step not in (None, 1):
                return None
    return region
