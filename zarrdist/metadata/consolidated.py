"""Consolidated metadata: every descendant's metadata in one document.

Two forms, written exactly as zarr-python 3.1.5 writes them:

- v3 *inline*: the group's ``zarr.json`` holds ``"consolidated_metadata":
  {"kind": "inline", "must_understand": false, "metadata": {path: zarr.json}}``.
  Child groups carry an empty ``consolidated_metadata`` of their own.
- v2: a ``.zmetadata`` document ``{"metadata": {"<path>/.zarray": ..., ...},
  "zarr_consolidated_format": 1}`` on one line.

Paths are relative to the consolidating group, ``/``-separated, and sorted by
depth, then case-insensitively (NFKC), as zarr-python orders them.

The inline form's class, :class:`~zarrdist.metadata.v3_group.ConsolidatedMetadata`, lives in
:mod:`zarrdist.metadata.v3_group` beside the group document that holds it: each parses the
other, and one module keeps that from being an import circle. This module builds both
forms and reads v2's ``.zmetadata``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from zarrdist.errors import MetadataError, Problem, UnknownCodecError
from zarrdist.metadata._common import Problems, dump_json, load_json_object
from zarrdist.metadata.v2 import ArrayMetadataV2, GroupMetadataV2
from zarrdist.metadata.v3_group import (
    ConsolidatedMetadata,
    GroupMetadataV3,
    NodeMetadata,
    check_node_path,
    node_path_order,
)

__all__ = [
    "ConsolidatedMetadata",
    "consolidate",
    "parse_zmetadata",
    "zmetadata_document",
]

_V2_GROUP_STUB = {"metadata": {}, "must_understand": False, "kind": "inline"}
_V2_NAMES = (".zarray", ".zgroup", ".zattrs")


def consolidate(nodes: Mapping[str, NodeMetadata]) -> ConsolidatedMetadata:
    """Consolidated metadata of ``nodes`` (relative path -> metadata), as
    ``zarr.consolidate_metadata`` builds it: each v3 child group carries an empty
    ``consolidated_metadata`` of its own, marking that it has been consolidated."""
    marked: dict[str, NodeMetadata] = {}
    for path, node in nodes.items():
        if isinstance(node, GroupMetadataV3) and node.consolidated_metadata is None:
            node = node.with_consolidated(ConsolidatedMetadata({}))
        marked[path] = node
    return ConsolidatedMetadata(marked)


def zmetadata_document(
    root: GroupMetadataV2, nodes: Mapping[str, ArrayMetadataV2 | GroupMetadataV2]
) -> bytes:
    """The v2 ``.zmetadata`` document for ``root`` and its descendants ``nodes``.

    Raises
    ------
    MetadataError
        If a path is invalid or a node is not v2 metadata.
    """
    document: dict[str, Any] = {".zgroup": root.to_json(), ".zattrs": root.attributes}
    problems = Problems()
    for path in sorted(nodes, key=node_path_order):
        node = nodes[path]
        reason = check_node_path(path)
        if reason is not None or not isinstance(node, ArrayMetadataV2 | GroupMetadataV2):
            problems.add(f"metadata.{path}", reason or "only v2 nodes belong in .zmetadata")
            continue
        document[f"{path}/.zattrs"] = node.attributes
        if isinstance(node, ArrayMetadataV2):
            document[f"{path}/.zarray"] = node.to_json()
        else:
            # zarr-python 3.1.5 marks consolidated child groups this way in .zmetadata.
            document[f"{path}/.zgroup"] = {
                **node.to_json(),
                "consolidated_metadata": _V2_GROUP_STUB,
            }
    problems.raise_if_any("invalid consolidated metadata")
    return dump_json({"metadata": document, "zarr_consolidated_format": 1}, indent=None)


def parse_zmetadata(
    raw: bytes | bytearray | memoryview | str, *, key: str = ".zmetadata"
) -> dict[str, NodeMetadata]:
    """Every node in a v2 ``.zmetadata`` document: relative path -> metadata.

    The consolidating group itself is under ``""``.

    Raises
    ------
    MetadataError
        Listing every problem, naming ``key``.
    UnknownCodecError
        If an array uses a codec that is not installed.
    """
    document = load_json_object(raw, key)
    problems = Problems(key)
    if document.get("zarr_consolidated_format") != 1:
        problems.add(
            "zarr_consolidated_format",
            f"must be 1, got {document.get('zarr_consolidated_format')!r}",
        )
    entries = document.get("metadata")
    if not isinstance(entries, Mapping):
        problems.fail("metadata must be an object")
    by_path: dict[str, dict[str, Any]] = {}
    for name, value in entries.items():
        path, _, leaf = name.rpartition("/")
        if leaf not in _V2_NAMES:
            continue  # zarr v2 tolerates other keys; they are not metadata
        by_path.setdefault(path, {})[leaf] = value
    nodes: dict[str, NodeMetadata] = {}
    for path, docs in by_path.items():
        loc = f"metadata.{path}/" if path else "metadata."
        try:
            node = _parse_v2_docs(docs)
        except MetadataError as exc:
            problems.extend(loc.rstrip("/."), exc.problems or [Problem("", str(exc))])
            continue
        except UnknownCodecError as exc:
            raise UnknownCodecError(str(exc.args[0]), codec=exc.codec, key=key) from exc
        if node is not None:
            nodes[path] = node
    problems.raise_if_any("invalid consolidated metadata")
    return nodes


def _parse_v2_docs(docs: Mapping[str, Any]) -> ArrayMetadataV2 | GroupMetadataV2 | None:
    if ".zarray" in docs:
        return ArrayMetadataV2.from_json(docs[".zarray"], docs.get(".zattrs"))
    if ".zgroup" in docs:
        return GroupMetadataV2.from_json(docs[".zgroup"], docs.get(".zattrs"))
    return None
