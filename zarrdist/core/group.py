"""zarr-python's ``zarr.core.group`` path (re-exports only)."""

from zarrdist import GroupMetadata
from zarrdist.api.aio import AsyncGroup
from zarrdist.api.aio.hierarchy import (
    create_hierarchy,
    create_nodes,
    create_rooted_hierarchy,
    get_node,
)
from zarrdist.api.hierarchy.group import Group
from zarrdist.metadata import ConsolidatedMetadata
from zarrdist.metadata import node_metadata_from_dict_v3 as _build_metadata_v3
from zarrdist.metadata.fields import parse_node_type

__all__ = [
    "_build_metadata_v3",
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
