"""zarr-python's ``zarr.core.sync_group`` path (re-exports only)."""

from zarrdist import create_hierarchy
from zarrdist.api.hierarchy.nodes import create_nodes, create_rooted_hierarchy, get_node

__all__ = ["create_hierarchy", "create_nodes", "create_rooted_hierarchy", "get_node"]
