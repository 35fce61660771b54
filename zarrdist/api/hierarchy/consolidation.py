"""Keeping consolidated metadata true while a hierarchy changes.

A hierarchy is *consolidated* at a group (its *root*) when that group's
``zarr.json`` carries ``consolidated_metadata`` (v3) or a ``.zmetadata`` document
sits beside its ``.zgroup`` (v2). zarr-python leaves those documents stale when a
node is created, deleted or changed afterwards; zarrdist updates every root above
a changed node in the same call, so a reader that trusts the consolidated
document never sees a hierarchy that no longer exists.

Changes are a list of ``(path, metadata)`` pairs: metadata sets (or replaces) the
node at that absolute path; None drops the node and everything under it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from zarrdist.api.hierarchy.documents import ancestors, key_prefix, kind_of, read_documents
from zarrdist.metadata import (
    ArrayMetadataV2,
    ArrayMetadataV3,
    ConsolidatedMetadata,
    GroupMetadataV2,
    GroupMetadataV3,
    consolidate,
    load_json,
    parse_zmetadata,
    zmetadata_document,
)

if TYPE_CHECKING:
    from zarrdist.metadata import NodeMetadata
    from zarrdist.stores import Store

__all__ = [
    "ZMETADATA",
    "Change",
    "ConsolidatedView",
    "apply_changes",
    "count_kinds",
    "relative",
    "sync_consolidated",
]

ZMETADATA = ".zmetadata"
Change = tuple[str, "NodeMetadata | None"]

_LOCKS: dict[tuple[str, str], threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()


def _root_lock(store: Store, root: str) -> threading.Lock:
    # Read-modify-write of one root document must not interleave between threads.
    with _LOCKS_GUARD:
        return _LOCKS.setdefault((store.url, root), threading.Lock())


def relative(path: str, root: str) -> str | None:
    """``path`` relative to ``root`` ("" for the root itself); None if not under it."""
    if not root:
        return path
    if path == root:
        return ""
    prefix = root + "/"
    return path[len(prefix) :] if path.startswith(prefix) else None


def apply_changes(
    nodes: dict[str, NodeMetadata], changes: Iterable[Change], root: str = ""
) -> None:
    """Apply ``changes`` (absolute paths) to ``nodes`` (paths relative to ``root``), in place."""
    for path, metadata in changes:
        rel = relative(path, root)
        if rel is None:
            continue
        if metadata is None:
            below = rel + "/"
            for key in [k for k in nodes if k == rel or k.startswith(below) or not rel]:
                del nodes[key]
        elif rel:
            nodes[rel] = metadata


class ConsolidatedView:
    """The consolidated metadata a group was opened with: reads from it do no I/O.

    Groups and arrays reached from one consolidated open share one view; a write
    through any of them updates it along with the stored document.

    Parameters
    ----------
    root : str
        Path of the consolidating group.
    nodes : Mapping
        Path relative to ``root`` -> metadata of every node below it.
    """

    def __init__(self, root: str, nodes: Mapping[str, NodeMetadata]) -> None:
        self.root = root
        self._nodes: dict[str, NodeMetadata] = dict(nodes)
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._nodes)

    def __getstate__(self) -> dict[str, Any]:
        # Groups and arrays pickle (to cross dask workers) with a copy of the view;
        # the lock is per process.
        with self._lock:
            return {"root": self.root, "nodes": dict(self._nodes)}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.root = state["root"]
        self._nodes = state["nodes"]
        self._lock = threading.Lock()

    def covers(self, path: str) -> bool:
        """Whether ``path`` lies at or below the root."""
        return relative(path, self.root) is not None

    def get(self, path: str) -> NodeMetadata | None:
        """Metadata of the node at absolute ``path``, or None if the view has none."""
        rel = relative(path, self.root)
        if not rel:
            return None
        with self._lock:
            return self._nodes.get(rel)

    def below(self, path: str, max_depth: int | None = None) -> list[tuple[str, NodeMetadata]]:
        """Nodes under ``path`` as (path relative to ``path``, metadata), shallow first.

        ``max_depth=0`` gives the immediate children; None every descendant.
        """
        rel = relative(path, self.root)
        if rel is None:
            return []
        prefix = key_prefix(rel)
        with self._lock:
            items = [(k[len(prefix) :], m) for k, m in self._nodes.items() if k.startswith(prefix)]
        if max_depth is not None:
            items = [(k, m) for k, m in items if k.count("/") <= max_depth]
        return sorted(items, key=lambda item: (item[0].count("/"), item[0]))

    def consolidated_for(self, path: str) -> ConsolidatedMetadata | None:
        """The v3 consolidated metadata of the group at ``path``, as zarr-python shows it."""
        entries = {k: m for k, m in self.below(path) if m.zarr_format == 3}
        return consolidate(entries)

    def apply(self, changes: Iterable[Change]) -> None:
        """Record changes made through zarrdist (absolute paths)."""
        with self._lock:
            apply_changes(self._nodes, changes, self.root)


def _candidate_roots(changes: Sequence[Change]) -> list[str]:
    paths: dict[str, None] = {}
    for path, metadata in changes:
        for parent in ancestors(path):
            paths[parent] = None
        if isinstance(metadata, GroupMetadataV2):
            # A v2 group keeps its own attributes in its own .zmetadata, if it has one.
            paths[path] = None
    return list(paths)


def sync_consolidated(
    store: Store,
    changes: Sequence[Change],
    *,
    zarr_format: int | None = None,
    view: ConsolidatedView | None = None,
    known: Mapping[str, Mapping[str, bytes | None]] | None = None,
) -> list[str]:
    """Bring every consolidated document above the changed nodes up to date.

    One batch of reads finds the roots (the ancestors' ``zarr.json`` or
    ``.zmetadata``); each root found is then rewritten once. Returns the root
    paths that were updated.

    Parameters
    ----------
    store
        The store holding the hierarchy.
    changes
        (absolute path, new metadata or None for a deleted subtree).
    zarr_format
        Format of the hierarchy, for changes that carry no metadata (deletions).
    view
        A consolidated view to update in memory as well.
    known
        Documents already read (path -> name -> bytes or None), not read again.
    """
    if view is not None:
        view.apply(changes)
    formats: set[int] = {m.zarr_format for _, m in changes if m is not None}
    if zarr_format is not None:
        formats.add(zarr_format)
    names = [n for f, n in ((3, "zarr.json"), (2, ZMETADATA)) if f in formats or not formats]
    candidates = _candidate_roots(changes)
    if not candidates or store.read_only:
        return []
    known = known or {}
    to_read = [c for c in candidates if not all(n in known.get(c, {}) for n in names)]
    documents = read_documents(store, to_read, names) if to_read else {}
    for candidate in candidates:
        documents.setdefault(candidate, dict(known.get(candidate, {})))
    updated = []
    for root in candidates:
        docs = documents[root]
        if docs.get(ZMETADATA) is not None and _update_v2(store, root, changes):
            updated.append(root)
        raw = docs.get("zarr.json")
        if raw is not None and b"consolidated_metadata" in raw and _update_v3(store, root, changes):
            updated.append(root)
    return updated


def _v3_entries(changes: Sequence[Change], root: str) -> list[Change]:
    # A v3 root's own zarr.json is written by whoever changed it; only descendants count,
    # and v2 nodes cannot appear in v3 consolidated metadata.
    return [
        (p, m)
        for p, m in changes
        if relative(p, root) and (m is None or isinstance(m, ArrayMetadataV3 | GroupMetadataV3))
    ]


def _update_v3(store: Store, root: str, changes: Sequence[Change]) -> bool:
    relevant = _v3_entries(changes, root)
    if not relevant:
        return False
    key = key_prefix(root) + "zarr.json"
    with _root_lock(store, root):
        raw = store.get(key)
        if raw is None:
            return False
        document = load_json(bytes(raw), key)
        if not isinstance(document, dict) or document.get("consolidated_metadata") is None:
            return False
        group = GroupMetadataV3.from_json(document, key=key)
        assert group.consolidated_metadata is not None
        nodes = dict(group.consolidated_metadata.metadata)
        apply_changes(nodes, relevant, root)
        updated = group.with_consolidated(consolidate(nodes))
        store.set(key, updated.to_documents()["zarr.json"])
    return True


def _update_v2(store: Store, root: str, changes: Sequence[Change]) -> bool:
    relevant = [
        (p, m)
        for p, m in changes
        if relative(p, root) is not None
        and (m is None or isinstance(m, ArrayMetadataV2 | GroupMetadataV2))
    ]
    if not relevant:
        return False
    key = key_prefix(root) + ZMETADATA
    with _root_lock(store, root):
        raw = store.get(key)
        if raw is None:
            return False
        nodes = parse_zmetadata(bytes(raw), key=key)
        top = nodes.pop("", None)
        for path, metadata in relevant:
            if relative(path, root) == "" and isinstance(metadata, GroupMetadataV2):
                top = metadata
        apply_changes(nodes, [(p, m) for p, m in relevant if relative(p, root)], root)
        if not isinstance(top, GroupMetadataV2):
            top = GroupMetadataV2()
        v2_nodes = {
            k: m for k, m in nodes.items() if isinstance(m, ArrayMetadataV2 | GroupMetadataV2)
        }
        store.set(key, zmetadata_document(top, v2_nodes))
    return True


def count_kinds(nodes: Iterable[NodeMetadata]) -> tuple[int, int]:
    """(arrays, groups) among ``nodes``."""
    arrays = groups = 0
    for metadata in nodes:
        if kind_of(metadata) == "array":
            arrays += 1
        else:
            groups += 1
    return arrays, groups
