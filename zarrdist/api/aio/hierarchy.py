"""zarr-python's async node functions of ``zarr.core.group``: ``create_hierarchy``,
``create_nodes`` (async iterators), ``create_rooted_hierarchy`` and ``get_node``.

Each runs the synchronous function of the same name (:mod:`zarrdist.api.hierarchy.nodes`,
:func:`zarrdist.create_hierarchy`) off the event loop and hands back async faces;
the signatures are the synchronous ones.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any

from zarrdist.api.aio._face import run
from zarrdist.api.hierarchy import nodes as sync_nodes
from zarrdist.api.hierarchy.group_functions import create_hierarchy as sync_create_hierarchy

__all__ = ["create_hierarchy", "create_nodes", "create_rooted_hierarchy", "get_node"]


async def create_hierarchy(
    store: Any = None,
    nodes: Mapping[str, Any] | None = None,
    *,
    overwrite: bool = False,
) -> AsyncIterator[tuple[str, Any]]:
    """Awaitable :func:`zarrdist.create_hierarchy`: ``(path, node)`` for every node
    written, parents first, as async faces."""
    created = await run(
        lambda: list(sync_create_hierarchy(store=store, nodes=nodes, overwrite=overwrite))
    )
    for item in created:
        yield item


async def create_nodes(*, store: Any, nodes: dict[str, Any]) -> AsyncIterator[tuple[str, Any]]:
    """Awaitable :func:`zarrdist.api.hierarchy.nodes.create_nodes`."""
    created = await run(lambda: list(sync_nodes.create_nodes(store=store, nodes=nodes)))
    for item in created:
        yield item


async def create_rooted_hierarchy(
    *, store: Any, nodes: dict[str, Any], overwrite: bool = False
) -> Any:
    """Awaitable :func:`zarrdist.api.hierarchy.nodes.create_rooted_hierarchy`."""
    return await run(
        sync_nodes.create_rooted_hierarchy, store=store, nodes=nodes, overwrite=overwrite
    )


async def get_node(store: Any, path: str, zarr_format: int) -> Any:
    """Awaitable :func:`zarrdist.api.hierarchy.nodes.get_node`."""
    return await run(sync_nodes.get_node, store, path, zarr_format)
