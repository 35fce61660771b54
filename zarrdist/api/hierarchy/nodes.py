"""zarr-python's node functions of ``zarr.core.sync_group``: ``create_nodes``,
``create_rooted_hierarchy`` and ``get_node``, over zarrdist's hierarchy writes.

``create_nodes`` writes exactly the metadata documents it is given (no implicit
parents, no checks of what is there), which is what zarr-python promises for it;
``create_rooted_hierarchy`` is :func:`zarrdist.create_hierarchy` with a single root
whose node it returns; ``get_node`` opens the node at a path in one Zarr format.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from zarrdist.api.arrays.array import Array
from zarrdist.api.hierarchy.create import write_documents
from zarrdist.api.hierarchy.documents import kind_of, normalize_path, read_node
from zarrdist.api.hierarchy.group import Group, open_nodes
from zarrdist.api.hierarchy.group_functions import create_hierarchy
from zarrdist.errors import NodeNotFoundError
from zarrdist.stores import resolve_store

if TYPE_CHECKING:
    from zarrdist.metadata import NodeMetadata

__all__ = ["create_nodes", "create_rooted_hierarchy", "get_node", "hierarchy_roots"]


def hierarchy_roots(paths: Iterable[str]) -> tuple[str, ...]:
    """The paths with the fewest segments (``""``, the store's root, when it is there)."""
    keys = [normalize_path(p) for p in paths]
    if "" in keys:
        return ("",)
    if not keys:
        return ()
    fewest = min(k.count("/") for k in keys)
    return tuple(k for k in keys if k.count("/") == fewest)


def create_nodes(*, store: Any, nodes: dict[str, Any]) -> Iterator[tuple[str, Array | Group]]:
    """Write the metadata of every node of ``nodes`` (path -> group or array metadata)
    as it is, and iterate ``(path, node)`` for each.

    Nothing is checked against what the store holds and no parent groups are added:
    the caller answers for the nodes forming a valid hierarchy.
    """
    resolved = resolve_store(store, mode="a")
    return iter(open_nodes(resolved, write_documents(resolved, nodes), None))


def create_rooted_hierarchy(
    *, store: Any, nodes: dict[str, Any], overwrite: bool = False
) -> Array | Group:
    """:func:`zarrdist.create_hierarchy` for nodes below one root, returning the root.

    Raises
    ------
    ValueError
        If the nodes have no single root (a group above every other node, or one array).
    """
    roots = hierarchy_roots(nodes)
    if len(roots) != 1:
        raise ValueError(
            "The input does not specify a root node. create_rooted_hierarchy needs one node "
            f"above all the others (a group, or a single array); the top nodes are {roots}"
        )
    created = dict(create_hierarchy(store=store, nodes=nodes, overwrite=overwrite))
    return created[roots[0]]


def get_node(store: Any, path: str, zarr_format: int) -> Array | Group:
    """The array or group at ``path`` of ``store``, read as Zarr format ``zarr_format``.

    Raises
    ------
    NodeNotFoundError
        If there is no node of that format at ``path``.
    ValueError
        If ``zarr_format`` is not 2 or 3.
    """
    if zarr_format not in (2, 3):
        raise ValueError(f"zarr_format must be 2 or 3, not {zarr_format!r}")
    resolved = resolve_store(store, mode="r+")
    node_path = normalize_path(path)
    found: NodeMetadata | None = read_node(resolved, node_path, zarr_format)
    if found is None:
        raise NodeNotFoundError(
            f"no zarr format {zarr_format} node here", store=resolved.url, path=node_path or "/"
        )
    if kind_of(found) == "array":
        return Array(resolved, node_path, found)  # type: ignore[arg-type]
    return Group(resolved, node_path, found)  # type: ignore[arg-type]
