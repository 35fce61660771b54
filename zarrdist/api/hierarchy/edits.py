"""Creating, deleting and moving nodes, with parents written and consolidation kept true.

Every operation reads what it must check in one batch (the node and its
ancestors), writes, then brings consolidated documents above it up to date
(:func:`zarrdist.api.hierarchy.consolidation.sync_consolidated`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from zarrdist.api.hierarchy.consolidation import (
    ZMETADATA,
    Change,
    ConsolidatedView,
    sync_consolidated,
)
from zarrdist.api.hierarchy.documents import (
    V2_NAMES,
    ancestors,
    delete_node,
    key_prefix,
    kind_of,
    new_group_metadata,
    node_exists_error,
    node_kind,
    parse_documents,
    write_nodes,
)
from zarrdist.errors import (
    ContainsArrayError,
    ContainsNodeError,
    NodeNotFoundError,
    ReadOnlyStoreError,
)
from zarrdist.graphs.locks import metadata_lock

if TYPE_CHECKING:
    from zarrdist.metadata import NodeMetadata
    from zarrdist.stores import Store

__all__ = ["create_node", "move_node", "parent_documents", "remove_node"]


def parent_documents(
    store: Store, path: str, zarr_format: int
) -> tuple[dict[str, bytes | None], dict[str, dict[str, bytes | None]]]:
    """The documents at ``path`` and those of each ancestor, fetched in one batch.

    The node itself is checked in both formats (a node of either kind blocks a
    creation); ancestors in ``zarr_format``, with what marks them consolidated.
    """
    parent_names = ("zarr.json",) if zarr_format == 3 else (".zarray", ".zgroup", ZMETADATA)
    wanted = [(path, n) for n in ("zarr.json", ".zarray", ".zgroup")]
    wanted += [(p, n) for p in ancestors(path) for n in parent_names]
    values = store.get_many([key_prefix(p) + n for p, n in wanted])
    docs: dict[str, dict[str, bytes | None]] = {}
    for (node, name), value in zip(wanted, values, strict=True):
        docs.setdefault(node, {})[name] = None if value is None else bytes(value)
    return docs[path], {p: docs[p] for p in ancestors(path)}


def _missing_parents(
    store: Store, path: str, parents: Mapping[str, Mapping[str, Any]]
) -> list[str]:
    missing = []
    for parent, docs in parents.items():
        kind = node_kind(docs)
        if kind == "array":
            raise ContainsArrayError(
                f"A parent of {path!r} is an array - only groups may have child nodes "
                f"({parent or '/'!r} is an array)",
                store=store.url,
                path=parent or "/",
            )
        if kind is None:
            missing.append(parent)
    return missing


def create_node(
    store: Store,
    path: str,
    metadata: NodeMetadata,
    *,
    overwrite: bool = False,
    view: ConsolidatedView | None = None,
) -> None:
    """Write a new node at ``path``, its missing parent groups, and update consolidation.

    Raises
    ------
    ContainsArrayError, ContainsGroupError
        If a node exists at ``path`` and ``overwrite`` is False, or an ancestor is
        an array.
    """
    if store.read_only:
        # Said first, as zarr-python does: nothing else about the store matters then.
        raise ReadOnlyStoreError(
            f"cannot create a node at {path or '/'!r}: the store is read-only",
            store=store.url,
            key=None,
        )
    with metadata_lock(store, path):
        _create_node(store, path, metadata, overwrite, view)


def _create_node(
    store: Store,
    path: str,
    metadata: NodeMetadata,
    overwrite: bool,
    view: ConsolidatedView | None,
) -> None:
    own, parents = parent_documents(store, path, metadata.zarr_format)
    existing = node_kind(own)
    hint = "; pass overwrite=True (or mode='w') to replace it"
    if existing is not None and not overwrite:
        raise node_exists_error(existing, path, store.url, hint)
    missing = _missing_parents(store, path, parents)
    changes: list[Change] = []
    if overwrite and (existing is not None or store.supports_deletes):
        delete_node(store, path)
        changes.append((path, None))
    new: list[tuple[str, NodeMetadata]] = [
        (p, new_group_metadata(metadata.zarr_format)) for p in missing
    ]
    if overwrite:
        write_nodes(store, [*new, (path, metadata)])
    else:
        write_nodes(store, new)
        # The claim: one creator wins the node's main document even across
        # processes of an object store (the lock above covers local stores only).
        docs = metadata.to_documents()
        main = next(n for n in ("zarr.json", ".zarray", ".zgroup") if n in docs)
        if not store.set_if_not_exists(key_prefix(path) + main, docs[main]):
            raise node_exists_error(kind_of(metadata), path, store.url, hint)
        rest = {key_prefix(path) + n: v for n, v in docs.items() if n != main}
        if rest:
            store.set_many(rest)
    new.append((path, metadata))
    changes += new
    known: dict[str, dict[str, bytes | None]] = {**parents, path: {ZMETADATA: None}}
    sync_consolidated(store, changes, zarr_format=metadata.zarr_format, view=view, known=known)


def remove_node(
    store: Store, path: str, *, zarr_format: int | None, view: ConsolidatedView | None = None
) -> None:
    """Delete the node at ``path`` and everything below it; update consolidation."""
    delete_node(store, path)
    sync_consolidated(store, [(path, None)], zarr_format=zarr_format, view=view)


def _subtree_metadata(store: Store, path: str, keys: list[str]) -> list[tuple[str, NodeMetadata]]:
    """Metadata of every node stored under ``path`` (relative paths), from listed keys."""
    names = ("zarr.json", *V2_NAMES)
    docs_keys = [k for k in keys if k.rpartition("/")[2] in names]
    values = dict(zip(docs_keys, store.get_many(docs_keys), strict=True))
    by_node: dict[str, dict[str, bytes | None]] = {}
    prefix = key_prefix(path)
    for key, value in values.items():
        node, _, name = key[len(prefix) :].rpartition("/")
        by_node.setdefault(node, {})[name] = None if value is None else bytes(value)
    out = []
    for node, docs in sorted(by_node.items()):
        metadata = parse_documents(docs, node)
        if metadata is not None:
            out.append((node, metadata))
    return out


def move_node(
    store: Store,
    source: str,
    dest: str,
    *,
    zarr_format: int,
    view: ConsolidatedView | None = None,
) -> None:
    """Move the node at ``source`` (and all below it) to ``dest`` in the same store.

    Keys are copied on the graph engine, then the source is deleted.

    Raises
    ------
    NodeNotFoundError
        If nothing exists at ``source``.
    ContainsNodeError
        If a node exists at ``dest``, or ``dest`` lies inside ``source``.
    """
    if not source:
        raise ValueError("the root of a store cannot be moved")
    if dest == source or dest.startswith(source + "/"):
        raise ContainsNodeError(
            f"cannot move {source!r} into itself ({dest!r})", store=store.url, path=dest
        )
    keys = list(store.list_prefix(source))
    nodes = _subtree_metadata(store, source, keys)
    if not any(rel == "" for rel, _ in nodes):
        raise NodeNotFoundError(f"nothing to move at {source!r}", store=store.url, path=source)
    own, parents = parent_documents(store, dest, zarr_format)
    if node_kind(own) is not None:
        raise ContainsNodeError(
            f"cannot move {source!r} to {dest!r}: a node exists there", store=store.url, path=dest
        )
    missing = _missing_parents(store, dest, parents)
    write_nodes(store, [(p, new_group_metadata(zarr_format)) for p in missing])
    from zarrdist.graphs.keycopy import copy_keys, renamed  # imports dask: only on a move

    copy_keys(store, store, renamed(keys, key_prefix(source), key_prefix(dest)))
    delete_node(store, source)
    changes: list[Change] = [(source, None)]
    changes += [(p, new_group_metadata(zarr_format)) for p in missing]
    changes += [(f"{dest}/{rel}" if rel else dest, m) for rel, m in nodes]
    sync_consolidated(store, changes, zarr_format=zarr_format, view=view)
