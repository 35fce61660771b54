"""Zarr v2 and v3 metadata documents: parse, validate, write.

Array metadata of both formats share one interface (``shape``, ``data_type``,
``dtype``, ``fill_value``, ``chunk_shape``, ``inner_chunk_shape``,
``is_sharded``, ``codec_chain``, ``chunk_key()``, ``chunk_spec()``,
``with_shape()``, ``with_attributes()``, ``to_documents()``), which the chunk-I/O
layer relies on. Validation reports every problem of a document in one
:class:`~zarrdist.errors.MetadataError` that names the store key.

>>> meta = parse_node_metadata({"zarr.json": b'{"zarr_format": 3, "node_type": "group"}'})
>>> meta.to_documents()["zarr.json"].decode()
'{\\n  "attributes": {},\\n  "zarr_format": 3,\\n  "node_type": "group"\\n}'
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from zarrdist.errors import (
    ArrayNotFoundError,
    ContainsArrayAndGroupError,
    GroupNotFoundError,
    MetadataError,
    NodeNotFoundError,
    NodeTypeValidationError,
    Problem,
    ZarrdistError,
)
from zarrdist.metadata._common import dump_json, load_json, load_json_object
from zarrdist.metadata.consolidated import (
    ConsolidatedMetadata,
    consolidate,
    parse_zmetadata,
    zmetadata_document,
)
from zarrdist.metadata.v2 import ArrayMetadataV2, GroupMetadataV2
from zarrdist.metadata.v3 import ArrayMetadataV3, default_codecs
from zarrdist.metadata.v3_group import GroupMetadataV3

__all__ = [
    "METADATA_KEYS",
    "ArrayMetadata",
    "ArrayMetadataV2",
    "ArrayMetadataV3",
    "ConsolidatedMetadata",
    "GroupMetadata",
    "GroupMetadataV2",
    "GroupMetadataV3",
    "NodeMetadata",
    "consolidate",
    "default_codecs",
    "dump_json",
    "group_metadata_from_dict",
    "node_metadata_from_dict_v3",
    "load_json",
    "parse_array_metadata",
    "parse_group_metadata",
    "parse_node_metadata",
    "parse_zmetadata",
    "zmetadata_document",
]

ArrayMetadata = ArrayMetadataV2 | ArrayMetadataV3
GroupMetadata = GroupMetadataV2 | GroupMetadataV3
NodeMetadata = ArrayMetadataV2 | ArrayMetadataV3 | GroupMetadataV2 | GroupMetadataV3

#: The documents that describe a node, relative to its path: fetch these, then parse.
METADATA_KEYS = ("zarr.json", ".zarray", ".zgroup", ".zattrs")

Documents = Mapping[str, bytes | bytearray | memoryview | None]


def _prefix(key_prefix: str) -> str:
    stripped = key_prefix.strip("/")
    return f"{stripped}/" if stripped else ""


def parse_node_metadata(
    documents: Documents, *, key_prefix: str = "", zarr_format: int | None = None
) -> NodeMetadata:
    """Array or group metadata from whichever of :data:`METADATA_KEYS` exist.

    Parameters
    ----------
    documents
        Relative key (``"zarr.json"``, ``".zarray"``, ...) -> stored bytes, or None
        (or absent) where the store has none.
    key_prefix
        The node's path in the store, used to name keys in errors (``"a/b"``).
    zarr_format
        Look only for this format; None prefers v3 where both exist, as zarr-python.

    Raises
    ------
    NodeNotFoundError
        If none of the documents exist.
    MetadataError
        If a document is invalid (every problem listed, the key named).
    UnknownCodecError
        If an array uses a codec that is not installed.
    """
    prefix = _prefix(key_prefix)
    v3 = documents.get("zarr.json")
    if zarr_format in (None, 3) and v3 is not None:
        key = prefix + "zarr.json"
        document = load_json_object(v3, key)
        node_type = document.get("node_type")
        if node_type == "array":
            return _checked(lambda: ArrayMetadataV3.from_json(document, key=key), key)
        if node_type == "group":
            return _checked(lambda: GroupMetadataV3.from_json(document, key=key), key)
        problem = Problem("node_type", f"must be 'array' or 'group', got {node_type!r}")
        raise NodeTypeValidationError("invalid node metadata", key=key, problems=[problem])
    if zarr_format in (None, 2):
        raw_attrs = documents.get(".zattrs")
        attrs = None if raw_attrs is None else load_json(raw_attrs, prefix + ".zattrs")
        zarray, zgroup = documents.get(".zarray"), documents.get(".zgroup")
        if zarray is not None and zgroup is not None:
            # Which one is meant cannot be told; guessing could hand back a group's
            # children as an array's chunks or the other way round.
            raise ContainsArrayAndGroupError(
                "both array (.zarray) and group (.zgroup) metadata found; remove one of them",
                path=key_prefix.strip("/") or "/",
            )
        if zarray is not None:
            key = prefix + ".zarray"
            doc = load_json_object(zarray, key)
            return _checked(lambda: ArrayMetadataV2.from_json(doc, attrs, key=key), key)
        if zgroup is not None:
            key = prefix + ".zgroup"
            doc = load_json_object(zgroup, key)
            return _checked(lambda: GroupMetadataV2.from_json(doc, attrs, key=key), key)
    raise NodeNotFoundError("no array or group metadata found", path=key_prefix.strip("/") or "/")


#: What validation code may raise on a document of the wrong shape (a list where an
#: object belongs, a null codec entry, ...) before a check names the problem.
_SHAPE_ERRORS = (TypeError, AttributeError, KeyError, IndexError, ValueError, OverflowError)


def _checked(build: Callable[[], NodeMetadata], key: str) -> NodeMetadata:
    """``build()``, with errors of malformed documents as MetadataError naming ``key``.

    Stored metadata is untrusted input: whatever its structure, the error stays in
    zarrdist's hierarchy and names the document.
    """
    try:
        return build()
    except ZarrdistError:
        raise
    except RecursionError:
        raise MetadataError("the document is nested too deeply", key=key) from None
    except _SHAPE_ERRORS as exc:
        raise MetadataError(f"invalid document ({type(exc).__name__}: {exc})", key=key) from exc


def parse_array_metadata(
    documents: Documents, *, key_prefix: str = "", zarr_format: int | None = None
) -> ArrayMetadata:
    """Array metadata (v2 or v3) from the node's documents.

    Raises
    ------
    ArrayNotFoundError
        If there is no array (nothing, or a group) at the path.
    MetadataError
        If a document is invalid.
    UnknownCodecError
        If the array uses a codec that is not installed.
    """
    path = key_prefix.strip("/") or "/"
    try:
        node = parse_node_metadata(documents, key_prefix=key_prefix, zarr_format=zarr_format)
    except NodeNotFoundError as exc:
        raise ArrayNotFoundError("no array found", path=path) from exc
    if not isinstance(node, ArrayMetadataV2 | ArrayMetadataV3):
        raise ArrayNotFoundError("a group, not an array, exists here", path=path)
    return node


def parse_group_metadata(
    documents: Documents, *, key_prefix: str = "", zarr_format: int | None = None
) -> GroupMetadata:
    """Group metadata (v2 or v3) from the node's documents.

    Raises
    ------
    GroupNotFoundError
        If there is no group (nothing, or an array) at the path.
    MetadataError
        If a document is invalid.
    """
    path = key_prefix.strip("/") or "/"
    try:
        node = parse_node_metadata(documents, key_prefix=key_prefix, zarr_format=zarr_format)
    except NodeNotFoundError as exc:
        raise GroupNotFoundError("no group found", path=path) from exc
    if not isinstance(node, GroupMetadataV2 | GroupMetadataV3):
        raise GroupNotFoundError("an array, not a group, exists here", path=path)
    return node


def group_metadata_from_dict(data: Mapping[str, object]) -> GroupMetadata:
    """Group metadata from zarr-python's ``to_dict`` form (either format, by its
    ``zarr_format``; 3 when absent).

    Raises
    ------
    MetadataError
        If the document is invalid.
    """
    if data.get("zarr_format") == 2:
        result: GroupMetadata = GroupMetadataV2.from_dict(data)
    else:
        result = GroupMetadataV3.from_dict(data)
    return result


def node_metadata_from_dict_v3(data: Mapping[str, object]) -> NodeMetadata:
    """A v3 node's metadata (array or group, by ``node_type``) from its ``to_dict`` form.

    Raises
    ------
    MetadataError
        If ``node_type`` is missing, or the document is invalid.
    NodeTypeValidationError
        If ``node_type`` is neither ``array`` nor ``group``.
    """
    if "node_type" not in data:
        raise MetadataError(
            "Required key 'node_type' is missing from the provided metadata document."
        )
    result: NodeMetadata
    if data["node_type"] == "array":
        result = ArrayMetadataV3.from_dict(data)
        return result
    if data["node_type"] == "group":
        result = GroupMetadataV3.from_dict(data)
        return result
    raise NodeTypeValidationError("node_type", "array' or 'group", data["node_type"])
