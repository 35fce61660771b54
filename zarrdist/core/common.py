"""zarr-python's ``zarr.core.common`` path (re-exports only)."""

from zarrdist.metadata.fields import (
    AccessModeLiteral,
    ceildiv,
    parse_name,
    parse_shapelike,
    product,
)
from zarrdist.stores import ACCESS_MODES as ANY_ACCESS_MODE

__all__ = [
    "ANY_ACCESS_MODE",
    "AccessModeLiteral",
    "ceildiv",
    "parse_name",
    "parse_shapelike",
    "product",
]
