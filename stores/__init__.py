"""Stores: bytes by key, knowing nothing of arrays (installed as ``zarrdist.stores``)."""

from __future__ import annotations

if __name__ != "zarrdist.stores":  # pragma: no cover - guards the package-dir mapping
    # Loaded as a top-level "stores" (repo root on sys.path): the same classes would
    # exist twice, and isinstance checks would silently fail.
    raise ImportError("import zarrdist.stores, not the top-level 'stores' folder")

from zarrdist.stores._base import (
    ByteRequest,
    OffsetByteRequest,
    RangeByteRequest,
    Store,
    StoreSpec,
    SuffixByteRequest,
    normalize_key,
    open_spec,
    register_driver,
)

__all__ = [
    "ByteRequest",
    "OffsetByteRequest",
    "RangeByteRequest",
    "Store",
    "StoreSpec",
    "SuffixByteRequest",
    "normalize_key",
    "open_spec",
    "register_driver",
]
