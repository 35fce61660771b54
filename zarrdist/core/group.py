"""zarr-python's ``zarr.core.group`` path (re-exports only)."""

from zarrdist import GroupMetadata, create_hierarchy
from zarrdist.aio import AsyncGroup
from zarrdist.hierarchy.group import Group
from zarrdist.metadata import ConsolidatedMetadata

__all__ = ["AsyncGroup", "ConsolidatedMetadata", "Group", "GroupMetadata", "create_hierarchy"]
