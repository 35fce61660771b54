"""zarr-python's ``zarr.storage._utils`` path (re-exports only)."""

from zarrdist.stores.node_paths import join_paths as _join_paths
from zarrdist.stores.node_paths import normalize_path
from zarrdist.stores.node_paths import normalize_path_keys as _normalize_path_keys
from zarrdist.stores.node_paths import normalize_paths as _normalize_paths
from zarrdist.stores.node_paths import relative_path as _relativize_path

__all__ = [
    "_join_paths",
    "_normalize_path_keys",
    "_normalize_paths",
    "_relativize_path",
    "normalize_path",
]
