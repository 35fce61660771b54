"""zarr-python's ``zarr.core.group`` path (re-exports only)."""

from zarrdist import GroupMetadata
from zarrdist.aio import AsyncGroup
from zarrdist.aio.hierarchy import create_hierarchy, create_nodes, create_rooted_hierarchy, get_node
from zarrdist.hierarchy.group import Group
from zarrdist.metadata import ConsolidatedMetadata
from zarrdist.metadata.fields import parse_node_type

__all__ = [
    "AsyncGroup",
    "ConsolidatedMetadata",
    "Group",
    "GroupMetadata",
    "create_hierarchy",
    "create_nodes",
    "create_rooted_hierarchy",
    "get_node",
    "parse_node_type",
]
