"""``create_hierarchy``: many nodes from metadata objects, written as one dask graph.

Implicit parent groups are added (and left alone where they already exist), as
in zarr-python. Checks read every node's documents in one batch; then one graph
writes them: a clearing task (``overwrite=True``), one task per node, and a last
task that brings consolidated documents above the new nodes up to date.
"""

from __future__ import annotations

from abc import ABC
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from zarrdist.api.arrays.keywords import DEFAULT_FILL_VALUE, array_metadata
from zarrdist.api.hierarchy.consolidation import ConsolidatedView, sync_consolidated
from zarrdist.api.hierarchy.documents import (
    ancestors,
    delete_node,
    kind_of,
    new_group_metadata,
    node_exists_error,
    node_kind,
    normalize_path,
    read_documents,
    write_node,
)
from zarrdist.errors import ContainsArrayError
from zarrdist.graphs.execute import run_graph
from zarrdist.metadata import (
    ArrayMetadataV2,
    ArrayMetadataV3,
    GroupMetadataV2,
    GroupMetadataV3,
    group_metadata_from_dict,
    parse_node_metadata,
)

if TYPE_CHECKING:
    from dask.typing import Key

    from zarrdist.metadata import NodeMetadata
    from zarrdist.stores import Store

__all__ = [
    "ArrayMetadata",
    "GroupMetadata",
    "hierarchy_graph",
    "write_documents",
    "write_nodes",
]


class GroupMetadata(ABC):  # noqa: B024 - a constructor that dispatches on the format
    """Metadata of a group, constructible as in the seed: ``GroupMetadata(attributes=...)``.

    Returns a :class:`~zarrdist.metadata.GroupMetadataV3` (or ``V2`` with
    ``zarr_format=2``); both are instances of this class.
    """

    def __new__(
        cls,
        attributes: Mapping[str, Any] | None = None,
        zarr_format: int = 3,
        consolidated_metadata: Any = None,
    ) -> Any:
        if zarr_format == 2:
            return GroupMetadataV2(dict(attributes or {}))
        return GroupMetadataV3(dict(attributes or {}), consolidated_metadata)

    #: zarr-python's ``GroupMetadata.from_dict``: either format, by ``zarr_format``.
    from_dict = staticmethod(group_metadata_from_dict)


class ArrayMetadata(ABC):  # noqa: B024 - a constructor that dispatches on the format
    """Metadata of an array from ``create_array``'s keywords:
    ``ArrayMetadata(shape=(100,), dtype="f4")``.

    Returns :class:`~zarrdist.metadata.ArrayMetadataV3` (or ``V2`` with
    ``zarr_format=2``; None follows the config); both are instances of this class.
    """

    def __new__(
        cls,
        shape: Any,
        dtype: Any = "float64",
        *,
        fill_value: Any = DEFAULT_FILL_VALUE,
        **keywords: Any,
    ) -> Any:
        return array_metadata(shape=shape, dtype=dtype, fill_value=fill_value, **keywords)


GroupMetadata.register(GroupMetadataV2)
GroupMetadata.register(GroupMetadataV3)
ArrayMetadata.register(ArrayMetadataV2)
ArrayMetadata.register(ArrayMetadataV3)


def _as_metadata(value: Any, path: str) -> NodeMetadata:
    """zarrdist metadata as it is; zarr-python metadata through its own documents."""
    if isinstance(value, ArrayMetadataV2 | ArrayMetadataV3 | GroupMetadataV2 | GroupMetadataV3):
        return value
    to_buffers = getattr(value, "to_buffer_dict", None)
    if to_buffers is None:
        raise TypeError(f"node {path!r}: not array or group metadata: {value!r}")
    from zarr.core.buffer import default_buffer_prototype

    documents = {k: v.to_bytes() for k, v in to_buffers(default_buffer_prototype()).items()}
    return parse_node_metadata(documents, key_prefix=path)


