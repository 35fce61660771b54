"""zarr-python's awaitable store helpers of ``zarr.storage._common``:
``make_store_path``, ``contains_array`` and ``contains_group``.

Each runs zarrdist's synchronous store resolution or metadata read off the event loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from zarrdist.api.hierarchy.documents import kind_of, read_node
from zarrdist.stores import StorePath, resolve_store
from zarrdist.stores.node_paths import normalize_path

__all__ = ["contains_array", "contains_group", "make_store_path"]


def _store_path(
    store_like: Any, path: str | None, mode: str | None, storage_options: Mapping[str, Any] | None
) -> StorePath:
    node_path = normalize_path(path)
    if isinstance(store_like, StorePath):
        if storage_options:
            raise TypeError("storage_options are only used for URL strings, not a StorePath")
        return store_like / node_path
    store = resolve_store(store_like, mode=mode or "a", storage_options=storage_options)
    return StorePath(store, node_path)


async def make_store_path(
    store_like: Any,
    *,
    path: str | None = "",
    mode: str | None = None,
    storage_options: Mapping[str, Any] | None = None,
) -> StorePath:
    """The StorePath that ``store_like`` and ``path`` name (a StorePath's path comes first).

    Raises
    ------
    TypeError
        If ``store_like`` has an unsupported type, or ``storage_options`` would be unused.
    """
    return await asyncio.to_thread(_store_path, store_like, path, mode, storage_options)


async def _contains(store_path: StorePath, zarr_format: Any, kind: str) -> bool:
    if zarr_format not in (2, 3):
        raise ValueError(f"zarr_format must be 2 or 3, not {zarr_format!r}")
    found = await asyncio.to_thread(read_node, store_path.store, store_path.path, zarr_format)
    return found is not None and kind_of(found) == kind


async def contains_array(store_path: StorePath, zarr_format: int) -> bool:
    """Whether an array of Zarr format ``zarr_format`` is at ``store_path``."""
    return await _contains(store_path, zarr_format, "array")


async def contains_group(store_path: StorePath, zarr_format: int) -> bool:
    """Whether a group of Zarr format ``zarr_format`` is at ``store_path``."""
    return await _contains(store_path, zarr_format, "group")
