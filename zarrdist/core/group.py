"""zarr-python's ``zarr.core.group`` path (re-exports only)."""

from zarrdist import GroupMetadata
from zarrdist.api.aio import AsyncGroup
from zarrdist.api.aio.hierarchy import (
    create_hierarchy,
    create_nodes,
    create_rooted_hierarchy,
    get_node,
)
from zarrdist.hierarchy.group import Group
from zarrdist.metadata import ConsolidatedMetadata

__all__ = [
    "AsyncGroup",
    "ConsolidatedMetadata",
    "Group",
    "GroupMetadata",
    "create_hierarchy",
    "create_nodes",
    "create_rooted_hierarchy",
    "get_node",
]