def _plan(
    store: Store, nodes: Mapping[str, NodeMetadata], overwrite: bool
) -> tuple[dict[str, NodeMetadata], list[str]]:
    """(nodes to write, explicit nodes to clear first), after checking the store."""
    formats = {m.zarr_format for m in nodes.values()}
    if len(formats) > 1:
        raise ValueError(f"create_hierarchy cannot mix zarr formats in one hierarchy: {formats}")
    fmt = formats.pop() if formats else 3
    implicit = {a for p in nodes for a in ancestors(p)} - set(nodes)
    for path, metadata in nodes.items():
        if kind_of(metadata) == "array" and any(p.startswith(path + "/") for p in nodes):
            raise ValueError(f"node {path!r} is an array but has nodes below it")
    everything = sorted(set(nodes) | implicit, key=lambda p: (p.count("/"), p))
    names = ("zarr.json",) if fmt == 3 else (".zarray", ".zgroup")
    documents = read_documents(store, everything, names)
    plan: dict[str, NodeMetadata] = {}
    clear: list[str] = []
    for path in everything:
        existing = node_kind(documents[path])
        if path in implicit:
            if existing == "array":
                raise ContainsArrayError(
                    f"an array exists where group {path!r} must be",
                    store=store.url,
                    path=path or "/",
                )
            if existing is None:
                plan[path] = new_group_metadata(fmt)
            continue
        if existing is not None:
            if not overwrite:
                raise node_exists_error(existing, path, store.url)
            clear.append(path)
        plan[path] = nodes[path]
    return plan, clear


def _clear(store: Store, paths: list[str]) -> None:
    for path in paths:
        delete_node(store, path)


def _write(store: Store, path: str, metadata: NodeMetadata, _cleared: Any) -> None:
    write_node(store, path, metadata)


def _sync(store: Store, changes: list[Any], *_written: Any) -> None:
    sync_consolidated(store, changes)


def hierarchy_graph(
    store: Store, plan: Mapping[str, NodeMetadata], clear: list[str]
) -> tuple[dict[Key, Any], Key]:
    """The graph that writes ``plan`` (path -> metadata) after clearing ``clear``."""
    from zarrdist.graphs.staged import staged_graph  # imports dask: only when nodes are written

    documents = {p: m.to_documents() for p, m in plan.items()}
    changes = [(p, None) for p in clear] + list(plan.items())
    return staged_graph(
        "hierarchy",
        (store.spec, sorted(documents.items()), clear),
        (_clear, (store, clear)),
        [(_write, (store, path, metadata)) for path, metadata in plan.items()],
        (_sync, (store, changes)),
    )


def write_nodes(
    resolved: Store,
    nodes: Mapping[str, Any],
    *,
    overwrite: bool = False,
    view: ConsolidatedView | None = None,
) -> dict[str, NodeMetadata]:
    """:func:`zarrdist.create_hierarchy`'s writes on a resolved store: path -> the
    metadata written, parents first. ``view`` (of the group the nodes are created
    through) records them too."""
    parsed: dict[str, NodeMetadata] = {}
    for key, value in nodes.items():
        path = normalize_path(key)
        parsed[path] = _as_metadata(value, path)
    plan, clear = _plan(resolved, parsed, overwrite)
    if plan:
        dsk, done = hierarchy_graph(resolved, plan, clear)
        run_graph(
            dsk, [done], num_tasks=len(plan), local_only=not resolved.supports_multiprocess_writes
        )
        if view is not None:
            view.apply([(p, None) for p in clear] + list(plan.items()))
    return dict(plan)


def write_documents(resolved: Store, nodes: Mapping[str, Any]) -> dict[str, NodeMetadata]:
    """The metadata documents of ``nodes`` written as they are, in one graph: no
    parents added, nothing checked or cleared (zarr-python's ``create_nodes``)."""
    plan = {normalize_path(key): _as_metadata(value, key) for key, value in nodes.items()}
    if plan:
        dsk, done = hierarchy_graph(resolved, plan, [])
        run_graph(
            dsk, [done], num_tasks=len(plan), local_only=not resolved.supports_multiprocess_writes
        )
    return plan
