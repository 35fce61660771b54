"""Opening stores and walking hierarchies for the ``zarrdist`` command; ``info`` and ``tree``.

The walk reads metadata documents only (one ``get_many`` per node) and lists each
group's directory to find its children, so it works on any store that lists, for
either format and for hierarchies that mix them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from zarrdist.api.arrays.describe import n_human
from zarrdist.errors import NodeNotFoundError
from zarrdist.metadata import (
    METADATA_KEYS,
    ArrayMetadataV2,
    ArrayMetadataV3,
    GroupMetadataV2,
    GroupMetadataV3,
    NodeMetadata,
    parse_node_metadata,
)
from zarrdist.stores import Store, resolve_store

__all__ = [
    "Node",
    "array_summary",
    "dimension_names",
    "info_document",
    "open_store",
    "read_node",
    "render_info",
    "render_tree",
    "walk",
]

#: Keys zarrdist itself leaves beside data (copy markers): never children.
_PRIVATE_PREFIX = ".zarrdist"


@dataclass(frozen=True)
class Node:
    """One array or group of a hierarchy.

    Attributes
    ----------
    path : str
        Path relative to the store root ("" for the root).
    metadata : NodeMetadata
    """

    path: str
    metadata: NodeMetadata

    @property
    def is_array(self) -> bool:
        """Whether the node is an array."""
        return isinstance(self.metadata, ArrayMetadataV2 | ArrayMetadataV3)

    @property
    def name(self) -> str:
        """Last path component ("/" for the root)."""
        return self.path.rsplit("/", 1)[-1] if self.path else "/"


def _is_local(url: str) -> bool:
    return "://" not in url or url.startswith(("file://", "local://"))


def open_store(
    url: str, *, mode: str = "r", storage_options: Mapping[str, Any] | None = None
) -> Store:
    """The store at ``url``; a local path that does not exist is an error when reading.

    Raises
    ------
    NodeNotFoundError
        If ``mode`` is ``"r"`` and the local path does not exist.
    """
    if mode == "r" and _is_local(url):
        path = url.split("://", 1)[-1] if "://" in url else url
        if not os.path.exists(path):
            raise NodeNotFoundError("no such file or directory", store=url)
    local = _is_local(url)
    return resolve_store(url, mode=mode, storage_options=None if local else storage_options)


def _prefix(path: str) -> str:
    return f"{path}/" if path else ""


def read_node(store: Store, path: str = "") -> NodeMetadata:
    """The metadata of the node at ``path``.

    Raises
    ------
    NodeNotFoundError
        If no array or group is there.
    MetadataError
        If its document is invalid (naming the key).
    """
    path = path.strip("/")
    keys = [_prefix(path) + k for k in METADATA_KEYS]
    documents = dict(zip(METADATA_KEYS, store.get_many(keys), strict=True))
    try:
        return parse_node_metadata(documents, key_prefix=path)
    except NodeNotFoundError:
        raise NodeNotFoundError(
            "no array or group here", store=store.url, path=path or "/"
        ) from None


def walk(store: Store, path: str = "", *, max_depth: int | None = None) -> list[Node]:
    """The node at ``path`` and every descendant, parents before children, sorted by name.

    Raises
    ------
    NodeNotFoundError
        If no node is at ``path``.
    """
    path = path.strip("/")
    root = Node(path, read_node(store, path))
    nodes = [root]
    pending = [(root, 0)]
    while pending:
        node, depth = pending.pop()
        if node.is_array or (max_depth is not None and depth >= max_depth):
            continue
        children = []
        for name in sorted(store.list_dir(node.path)):
            if name in METADATA_KEYS or name.startswith(_PRIVATE_PREFIX) or name == ".zmetadata":
                continue
            child_path = _prefix(node.path) + name
            try:
                children.append(Node(child_path, read_node(store, child_path)))
            except NodeNotFoundError:
                continue  # a plain directory (or a key) without metadata
        nodes.extend(children)
        pending.extend((c, depth + 1) for c in reversed(children))
    return _ordered(nodes)


def _ordered(nodes: list[Node]) -> list[Node]:
    """Depth-first order with siblings by name (what ``tree`` prints)."""
    return sorted(nodes, key=lambda n: n.path.split("/") if n.path else [])


def dimension_names(metadata: NodeMetadata) -> tuple[str | None, ...] | None:
    """v3 ``dimension_names``, or the xarray ``_ARRAY_DIMENSIONS`` attribute of v2 arrays."""
    if isinstance(metadata, ArrayMetadataV3) and metadata.dimension_names is not None:
        return tuple(metadata.dimension_names)
    dims = metadata.attributes.get("_ARRAY_DIMENSIONS")
    if isinstance(dims, list) and all(isinstance(d, str) for d in dims):
        return tuple(dims)
    return None


def _codecs_json(metadata: ArrayMetadataV2 | ArrayMetadataV3) -> Any:
    if isinstance(metadata, ArrayMetadataV2):
        document = metadata.to_json()
        return {"filters": document["filters"], "compressor": document["compressor"]}
    return metadata.to_json()["codecs"]


def _stored(store: Store, path: str) -> tuple[int, int]:
    """(stored bytes, stored keys) under an array's path, its metadata included."""
    keys = list(store.list_prefix(path) if path else store.list())
    sizes = [store.getsize(k) or 0 for k in keys]
    return sum(sizes), len(keys)


