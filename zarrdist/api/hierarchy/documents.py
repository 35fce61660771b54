"""Nodes in a store: paths, and reading, writing and deleting metadata documents.

A *node* is an array or a group at a ``/``-separated path inside a store ("" is
the root). These helpers batch every document read of one step into a single
``Store.get_many`` call, so a remote store answers them concurrently.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

from zarrdist.errors import (
    ContainsArrayError,
    ContainsGroupError,
    ContainsNodeError,
    NodeNotFoundError,
)
from zarrdist.metadata import (
    ArrayMetadataV2,
    ArrayMetadataV3,
    GroupMetadataV2,
    GroupMetadataV3,
    load_json,
    parse_node_metadata,
)

if TYPE_CHECKING:
    from zarrdist.metadata import GroupMetadata, NodeMetadata
    from zarrdist.stores import Store

__all__ = [
    "V2_NAMES",
    "V3_NAMES",
    "ancestors",
    "delete_node",
    "doc_names",
    "join_path",
    "key_prefix",
    "kind_of",
    "new_group_metadata",
    "node_kind",
    "normalize_path",
    "parse_documents",
    "read_documents",
    "read_node",
    "read_nodes",
    "write_node",
    "write_nodes",
]

V3_NAMES = ("zarr.json",)
V2_NAMES = (".zarray", ".zgroup", ".zattrs")
NodeKind = Literal["array", "group"]
Documents = dict[str, bytes | None]


def normalize_path(path: str | None) -> str:
    """``path`` without leading, trailing or doubled slashes ("" for the root).

    Raises
    ------
    ValueError
        If a segment is ``.`` or ``..``, or the path holds a backslash: node paths
        never leave the store's root.
    """
    if path is None:
        return ""
    text = str(path)
    parts = [part for part in text.split("/") if part]
    if "\\" in text or any(part in (".", "..") for part in parts):
        raise ValueError(f"invalid node path {path!r}: '.', '..' and '\\' are not allowed")
    return "/".join(parts)


def join_path(*parts: str | None) -> str:
    """Node paths joined with ``/`` and normalized (empty parts are skipped)."""
    return normalize_path("/".join(p for p in parts if p))


def key_prefix(path: str) -> str:
    """The store-key prefix of the node at ``path`` (``"a/b/"``, or "" for the root)."""
    return f"{path}/" if path else ""


def ancestors(path: str) -> list[str]:
    """Paths of the groups above ``path``, root first (``"a/b/c"`` -> ``["", "a", "a/b"]``)."""
    if not path:
        return []
    parts = path.split("/")
    return ["/".join(parts[:i]) for i in range(len(parts))]


def doc_names(zarr_format: int | None) -> tuple[str, ...]:
    """Metadata documents to fetch for a node of ``zarr_format`` (None: both formats)."""
    if zarr_format == 3:
        return V3_NAMES
    if zarr_format == 2:
        return V2_NAMES
    return V3_NAMES + V2_NAMES


def read_documents(
    store: Store, paths: Sequence[str], names: Sequence[str]
) -> dict[str, Documents]:
    """Documents ``names`` of every path in ``paths``, fetched with one ``get_many``."""
    keys = [key_prefix(p) + n for p in paths for n in names]
    values = store.get_many(keys) if keys else []
    out: dict[str, Documents] = {p: {} for p in paths}
    it = iter(values)
    for path in paths:
        for name in names:
            value = next(it)
            out[path][name] = None if value is None else bytes(value)
    return out


def parse_documents(
    documents: Mapping[str, bytes | None], path: str, zarr_format: int | None = None
) -> NodeMetadata | None:
    """The node metadata in ``documents``, or None if they describe no node.

    Raises
    ------
    MetadataError
        If a document exists but is invalid (the error names its key).
    """
    try:
        return parse_node_metadata(documents, key_prefix=path, zarr_format=zarr_format)
    except NodeNotFoundError:
        return None


def read_nodes(
    store: Store, paths: Sequence[str], zarr_format: int | None = None
) -> dict[str, NodeMetadata | None]:
    """Metadata of every node in ``paths`` (None where there is none), one batch of reads."""
    docs = read_documents(store, paths, doc_names(zarr_format))
    return {p: parse_documents(docs[p], p, zarr_format) for p in paths}


def read_node(store: Store, path: str, zarr_format: int | None = None) -> NodeMetadata | None:
    """Metadata of the node at ``path``, or None if there is none."""
    return read_nodes(store, [path], zarr_format)[path]


def node_kind(documents: Mapping[str, bytes | None]) -> NodeKind | None:
    """ "array", "group" or None, from a node's raw documents, without full validation."""
    raw = documents.get("zarr.json")
    if raw is not None:
        document = load_json(raw, "zarr.json")
        kind = document.get("node_type") if isinstance(document, dict) else None
        return "array" if kind == "array" else "group"
    if documents.get(".zarray") is not None:
        return "array"
    if documents.get(".zgroup") is not None:
        return "group"
    return None


def node_exists_error(kind: NodeKind, path: str, store: str, hint: str = "") -> ContainsNodeError:
    """The error for a node of ``kind`` found at ``path`` where one was to be created."""
    error = ContainsArrayError if kind == "array" else ContainsGroupError
    article = "an" if kind == "array" else "a"
    where = path or "/"
    return error(f"{article} {kind} already exists at {where!r}{hint}", store=store, path=where)


def kind_of(metadata: NodeMetadata) -> NodeKind:
    """ "array" or "group" for parsed metadata."""
    return "array" if isinstance(metadata, ArrayMetadataV2 | ArrayMetadataV3) else "group"


def new_group_metadata(
    zarr_format: int, attributes: Mapping[str, Any] | None = None
) -> GroupMetadata:
    """Metadata of a new, empty group."""
    if zarr_format == 2:
        return GroupMetadataV2(dict(attributes or {}))
    return GroupMetadataV3(dict(attributes or {}))


def write_node(store: Store, path: str, metadata: NodeMetadata) -> None:
    """Write the documents of ``metadata`` at ``path`` (one ``set_many``)."""
    prefix = key_prefix(path)
    store.set_many({prefix + k: v for k, v in metadata.to_documents().items()})


def write_nodes(store: Store, nodes: Iterable[tuple[str, NodeMetadata]]) -> None:
    """Write several nodes' documents in one ``set_many``."""
    items: dict[str, bytes | memoryview] = {}
    for path, metadata in nodes:
        prefix = key_prefix(path)
        items.update({prefix + k: v for k, v in metadata.to_documents().items()})
    if items:
        store.set_many(items)


def delete_node(store: Store, path: str) -> None:
    """Delete the node at ``path`` and everything under it (the whole store for the root)."""
    store.delete_prefix(path)
