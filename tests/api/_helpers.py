"""Helpers shared by the public-API tests: zarr-python views of zarrdist stores."""

from __future__ import annotations

from typing import Any

from zarrdist.stores import LocalStore, MemoryStore, Store

__all__ = ["peer_store", "stored_json"]


def peer_store(store: Store, *, read_only: bool = True) -> Any:
    """A zarr-python store over a copy of (memory) or the same (local) bytes as ``store``."""
    import zarr
    from zarr.core.buffer import cpu

    if isinstance(store, MemoryStore):
        data = {k: cpu.Buffer.from_bytes(bytes(v)) for k, v in store.store_dict.items()}
        return zarr.storage.MemoryStore(data, read_only=read_only)
    assert isinstance(store, LocalStore)
    return zarr.storage.LocalStore(str(store.root), read_only=read_only)


def stored_json(store: Store, key: str) -> Any:
    """The JSON document stored at ``key``."""
    import json

    raw = store.get(key)
    assert raw is not None, key
    return json.loads(bytes(raw))
