"""Metadata read back from the store under the node's lock, for updates and writes.

An Array caches its metadata. Two handles (threads sharing one Array, two
processes) that append or resize from their cached shape would both publish the
same new shape and lose one's rows; a handle that missed a shrink would write past
the stored shape and bring deleted data back on a later grow. So:

* append, resize and attribute updates hold the node's metadata lock exclusively
  (:func:`zarrdist.graphs.locks.metadata_lock`), re-read the stored documents, and
  apply their change to *those* (:func:`stored_metadata`);
* element writes hold it shared and check the stored shape first
  (:func:`refreshed`): one small read per write call (two stat-sized reads for a
  v2 array), and the document is only parsed when its bytes changed. A write
  beyond the stored shape then fails as any out-of-bounds write does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from zarrdist.errors import ArrayNotFoundError, NodeNotFoundError
from zarrdist.metadata import ArrayMetadataV2, ArrayMetadataV3, parse_node_metadata

if TYPE_CHECKING:
    from zarrdist.metadata import ArrayMetadata
    from zarrdist.stores import Store

__all__ = ["main_document", "refreshed", "stored_metadata"]


def _prefix(path: str) -> str:
    return f"{path}/" if path else ""


def main_document(metadata: ArrayMetadata) -> str:
    """The document that holds the shape: ``zarr.json`` or ``.zarray``."""
    return ".zarray" if isinstance(metadata, ArrayMetadataV2) else "zarr.json"


def stored_metadata(store: Store, path: str, cached: ArrayMetadata) -> ArrayMetadata:
    """The array's metadata as stored now (every document of its format).

    Raises
    ------
    ArrayNotFoundError
        If the array's documents are gone (another handle deleted it).
    """
    names = (".zarray", ".zattrs") if isinstance(cached, ArrayMetadataV2) else ("zarr.json",)
    prefix = _prefix(path)
    values = store.get_many([prefix + n for n in names])
    docs = {n: None if v is None else bytes(v) for n, v in zip(names, values, strict=True)}
    try:
        node = parse_node_metadata(docs, key_prefix=path, zarr_format=cached.zarr_format)
    except NodeNotFoundError:
        node = None
    if not isinstance(node, ArrayMetadataV2 | ArrayMetadataV3):
        raise ArrayNotFoundError(
            "the array's metadata is gone from the store (deleted or replaced by another handle)",
            store=store.url,
            path=path or "/",
        )
    return node


def refreshed(
    store: Store, path: str, cached: ArrayMetadata, known: bytes | None
) -> tuple[ArrayMetadata, bytes]:
    """``cached``, or the stored metadata where the stored document differs.

    ``known`` is the main document's bytes last seen to match ``cached``; the
    returned bytes are the new such value.
    """
    key = _prefix(path) + main_document(cached)
    value = store.get(key)
    if value is None:
        stored_metadata(store, path, cached)  # raises: the array is gone
    current = bytes(value)  # type: ignore[arg-type]
    if current == known:
        return cached, current
    if known is None and current == cached.to_documents().get(main_document(cached)):
        return cached, current  # as this handle wrote or read it: nothing to parse
    fresh = stored_metadata(store, path, cached)
    if fresh.shape == cached.shape and fresh.to_documents() == cached.to_documents():
        return cached, current
    return fresh, current
