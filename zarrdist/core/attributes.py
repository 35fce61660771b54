"""zarr-python's ``zarr.core.attributes`` path (re-exports only)."""

from zarrdist.api.hierarchy.attributes import Attributes

__all__ = ["Attributes"]