def array_summary(node: Node) -> str:
    """``(730, 121, 240) float32`` plus chunks and shards."""
    meta = node.metadata
    assert isinstance(meta, ArrayMetadataV2 | ArrayMetadataV3)
    text = f"{tuple(meta.shape)} {meta.dtype} chunks={tuple(meta.chunks)}"
    if meta.shards is not None:
        text += f" shards={tuple(meta.shards)}"
    return text


def info_document(store: Store, node: Node, *, stored: bool = True) -> dict[str, Any]:
    """A JSON-able description of ``node`` (``zarrdist info --json``)."""
    meta = node.metadata
    doc: dict[str, Any] = {
        "path": "/" + node.path,
        "node_type": "array" if node.is_array else "group",
        "zarr_format": meta.zarr_format,
        "attributes": meta.attributes,
    }
    if isinstance(meta, ArrayMetadataV2 | ArrayMetadataV3):
        nbytes = meta.size * meta.dtype.itemsize
        doc.update(
            shape=list(meta.shape),
            dtype=str(meta.dtype),
            chunks=list(meta.chunks),
            shards=None if meta.shards is None else list(meta.shards),
            fill_value=meta.data_type.fill_value_to_json(meta.fill_value, meta.zarr_format),
            dimension_names=dimension_names(meta),
            codecs=_codecs_json(meta),
            nbytes=nbytes,
        )
        if stored:
            size, count = _stored(store, node.path)
            doc.update(
                nbytes_stored=size,
                keys_stored=count,
                compression_ratio=round(nbytes / size, 3) if size else None,
            )
    elif isinstance(meta, GroupMetadataV3):
        doc["consolidated"] = meta.consolidated_metadata is not None
    elif isinstance(meta, GroupMetadataV2):
        doc["consolidated"] = store.exists(f"{node.path}/.zmetadata" if node.path else ".zmetadata")
    return doc


def render_info(doc: Mapping[str, Any], url: str) -> str:
    """The aligned text form of :func:`info_document`."""
    rows = [
        ("Store", url),
        ("Path", doc["path"]),
        ("Type", doc["node_type"]),
        ("Zarr format", str(doc["zarr_format"])),
    ]
    if doc["node_type"] == "array":
        rows += [
            ("Shape", str(tuple(doc["shape"]))),
            ("Data type", doc["dtype"]),
            ("Chunk shape", str(tuple(doc["chunks"]))),
            ("Shard shape", str(tuple(doc["shards"])) if doc["shards"] else "-"),
            ("Fill value", repr(doc["fill_value"])),
            ("Dimensions", ", ".join(str(d) for d in doc["dimension_names"] or ()) or "-"),
            ("Codecs", _codec_text(doc["codecs"])),
            ("No. bytes", f"{doc['nbytes']} ({n_human(doc['nbytes'])})"),
        ]
        if "nbytes_stored" in doc:
            ratio = doc["compression_ratio"]
            stored = doc["nbytes_stored"]
            rows += [
                ("Stored", f"{stored} ({n_human(stored)}) in {doc['keys_stored']} keys"),
                ("Compression ratio", "-" if ratio is None else f"{ratio:.2f}"),
            ]
    else:
        rows.append(("Consolidated", "yes" if doc.get("consolidated") else "no"))
    if doc["attributes"]:
        rows.append(("Attributes", ", ".join(sorted(doc["attributes"]))))
    width = max(len(label) for label, _ in rows)
    return "\n".join(f"{label:<{width}} : {value}" for label, value in rows)


def _codec_text(codecs: Any) -> str:
    if isinstance(codecs, dict):
        names = [f.get("id") for f in codecs.get("filters") or ()]
        comp = codecs.get("compressor")
        names.append(comp.get("id") if comp else "no compressor")
        return ", ".join(str(n) for n in names)
    return ", ".join(_v3_name(c) for c in codecs)


def _v3_name(codec: Mapping[str, Any]) -> str:
    if codec.get("name") == "sharding_indexed":
        inner = codec.get("configuration", {}).get("codecs", [])
        return f"sharding_indexed[{', '.join(_v3_name(c) for c in inner)}]"
    return str(codec.get("name"))


def _describe(node: Node) -> str:
    return array_summary(node) if node.is_array else "(group)"


def render_tree(nodes: list[Node]) -> str:
    """An indented tree of ``nodes`` (from :func:`walk`), arrays with shape and dtype."""
    if not nodes:
        return ""
    root = nodes[0]
    children: dict[str, list[Node]] = {}
    for node in nodes[1:]:
        parent = node.path.rsplit("/", 1)[0] if "/" in node.path else ""
        children.setdefault(parent, []).append(node)
    lines = [f"/{root.path} {_describe(root)}"]

    def emit(path: str, indent: str) -> None:
        kids = children.get(path, [])
        for i, kid in enumerate(kids):
            last = i == len(kids) - 1
            lines.append(f"{indent}{'└── ' if last else '├── '}{kid.name} {_describe(kid)}")
            emit(kid.path, indent + ("    " if last else "│   "))

    emit(root.path, "")
    return "\n".join(lines)
