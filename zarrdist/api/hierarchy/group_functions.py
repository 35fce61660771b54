"""Top-level functions of zarr-python 3's API for groups and whole hierarchies.

``group``, ``create_group``, ``open_group``, ``open_consolidated``,
``consolidate_metadata``, ``open``, ``save``, ``save_group``, ``load`` and
``tree``. Modes have file-mode meaning (see :mod:`zarrdist.api`); ``a`` never
deletes existing data.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from zarrdist.api import default_mode, open_array, resolve_format, save_array
from zarrdist.api.arrays.array import Array
from zarrdist.api.arrays.keyword_warnings import warn_consolidated_v3
from zarrdist.api.hierarchy.consolidation import ZMETADATA, ConsolidatedView
from zarrdist.api.hierarchy.create import write_nodes
from zarrdist.api.hierarchy.documents import (
    delete_node,
    key_prefix,
    kind_of,
    new_group_metadata,
    normalize_path,
    read_node,
    write_node,
)
from zarrdist.api.hierarchy.edits import create_node
from zarrdist.api.hierarchy.group import Group, open_nodes
from zarrdist.api.hierarchy.group_node import (
    GroupNode,
    create_group_node,
    find_group,
    open_group_node,
)
from zarrdist.api.hierarchy.members import walk
from zarrdist.config import config
from zarrdist.errors import (
    GroupNotFoundError,
    NodeNotFoundError,
)
from zarrdist.metadata import (
    ArrayMetadataV2,
    GroupMetadataV2,
    GroupMetadataV3,
    consolidate,
    zmetadata_document,
)
from zarrdist.stores import StorePath, resolve_store, split_store_path
from zarrdist.stores._path import from_zarr_store_path

__all__ = [
    "consolidate_metadata",
    "create_group",
    "create_hierarchy",
    "group",
    "load",
    "open",
    "open_consolidated",
    "open_group",
    "save",
    "save_group",
    "tree",
]


def _group(node: GroupNode) -> Group:
    return Group(node.store, node.path, node.metadata, view=node.view)


def open_group(
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
) -> Group:
    """Open a group with file-mode semantics; consolidated metadata is used when present.

    ``use_consolidated=None`` uses consolidated metadata if there is some, True
    requires it, False ignores it; a string names a v2 consolidated key.

    Raises
    ------
    GroupNotFoundError
        If no group exists and the mode (``r``, ``r+``, or any mode when consolidated
        metadata is required) does not create one.
    ContainsArrayError
        If an array exists at the path.
    ContainsGroupError
        With ``w-``, if a group exists.
    """
    return _group(
        open_group_node(
            store,
            mode=mode,
            cache_attrs=cache_attrs,
            synchronizer=synchronizer,
            path=path,
            chunk_store=chunk_store,
            storage_options=storage_options,
            zarr_version=zarr_version,
            zarr_format=zarr_format,
            meta_array=meta_array,
            attributes=attributes,
            use_consolidated=use_consolidated,
        )
    )


def group(
    store: Any = None,
    *,
    overwrite: bool = False,
    chunk_store: Any = None,
    cache_attrs: bool | None = None,
    synchronizer: Any = None,
    path: str | None = None,
    zarr_version: int | None = None,
    zarr_format: int | None = None,
    meta_array: Any = None,
    attributes: Mapping[str, Any] | None = None,
    storage_options: Mapping[str, Any] | None = None,
) -> Group:
    """Open the group at ``path``, creating it if missing (``overwrite=True``: replace it)."""
    return open_group(
        store,
        mode="w" if overwrite else "a",
        chunk_store=chunk_store,
        cache_attrs=cache_attrs,
        synchronizer=synchronizer,
        path=path,
        zarr_version=zarr_version,
        zarr_format=zarr_format,
        meta_array=meta_array,
        attributes=attributes,
        storage_options=storage_options,
    )


def create_group(
    store: Any,
    *,
    path: str | None = None,
    zarr_format: int | None = None,
    overwrite: bool = False,
    attributes: Mapping[str, Any] | None = None,
    storage_options: Mapping[str, Any] | None = None,
) -> Group:
    """Create a group (missing parents too).

    Raises
    ------
    ContainsArrayError, ContainsGroupError
        If a node exists at ``path`` and ``overwrite`` is False.
    """
    return _group(
        create_group_node(
            store,
            path=path,
            zarr_format=zarr_format,
            overwrite=overwrite,
            attributes=attributes,
            storage_options=storage_options,
        )
    )


def open_consolidated(*args: Any, use_consolidated: bool = True, **kwargs: Any) -> Group:
    """:func:`open_group` requiring consolidated metadata.

    Raises
    ------
    TypeError
        If ``use_consolidated`` is not True (a wrong argument, as in zarr-python).
    GroupNotFoundError
        If the group has no consolidated metadata.
    """
    if use_consolidated is not True:
        raise TypeError(
            f"open_consolidated requires use_consolidated=True, not {use_consolidated!r} "
            "(open_group(use_consolidated=False) reads without consolidated metadata)"
        )
    return open_group(*args, use_consolidated=True, **kwargs)


def consolidate_metadata(
    store: Any, path: str | None = None, zarr_format: int | None = None
) -> Group:
    """Gather the metadata of every node below the group at ``path`` into one document.

    v3 writes it inline in the group's ``zarr.json``; v2 writes ``.zmetadata``,
    byte for byte as zarr-python does. Returns the group, opened with it.

    Raises
    ------
    GroupNotFoundError
        If there is no group at ``path``.
    ReadOnlyStoreError
        If the store is read-only.
    TypeError
        If the store does not support consolidated metadata.
    """
    store, path = split_store_path(store, path)
    resolved = resolve_store(store, mode="r+")
    if not resolved.supports_consolidated_metadata:
        raise TypeError(
            f"The store {resolved.url} ({type(resolved).__name__}) doesn't support "
            "consolidated metadata: it keeps its own"
        )
    node_path = normalize_path(path)
    found = find_group(resolved, node_path, zarr_format, use_consolidated=False)
    if found is None:
        raise GroupNotFoundError(
            "no group to consolidate", store=resolved.url, path=node_path or "/"
        )
    fmt = found.metadata.zarr_format
    members = walk(resolved, node_path, fmt, max_depth=None, use_consolidated_for_children=False)
    nodes = {rel: m for rel, _, m in members if m.zarr_format == fmt}
    if fmt == 3 and nodes:
        warn_consolidated_v3()
    stored = read_node(resolved, node_path, fmt)
    if isinstance(stored, GroupMetadataV3):
        consolidated = consolidate(nodes)
        write_node(resolved, node_path, stored.with_consolidated(consolidated))
        return Group(
            resolved,
            node_path,
            stored.with_consolidated(None),
            view=ConsolidatedView(node_path, consolidated.metadata),
        )
    assert isinstance(stored, GroupMetadataV2)
    v2_nodes = {k: m for k, m in nodes.items() if isinstance(m, ArrayMetadataV2 | GroupMetadataV2)}
    resolved.set(key_prefix(node_path) + ZMETADATA, zmetadata_document(stored, v2_nodes))
    return Group(resolved, node_path, stored, view=ConsolidatedView(node_path, v2_nodes))


def open(
    store: Any = None,
    *,
    mode: str | None = None,
    zarr_version: int | None = None,
    zarr_format: int | None = None,
    path: str | None = None,
    storage_options: Mapping[str, Any] | None = None,
    **kwargs: Any,
) -> Array | Group:
    """Open an array or a group, whichever is there.

    With ``shape=`` (or an existing array) it is :func:`open_array`; otherwise
    :func:`open_group`: ``a`` creates a group when nothing is there, ``w`` and
    ``w-`` create one (``w`` replacing what is there).

    Raises
    ------
    NodeNotFoundError
        With ``r`` or ``r+``, if nothing is there.
    """
    zarr_format = resolve_format(zarr_format, zarr_version)
    store, path = split_store_path(store, path)
    mode = default_mode(store, mode)
    resolved = resolve_store(store, mode=mode, storage_options=storage_options)
    node_path = normalize_path(path)
    if "shape" in kwargs:
        return open_array(resolved, mode=mode, path=node_path, zarr_format=zarr_format, **kwargs)
    if mode in ("r", "r+", "a"):
        found = read_node(resolved, node_path, zarr_format)
        if found is not None and kind_of(found) == "array":
            return Array(
                resolved,
                node_path,
                found,  # type: ignore[arg-type]
                config=kwargs.get("config"),
            )
        if found is None and mode != "a":
            raise NodeNotFoundError(
                "no array or group here", store=resolved.url, path=node_path or "/"
            )
    kwargs.pop("config", None)
    return open_group(resolved, mode=mode, path=node_path, zarr_format=zarr_format, **kwargs)


def save(
    store: Any,
    *args: Any,
    zarr_version: int | None = None,
    zarr_format: int | None = None,
    path: str | None = None,
    **kwargs: Any,
) -> None:
    """Save one array (:func:`save_array`) or several (:func:`save_group`).

    Raises
    ------
    ValueError
        If no array is given.
    """
    if not args and not kwargs:
        raise ValueError("at least one array must be provided")
    zarr_format = resolve_format(zarr_format, zarr_version)
    if len(args) == 1 and not kwargs:
        save_array(store, args[0], zarr_format=zarr_format, path=path)
    else:
        save_group(store, *args, zarr_format=zarr_format, path=path, **kwargs)


def save_group(
    store: Any,
    *args: Any,
    zarr_version: int | None = None,
    zarr_format: int | None = None,
    path: str | None = None,
    storage_options: Mapping[str, Any] | None = None,
    **kwargs: Any,
) -> None:
    """Save arrays into a new group at ``path`` (replacing it): positional ones as
    ``arr_0``, ``arr_1``, ..., keyword ones under their names.

    Raises
    ------
    TypeError
        If an argument is not array-like.
    ValueError
        If no array is given.
    """
    zarr_format = resolve_format(zarr_format, zarr_version)
    arrays = {f"arr_{i}": a for i, a in enumerate(args)} | kwargs
    if not arrays:
        raise ValueError("at least one array must be provided")
    for name, value in arrays.items():
        if not (hasattr(value, "shape") and hasattr(value, "dtype")):
            raise TypeError(f"argument {name!r} must be a NumPy-like array")
    store, path = split_store_path(store, path)
    resolved = resolve_store(store, mode="w", storage_options=storage_options)
    node_path = normalize_path(path)
    if resolved.supports_deletes:
        delete_node(resolved, node_path)
    fmt = int(zarr_format or config.get("default_zarr_format"))
    create_node(resolved, node_path, new_group_metadata(fmt), overwrite=True)
    for name, value in arrays.items():
        save_array(resolved, value, zarr_format=fmt, path=f"{node_path}/{name}".lstrip("/"))


class GroupLoader(Mapping[str, Any]):
    """What :func:`load` returns for a group: arrays by path, read on access."""

    def __init__(self, grp: Group) -> None:
        self._group = grp
        self._paths = [rel for rel, node in grp.members(max_depth=None) if isinstance(node, Array)]

    def __getitem__(self, key: str) -> Any:
        if key not in self._paths:
            raise KeyError(key)
        node = self._group[key]
        assert isinstance(node, Array)
        return node[...]

    def __iter__(self) -> Iterator[str]:
        return iter(self._paths)

    def __len__(self) -> int:
        return len(self._paths)

    def __repr__(self) -> str:
        return f"<GroupLoader: {', '.join(self._paths)}>"


def load(
    store: Any,
    path: str | None = None,
    zarr_format: int | None = None,
    zarr_version: int | None = None,
) -> Any:
    """The data at ``path``: a NumPy array (a 0-d array for a 0-d Zarr array), or, for
    a group, a mapping of every array below it by relative path, read on access.

    Raises
    ------
    NodeNotFoundError
        If nothing is there.
    """
    zarr_format = resolve_format(zarr_format, zarr_version)
    node = open(store, mode="r", path=path, zarr_format=zarr_format)
    if isinstance(node, Array):
        return node[...]
    return GroupLoader(node)


def tree(grp: Group, expand: bool | None = None, level: int | None = None) -> Any:
    """``grp.tree(expand, level)`` (zarr-python keeps this as a deprecated function)."""
    return grp.tree(expand=expand, level=level)


def create_hierarchy(
    store: Any = None,
    nodes: Mapping[str, Any] | None = None,
    *,
    overwrite: bool = False,
) -> Iterator[tuple[str, Array | Group]]:
    """Create every node of ``nodes`` (path -> group or array metadata) as one graph.

    Metadata may be zarrdist's (:class:`GroupMetadata`, :class:`ArrayMetadata`, the
    V2/V3 classes) or zarr-python's. Missing parent groups are added; existing
    ones are kept. The work is done before this returns (zarr-python's generator
    does it only when iterated); the result iterates ``(path, node)`` for every
    node written, parents first.

    Raises
    ------
    ContainsArrayError, ContainsGroupError
        If a named node exists and ``overwrite`` is False, or an array stands where
        a parent group must be.
    ValueError
        If the nodes mix Zarr formats, or an array has nodes below it.
    """
    nodes = nodes or {}
    store = from_zarr_store_path(store)  # zarr-python's StorePath (or the async face's)
    if isinstance(store, StorePath):
        # The nodes' paths are below the StorePath's; its own path is their parent group.
        nodes = {(store / path).path: node for path, node in nodes.items()}
        store = store.store
    resolved = resolve_store(store, mode="a")
    return iter(open_nodes(resolved, write_nodes(resolved, nodes, overwrite=overwrite), None))
