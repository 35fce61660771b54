"""Walking a hierarchy: the members of a group, from a consolidated view or the store.

Without consolidated metadata a walk lists one directory per group and reads the
metadata of every child of one level with one ``get_many``, so a remote store
answers each level concurrently. A child group that carries consolidated
metadata of its own stands for its whole subtree, as in zarr-python.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from zarrdist.api.hierarchy.documents import V2_NAMES, V3_NAMES, join_path, read_nodes
from zarrdist.metadata import GroupMetadataV2, GroupMetadataV3

if TYPE_CHECKING:
    from zarrdist.api.hierarchy.consolidation import ConsolidatedView
    from zarrdist.metadata import NodeMetadata
    from zarrdist.stores import Store

__all__ = ["walk"]

_DOCUMENTS = frozenset((*V3_NAMES, *V2_NAMES, ".zmetadata"))


def _check_depth(max_depth: int | None) -> None:
    if max_depth is not None and max_depth < 0:
        raise ValueError(f"max_depth must be None or >= 0, got {max_depth!r}")


def walk(
    store: Store,
    path: str,
    zarr_format: int,
    *,
    max_depth: int | None = 0,
    view: ConsolidatedView | None = None,
    use_consolidated_for_children: bool = True,
) -> list[tuple[str, str, NodeMetadata]]:
    """Members below the group at ``path``: (relative path, absolute path, metadata).

    ``max_depth=0`` gives the immediate children, None every descendant. Results
    are shallow first, then sorted by name.

    Raises
    ------
    ValueError
        If ``max_depth`` is negative.
    """
    _check_depth(max_depth)
    if view is not None and view.covers(path):
        return [(rel, join_path(path, rel), m) for rel, m in view.below(path, max_depth)]
    out: list[tuple[str, str, NodeMetadata]] = []
    level = [("", path)]
    depth = 0
    while level:
        children = [
            (join_path(rel, name), join_path(absolute, name))
            for rel, absolute in level
            for name in sorted(store.list_dir(absolute))
            if name not in _DOCUMENTS
        ]
        found = read_nodes(store, [a for _, a in children], zarr_format)
        level = []
        for rel, absolute in children:
            metadata = found[absolute]
            if metadata is None:
                continue  # a directory that holds no node (chunks, stray keys)
            out.append((rel, absolute, metadata))
            if not isinstance(metadata, GroupMetadataV2 | GroupMetadataV3):
                continue
            if max_depth is not None and depth >= max_depth:
                continue
            inner = _consolidated_children(metadata, use_consolidated_for_children)
            if inner is None:
                level.append((rel, absolute))
                continue
            remaining = None if max_depth is None else max_depth - depth - 1
            out += [
                (join_path(rel, k), join_path(absolute, k), m)
                for k, m in inner
                if remaining is None or k.count("/") <= remaining
            ]
        depth += 1
    return sorted(out, key=lambda item: (item[0].count("/"), item[0]))


def _consolidated_children(
    metadata: NodeMetadata, enabled: bool
) -> list[tuple[str, NodeMetadata]] | None:
    if not enabled or not isinstance(metadata, GroupMetadataV3):
        return None
    consolidated = metadata.consolidated_metadata
    if consolidated is None:
        return None
    return [(k, consolidated.metadata[k]) for k in consolidated]
