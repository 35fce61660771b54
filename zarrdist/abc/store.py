"""zarr-python's ``zarr.abc.store`` path: the Store ABC and byte requests (re-exports only)."""

from zarrdist.stores import (
    ByteRequest,
    OffsetByteRequest,
    RangeByteRequest,
    Store,
    SuffixByteRequest,
)

__all__ = ["ByteRequest", "OffsetByteRequest", "RangeByteRequest", "Store", "SuffixByteRequest"]
