"""zarr-python's ``zarr.core.sync`` path (re-exports only)."""

from zarrdist.storage._loop import SyncError, SyncMixin, collect_aiterator, sync
from zarrdist.storage._loop import collect_async as _collect_aiterator

__all__ = ["SyncError", "SyncMixin", "_collect_aiterator", "collect_aiterator", "sync"]
