"""The ``zarr.json`` of a v3 group, with its inline consolidated metadata.

Arrays' documents live in :mod:`zarrdist.metadata.v3`; a group's document may hold
every node below it (``consolidated_metadata``), parsed here.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from zarrdist.codecs._base import json_lists
from zarrdist.errors import (
    MetadataError,
    MetadataTypeError,
    NodeTypeValidationError,
    Problem,
    UnknownCodecError,
)
from zarrdist.metadata._common import NodeMetadataBase, Problems, check_attributes, dump_json
from zarrdist.metadata.v2 import ArrayMetadataV2, GroupMetadataV2
from zarrdist.metadata.v3 import ArrayMetadataV3, check_extra_fields, extra_fields_of

__all__ = [
    "ConsolidatedMetadata",
    "GroupMetadataV3",
    "NodeMetadata",
    "check_node_path",
    "node_path_order",
]

GROUP_KEYS = ("attributes", "zarr_format", "node_type", "consolidated_metadata")


@dataclass(frozen=True, eq=False)
class GroupMetadataV3(NodeMetadataBase):
    """The ``zarr.json`` of a v3 group.

    Attributes
    ----------
    attributes : dict
    consolidated_metadata : ConsolidatedMetadata or None
        Inline consolidated metadata of the group's descendants.
    extra_fields : dict
        Extension members with ``"must_understand": false``.
    """

    attributes: dict[str, Any] = field(default_factory=dict)
    consolidated_metadata: ConsolidatedMetadata | None = None
    extra_fields: dict[str, Any] = field(default_factory=dict)

    zarr_format: ClassVar[Literal[3]] = 3
    node_type: ClassVar[str] = "group"

    def __post_init__(self) -> None:
        problems = Problems()
        attributes = check_attributes(self.attributes, "attributes", problems)
        problems.raise_if_any("invalid group metadata")
        check_extra_fields(self.extra_fields, GROUP_KEYS)
        object.__setattr__(self, "attributes", attributes)
        object.__setattr__(self, "extra_fields", dict(self.extra_fields))

    def with_attributes(self, attributes: Mapping[str, Any]) -> GroupMetadataV3:
        """The same group with other attributes.

        Raises
        ------
        MetadataError
            If ``attributes`` is not a JSON object.
        """
        return GroupMetadataV3(dict(attributes), self.consolidated_metadata, self.extra_fields)

    def with_consolidated(self, consolidated: ConsolidatedMetadata | None) -> GroupMetadataV3:
        """The same group with other (or no) consolidated metadata."""
        return GroupMetadataV3(self.attributes, consolidated, self.extra_fields)

    def to_json(self) -> dict[str, Any]:
        """``{"attributes", "zarr_format", ["consolidated_metadata"], "node_type"}``."""
        document: dict[str, Any] = {"attributes": self.attributes, "zarr_format": 3}
        if self.consolidated_metadata is not None:
            document["consolidated_metadata"] = self.consolidated_metadata.to_json()
        document["node_type"] = "group"
        document.update(self.extra_fields)
        return document

    def to_documents(self) -> dict[str, bytes]:
        """``{"zarr.json": bytes}``."""
        return {"zarr.json": dump_json(self.to_json())}

    @classmethod
    def from_json(cls, document: Any, *, key: str = "zarr.json") -> GroupMetadataV3:
        """Parse and validate a group's ``zarr.json`` (with inline consolidated metadata).

        Raises
        ------
        MetadataError
            Listing every problem found, naming ``key``.
        """
        problems = Problems(key)
        if not isinstance(document, Mapping):
            problems.fail(f"the document must be a JSON object, got {type(document).__name__}")
        if document.get("zarr_format") != 3:
            problems.add("zarr_format", f"must be 3, got {document.get('zarr_format')!r}")
        if document.get("node_type") != "group":
            problems.add("node_type", f"must be 'group', got {document.get('node_type')!r}")
        attributes = check_attributes(document.get("attributes"), "attributes", problems)
        extra = extra_fields_of(document, GROUP_KEYS, problems)
        consolidated = None
        if document.get("consolidated_metadata") is not None:
            try:
                consolidated = ConsolidatedMetadata.from_json(document["consolidated_metadata"])
            except (MetadataError, UnknownCodecError) as exc:
                if isinstance(exc, UnknownCodecError):
                    raise UnknownCodecError(str(exc.args[0]), codec=exc.codec, key=key) from exc
                problems.add_error("consolidated_metadata", exc)
        problems.raise_if_any("invalid group metadata")
        return cls(attributes, consolidated, extra)


# -- inline consolidated metadata (a member of a group's zarr.json) -------------------

#: Metadata of any node that consolidated metadata holds (v2 nodes in ``.zmetadata``).
NodeMetadata = ArrayMetadataV2 | ArrayMetadataV3 | GroupMetadataV2 | GroupMetadataV3


def node_path_order(path: str) -> tuple[int, str]:
    """Sort key of consolidated paths: by depth, then case-insensitively (NFKC), as
    zarr-python orders them."""
    return path.count("/"), unicodedata.normalize("NFKC", path).casefold()


def check_node_path(path: object) -> str | None:
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
    kind: Literal["inline"] = "inline"
    must_understand: Literal[False] = False

    def __post_init__(self) -> None:
        # zarr-python's keywords: only the inline kind, which readers may ignore, exists.
        if self.kind != "inline":
            raise MetadataError(
                f"consolidated metadata must have kind='inline', got kind='{self.kind}'"
            )
        if self.must_understand is not False:
            raise MetadataError("consolidated metadata must have must_understand=False")
        flat: dict[str, NodeMetadata] = {}
        problems = Problems()
        for path, node in self.metadata.items():
            reason = check_node_path(path)
            if reason is not None:
                problems.add(f"metadata.{path}", reason)
                continue
            flat.update(_flatten(path, node))
        problems.raise_if_any("invalid consolidated metadata")
        object.__setattr__(self, "metadata", flat)

    def __len__(self) -> int:
        return len(self.metadata)

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self.metadata, key=node_path_order))

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

    @property
    def flattened_metadata(self) -> dict[str, NodeMetadata]:
        """Every node by its path relative to the consolidating group (zarr-python's
        name; zarrdist keeps the mapping flat, so this is :attr:`metadata` in path order)."""
        return {path: self.metadata[path] for path in self}

    def to_dict(self) -> dict[str, Any]:
        """zarr-python's ``to_dict``: :meth:`to_json` with every node as its ``to_dict``."""
        return {
            "kind": self.kind,
            "must_understand": self.must_understand,
            "metadata": {path: self.metadata[path].to_dict() for path in self},
        }

    @classmethod
    def from_dict(cls, data: Any) -> ConsolidatedMetadata:
        """:meth:`from_json` for zarr-python's ``to_dict`` form (tuples for lists)."""
        return cls.from_json(json_lists(data))

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
            problems.add("kind", f"only 'inline' is supported, got kind='{data.get('kind')}'")
            problems.raise_if_any("invalid consolidated metadata")
        entries = data.get("metadata")
        if not isinstance(entries, Mapping):
            raise MetadataTypeError(
                "Unexpected type for 'metadata' in consolidated metadata: expected an object, "
                f"got {type(entries).__name__}"
            )
        nodes: dict[str, NodeMetadata] = {}
        for path, entry in entries.items():
            reason = check_node_path(path)
            if reason is not None:
                problems.add(f"metadata.{path}", reason)
                continue
            if not isinstance(entry, Mapping):
                problems.add(
                    f"metadata.{path}",
                    f"key='{path}', type='{type(entry).__name__}': each entry must be an object",
                    "type",
                )
                continue
            try:
                nodes[path] = _parse_v3_entry(entry)
            except MetadataError as exc:
                problems.extend(f"metadata.{path}", exc.problems or [Problem("", str(exc))])
        if any(p.kind == "type" for p in problems.items):
            # zarr-python raises a TypeError for an entry that is not an object.
            raise MetadataTypeError("invalid consolidated metadata", problems=problems.items)
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
