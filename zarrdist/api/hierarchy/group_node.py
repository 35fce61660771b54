"""Where a group is, found or made: the :class:`GroupNode` a ``Group`` is built from.

``open_group`` and ``create_group`` (:mod:`zarrdist.api.hierarchy.group_functions`) and
``Group.open`` and ``Group.from_store`` share this work. It returns the group's
store, path, metadata and consolidated view, never a ``Group``, so that
:mod:`zarrdist.api.hierarchy.group` can use it without an import circle.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from zarrdist.api import default_mode, resolve_format
from zarrdist.api.arrays.keyword_warnings import warn_not_implemented
from zarrdist.api.hierarchy.consolidation import ZMETADATA, ConsolidatedView
from zarrdist.api.hierarchy.documents import (
    key_prefix,
    kind_of,
    new_group_metadata,
    normalize_path,
    parse_documents,
    read_documents,
)
from zarrdist.api.hierarchy.edits import create_node
from zarrdist.config import config
from zarrdist.errors import ContainsArrayError, GroupNotFoundError
from zarrdist.metadata import GroupMetadata, GroupMetadataV2, GroupMetadataV3, parse_zmetadata
from zarrdist.stores import Store, resolve_store, split_store_path

__all__ = ["GroupNode", "create_group_node", "find_group", "open_group_node", "warn_unused"]


@dataclass(frozen=True)
class GroupNode:
    """A group in a store: what ``Group(store, path, metadata, view=view)`` takes."""

    store: Store
    path: str
    metadata: GroupMetadata
    view: ConsolidatedView | None = None


def warn_unused(**given: Any) -> None:
    """Warn about each zarr-python keyword given that zarrdist does not use."""
    for name, value in given.items():
        if value is not None:
            warn_not_implemented(name, stacklevel=5)  # zarr-python's text and category


def _group_documents(
    store: Store, path: str, zarr_format: int | None, use_consolidated: bool | str | None
) -> tuple[dict[str, bytes | None], str]:
    if isinstance(use_consolidated, str) and zarr_format == 3:
        raise TypeError("use_consolidated must be a bool or None for zarr_format=3")
    key = use_consolidated if isinstance(use_consolidated, str) else ZMETADATA
    names: list[str] = []
    if zarr_format in (None, 3):
        names.append("zarr.json")
    if zarr_format in (None, 2):
        names += [".zgroup", ".zattrs"]
        if use_consolidated is not False:
            names.append(key)
    return read_documents(store, [path], names)[path], key


def find_group(
    store: Store, path: str, zarr_format: int | None, use_consolidated: bool | str | None
) -> GroupNode | None:
    """The group at ``path``, or None if there is none; one batch of reads.

    Raises
    ------
    ContainsArrayError
        If an array is there.
    ValueError
        If consolidated metadata is required (``use_consolidated``) but absent, or the
        store does not support it.
    """
    if not store.supports_consolidated_metadata:
        # The store keeps its own consolidated view (zarr-python's opt-out): never ours.
        if use_consolidated:
            raise ValueError(
                f"use_consolidated={use_consolidated!r}, but the store {store.url} "
                f"({type(store).__name__}) doesn't support consolidated metadata"
            )
        use_consolidated = False
    docs, key = _group_documents(store, path, zarr_format, use_consolidated)
    metadata = parse_documents({k: v for k, v in docs.items() if k != key}, path, zarr_format)
    if metadata is None:
        return None
    if kind_of(metadata) == "array":
        raise ContainsArrayError(
            "an array exists here, not a group", store=store.url, path=path or "/"
        )
    view = None
    if isinstance(metadata, GroupMetadataV3):
        consolidated = metadata.consolidated_metadata
        if consolidated is not None and use_consolidated is not False:
            view = ConsolidatedView(path, consolidated.metadata)
        metadata = metadata.with_consolidated(None)
    elif docs.get(key) is not None and use_consolidated is not False:
        nodes = parse_zmetadata(docs[key] or b"", key=key_prefix(path) + key)
        nodes.pop("", None)
        view = ConsolidatedView(path, nodes)
    if use_consolidated and view is None:
        raise ValueError(
            f"Consolidated metadata requested (use_consolidated={use_consolidated!r}) "
            f"but the group at {path or '/'!r} in {store.url} has none"
        )
    assert isinstance(metadata, GroupMetadataV2 | GroupMetadataV3)
    return GroupNode(store, path, metadata, view)


def open_group_node(
    store: Any = None,
    *,
    mode: str = "a",
    cache_attrs: bool | None = None,
    synchronizer: Any = None,
    path: str | None = None,
    chunk_store: Any = None,
    storage_options: Mapping[str, Any] | None = None,
    zarr_version: int | None = None,
    zarr_format: int | None = None,
    meta_array: Any = None,
    attributes: Mapping[str, Any] | None = None,
    use_consolidated: bool | str | None = None,
) -> GroupNode:
    """:func:`zarrdist.open_group`'s work: the group found, or the one created.

    Raises
    ------
    GroupNotFoundError, ContainsArrayError, ContainsGroupError
        As :func:`zarrdist.open_group`.
    """
    warn_unused(
        cache_attrs=cache_attrs,
        synchronizer=synchronizer,
        chunk_store=chunk_store,
        meta_array=meta_array,
    )
    zarr_format = resolve_format(zarr_format, zarr_version)
    store, path = split_store_path(store, path)
    mode = default_mode(store, mode)
    resolved = resolve_store(store, mode=mode, storage_options=storage_options)
    node_path = normalize_path(path)
    if mode in ("r", "r+", "a"):
        found = find_group(resolved, node_path, zarr_format, use_consolidated)
        if found is not None:
            return found
        if mode != "a" or resolved.read_only or use_consolidated not in (None, False):
            # Consolidated metadata was required: a new, empty group would not have it.
            raise GroupNotFoundError("no group here", store=resolved.url, path=node_path or "/")
    fmt = int(zarr_format or config.get("default_zarr_format"))
    metadata = new_group_metadata(fmt, attributes)
    create_node(resolved, node_path, metadata, overwrite=mode == "w")
    return GroupNode(resolved, node_path, metadata)


def create_group_node(
    store: Any,
    *,
    path: str | None = None,
    zarr_format: int | None = None,
    overwrite: bool = False,
    attributes: Mapping[str, Any] | None = None,
    storage_options: Mapping[str, Any] | None = None,
) -> GroupNode:
    """:func:`zarrdist.create_group`'s work: a new group (missing parents too).

    Raises
    ------
    ContainsArrayError, ContainsGroupError
        If a node exists at ``path`` and ``overwrite`` is False.
    """
    store, path = split_store_path(store, path)
    resolved = resolve_store(store, mode="w" if overwrite else "a", storage_options=storage_options)
    node_path = normalize_path(path)
    metadata = new_group_metadata(int(zarr_format or config.get("default_zarr_format")), attributes)
    create_node(resolved, node_path, metadata, overwrite=overwrite)
    return GroupNode(resolved, node_path, metadata)
