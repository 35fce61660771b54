"""zarr-python's ``zarr.abc.store`` path: the asynchronous Store ABC and byte requests
(re-exports only; the ABC is ``zarrdist.storage._async_store``)."""

from zarrdist.storage._async_store import Store
from zarrdist.stores import ByteRequest, OffsetByteRequest, RangeByteRequest, SuffixByteRequest

__all__ = ["ByteRequest", "OffsetByteRequest", "RangeByteRequest", "Store", "SuffixByteRequest"]
