"""Consolidated metadata: every descendant's metadata in one document.

Two forms, written exactly as zarr-python 3.1.5 writes them:

- v3 *inline*: the group's ``zarr.json`` holds ``"consolidated_metadata":
  {"kind": "inline", "must_understand": false, "metadata": {path: zarr.json}}``.
  Child groups carry an empty ``consolidated_metadata`` of their own.
- v2: a ``.zmetadata`` document ``{"metadata": {"<path>/.zarray": ..., ...},
  "zarr_consolidated_format": 1}`` on one line.

Paths are relative to the consolidating group, ``/``-separated, and sorted by
depth, then case-insensitively (NFKC), as zarr-python orders them.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from zarrdist.errors import MetadataError, NodeTypeValidationError, Problem, UnknownCodecError
from zarrdist.metadata._common import Problems, dump_json, load_json_object
from zarrdist.metadata.v2 import ArrayMetadataV2, GroupMetadataV2
from zarrdist.metadata.v3 import ArrayMetadataV3, GroupMetadataV3

__all__ = [
    "ConsolidatedMetadata",
    "consolidate",
    "parse_zmetadata",
    "zmetadata_document",
]

NodeMetadata = ArrayMetadataV2 | ArrayMetadataV3 | GroupMetadataV2 | GroupMetadataV3
_V2_GROUP_STUB = {"metadata": {}, "must_understand": False, "kind": "inline"}
_V2_NAMES = (".zarray", ".zgroup", ".zattrs")


def _sort_key(path: str) -> tuple[int, str]:
    return path.count("/"), unicodedata.normalize("NFKC", path).casefold()


def _check_path(path: object) -> str | None:
    """Why ``path`` is not a valid relative node path, or None if it is."""
    if not isinstance(path, str) or not path:
        return "paths must be non-empty strings"
    if any(part in ("", ".", "..") for part in path.split("/")):
        return "paths must be relative, '/'-separated, without '.' or '..' segments"
    return None


@dataclass(frozen=True, eq=False)
class ConsolidatedMetadata:
    """The inline consolidated metadata of a v3 group (also the model for v2's).

    Attributes
    ----------
    metadata : dict
        Relative path -> node metadata, flat (``"a"``, ``"a/b"``). Groups passed
        with consolidated metadata of their own are flattened into this mapping.
    """

    metadata: dict[str, NodeMetadata] = field(default_factory=dict)

    kind: ClassVar[Literal["inline"]] = "inline"
    must_understand: ClassVar[bool] = False

    def __post_init__(self) -> None:
        flat: dict[str, NodeMetadata] = {}
        problems = Problems()
        for path, node in self.metadata.items():
            reason = _check_path(path)
            if reason is not None:
                problems.add(f"metadata.{path}", reason)
                continue
            flat.update(_flatten(path, node))
        problems.raise_if_any("invalid consolidated metadata")
        object.__setattr__(self, "metadata", flat)

    def __len__(self) -> int:
        return len(self.metadata)

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self.metadata, key=_sort_key))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ConsolidatedMetadata):
            return NotImplemented
        return dump_json(self.to_json()) == dump_json(other.to_json())

    def __hash__(self) -> int:
        return hash(dump_json(self.to_json()))

    def children(self, path: str = "") -> dict[str, NodeMetadata]:
        """The immediate children of ``path`` ("" for the consolidating group), by name."""
        prefix = f"{path.strip('/')}/" if path.strip("/") else ""
        out = {}
        for key in self:
            rest = key[len(prefix) :] if key.startswith(prefix) else None
            if rest and "/" not in rest:
                out[rest] = self.metadata[key]
        return out

    def to_json(self) -> dict[str, Any]:
        """``{"kind": "inline", "must_understand": false, "metadata": {...}}``."""
        return {
            "kind": self.kind,
            "must_understand": self.must_understand,
            "metadata": {path: self.metadata[path].to_json() for path in self},
        }

    @classmethod
    def from_json(cls, data: Any) -> ConsolidatedMetadata:
        """Parse the ``consolidated_metadata`` member of a v3 group.

        Raises
        ------
        MetadataError
            Listing every problem, each located under ``metadata.<path>``.
        UnknownCodecError
            If an array in it uses a codec that is not installed.
        """
        problems = Problems()
        if not isinstance(data, Mapping):
            problems.fail(f"consolidated_metadata must be an object, got {data!r}")
        if data.get("kind") != "inline":
            problems.add("kind", f"only 'inline' is supported, got {data.get('kind')!r}")
        entries = data.get("metadata")
        if not isinstance(entries, Mapping):
            problems.fail("consolidated_metadata.metadata must be an object")
        nodes: dict[str, NodeMetadata] = {}
        for path, entry in entries.items():
            reason = _check_path(path)
            if reason is not None:
                problems.add(f"metadata.{path}", reason)
                continue
            try:
                nodes[path] = _parse_v3_entry(entry)
            except MetadataError as exc:
                problems.extend(f"metadata.{path}", exc.problems or [Problem("", str(exc))])
        problems.raise_if_any("invalid consolidated metadata")
        return cls(nodes)


def _flatten(path: str, node: NodeMetadata) -> dict[str, NodeMetadata]:
    if not isinstance(node, GroupMetadataV3) or not node.consolidated_metadata:
        return {path: node}
    out: dict[str, NodeMetadata] = {path: node.with_consolidated(ConsolidatedMetadata({}))}
    for child, child_node in node.consolidated_metadata.metadata.items():
        out.update(_flatten(f"{path}/{child}", child_node))
    return out


def _parse_v3_entry(entry: Any) -> NodeMetadata:
    if not isinstance(entry, Mapping):
        raise MetadataError(f"each entry must be an object, got {type(entry).__name__}")
    if entry.get("zarr_format") == 2:
        raise MetadataError("Zarr v2 nodes cannot appear in v3 consolidated metadata")
    if entry.get("node_type") == "array":
        return ArrayMetadataV3.from_json(entry)
    if entry.get("node_type") == "group":
        return GroupMetadataV3.from_json(entry)
    raise NodeTypeValidationError(
        f"node_type must be 'array' or 'group', got {entry.get('node_type')!r}"
    )


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
    for path in sorted(nodes, key=_sort_key):
        node = nodes[path]
        reason = _check_path(path)
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
