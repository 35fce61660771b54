"""Top-level functions of zarr-python 3's API for groups and whole hierarchies.

``group``, ``create_group``, ``open_group``, ``open_consolidated``,
``consolidate_metadata``, ``open``, ``save``, ``save_group``, ``load`` and
``tree``. Modes have file-mode meaning (see :mod:`zarrdist.api`); ``a`` never
deletes existing data.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from zarrdist._consolidation import ZMETADATA, ConsolidatedView
from zarrdist._members import walk
from zarrdist._node_ops import NodeArray, create_node
from zarrdist._nodes import (
    delete_node,
    key_prefix,
    kind_of,
    new_group_metadata,
    normalize_path,
    parse_documents,
    read_documents,
    read_node,
    write_node,
)
from zarrdist.api import default_mode, open_array, resolve_format, save_array
from zarrdist.array import Array
from zarrdist.config import config
from zarrdist.errors import (
    ContainsArrayError,
    GroupNotFoundError,
    NodeNotFoundError,
)
from zarrdist.group import Group
from zarrdist.metadata import (
    ArrayMetadataV2,
    GroupMetadataV2,
    GroupMetadataV3,
    consolidate,
    parse_zmetadata,
    zmetadata_document,
)
from zarrdist.stores import resolve_store, split_store_path
from zarrdist.zarr_warnings import warn_not_implemented

if TYPE_CHECKING:
    from zarrdist.stores import Store

__all__ = [
    "consolidate_metadata",
    "create_group",
    "group",
    "load",
    "open",
    "open_consolidated",
    "open_group",
    "save",
    "save_group",
    "tree",
]


def _warn_unused(**given: Any) -> None:
    for name, value in given.items():
        if value is not None:
            warn_not_implemented(name, stacklevel=4)


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


def _open_existing(
    store: Store, path: str, zarr_format: int | None, use_consolidated: bool | str | None
) -> Group | None:
    """The group at ``path``, or None if there is none; one batch of reads.

    Raises
    ------
    ContainsArrayError
        If an array is there.
    ValueError
        If consolidated metadata is required (``use_consolidated``) but absent.
    """
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
            f"consolidated metadata was required (use_consolidated={use_consolidated!r}) "
            f"but the group at {path or '/'!r} in {store.url} has none"
        )
    assert isinstance(metadata, GroupMetadataV2 | GroupMetadataV3)
    return Group(store, path, metadata, view=view)


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
    _warn_unused(
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
        found = _open_existing(resolved, node_path, zarr_format, use_consolidated)
        if found is not None:
            return found
        if mode != "a" or resolved.read_only or use_consolidated not in (None, False):
            # Consolidated metadata was required: a new, empty group would not have it.
            raise GroupNotFoundError("no group here", store=resolved.url, path=node_path or "/")
    fmt = int(zarr_format or config.get("default_zarr_format"))
    metadata = new_group_metadata(fmt, attributes)
    create_node(resolved, node_path, metadata, overwrite=mode == "w")
    return Group(resolved, node_path, metadata)


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
    store, path = split_store_path(store, path)
    resolved = resolve_store(store, mode="w" if overwrite else "a", storage_options=storage_options)
    node_path = normalize_path(path)
    metadata = new_group_metadata(int(zarr_format or config.get("default_zarr_format")), attributes)
    create_node(resolved, node_path, metadata, overwrite=overwrite)
    return Group(resolved, node_path, metadata)


def open_consolidated(*args: Any, use_consolidated: bool = True, **kwargs: Any) -> Group:
    """:func:`open_group` requiring consolidated metadata.

    Raises
    ------
    ValueError
        If ``use_consolidated`` is not True, or the group has no consolidated metadata.
    """
    if use_consolidated is not True:
        raise ValueError("open_consolidated requires use_consolidated=True")
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
    """
    store, path = split_store_path(store, path)
    resolved = resolve_store(store, mode="r+")
    node_path = normalize_path(path)
    found = _open_existing(resolved, node_path, zarr_format, use_consolidated=False)
    if found is None:
        raise GroupNotFoundError(
            "no group to consolidate", store=resolved.url, path=node_path or "/"
        )
    fmt = found.zarr_format
    members = walk(resolved, node_path, fmt, max_depth=None, use_consolidated_for_children=False)
    nodes = {rel: m for rel, _, m in members if m.zarr_format == fmt}
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
            return NodeArray(
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
