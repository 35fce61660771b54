"""zarr-python's ``zarr.core.sync`` path (re-exports only)."""

from zarrdist.aio.blocking import collect_aiterator, sync
from zarrdist.aio.blocking import collect_aiterator_async as _collect_aiterator

__all__ = ["_collect_aiterator", "collect_aiterator", "sync"]
