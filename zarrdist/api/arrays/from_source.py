"""What a new array copies from a source: ``from_array``'s "keep" and the ``*_like`` keywords.

A source is a NumPy-like array, a dask array, a zarrdist Array or a zarr-python
Array. The metadata of a zarr-python Array is read from the very documents it
would write, so both libraries' arrays are handled by one code path.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from zarrdist.api.arrays.array import Array
from zarrdist.api.arrays.create import is_dask, is_zarr_python_array
from zarrdist.api.arrays.keywords import DEFAULT_FILL_VALUE
from zarrdist.codecs import CodecChain
from zarrdist.metadata import ArrayMetadataV2, ArrayMetadataV3, parse_array_metadata

__all__ = ["from_array_keywords", "like_keywords", "source_metadata"]

_KEEP = "keep"
ArrayMetadata = ArrayMetadataV2 | ArrayMetadataV3


def source_metadata(value: Any) -> ArrayMetadata | None:
    """The metadata of a zarrdist or zarr-python Array; None for other sources."""
    if isinstance(value, Array):
        return value.metadata
    if not is_zarr_python_array(value):
        return None
    from zarr.core.buffer import default_buffer_prototype

    documents = value.metadata.to_buffer_dict(default_buffer_prototype())
    return parse_array_metadata({k: v.to_bytes() for k, v in documents.items()})


def _inner_chain(metadata: ArrayMetadataV3) -> CodecChain:
    sharding = metadata.sharding_codec
    return metadata.codec_chain if sharding is None else CodecChain.from_codecs(sharding.codecs)


def _keep_codecs(
    metadata: ArrayMetadata, zarr_format: int, filters: Any, compressors: Any, serializer: Any
) -> dict[str, Any]:
    same = zarr_format == metadata.zarr_format
    if isinstance(metadata, ArrayMetadataV2):
        kept_filters: Any = list(metadata.filters or ()) or None
        kept_compressors: Any = metadata.compressor
        kept_serializer: Any = "auto"
    else:
        chain = _inner_chain(metadata)
        kept_filters = list(chain.array_array) or None
        kept_compressors = list(chain.bytes_bytes) or None
        kept_serializer = chain.array_bytes
    return {
        "filters": (kept_filters if same else "auto") if filters == _KEEP else filters,
        "compressors": (kept_compressors if same else "auto")
        if compressors == _KEEP
        else compressors,
        "serializer": (kept_serializer if same else "auto") if serializer == _KEEP else serializer,
    }


def _exact_copy(
    metadata: ArrayMetadata, fill_value: Any, attributes: Any, order: Any, dimension_names: Any
) -> ArrayMetadata:
    changes: dict[str, Any] = {}
    if attributes is not None:
        changes["attributes"] = dict(attributes)
    if fill_value is not DEFAULT_FILL_VALUE:
        changes["fill_value"] = fill_value
        if isinstance(metadata, ArrayMetadataV2):
            changes["fill_value_null"] = fill_value is None
    if isinstance(metadata, ArrayMetadataV2) and order is not None:
        changes["order"] = order
    if isinstance(metadata, ArrayMetadataV3) and dimension_names is not None:
        changes["dimension_names"] = tuple(dimension_names)
    return replace(metadata, **changes) if changes else metadata


def from_array_keywords(
    data: Any,
    *,
    chunks: Any = _KEEP,
    shards: Any = _KEEP,
    filters: Any = _KEEP,
    compressors: Any = _KEEP,
    serializer: Any = _KEEP,
    fill_value: Any = DEFAULT_FILL_VALUE,
    order: Any = None,
    zarr_format: int | None = None,
    attributes: Any = None,
    chunk_key_encoding: Any = None,
    dimension_names: Any = None,
) -> dict[str, Any]:
    """``new_array`` keywords for a copy of ``data``; "keep" means the source's own.

    A Zarr source copied to its own format with every codec setting kept gets its
    metadata exactly (the ``metadata`` keyword), with the fill value and
    attributes kept unless given.
    """
    metadata = source_metadata(data)
    if metadata is None:
        return _plain_keywords(
            data,
            chunks,
            shards,
            filters,
            compressors,
            serializer,
            fill_value,
            order,
            zarr_format,
            attributes,
            chunk_key_encoding,
            dimension_names,
        )
    fmt = zarr_format or metadata.zarr_format
    settings = (chunks, shards, filters, compressors, serializer)
    if (
        fmt == metadata.zarr_format
        and all(s == _KEEP for s in settings)
        and (chunk_key_encoding is None)
    ):
        exact = _exact_copy(metadata, fill_value, attributes, order, dimension_names)
        return {"metadata": exact}
    out = _keep_codecs(metadata, fmt, filters, compressors, serializer)
    out.update(
        shape=metadata.shape,
        dtype=metadata.dtype,
        chunks=_kept_chunks(metadata) if chunks == _KEEP else chunks,
        shards=(_kept_shards(metadata) if fmt == 3 else None) if shards == _KEEP else shards,
        fill_value=metadata.fill_value if fill_value is DEFAULT_FILL_VALUE else fill_value,
        attributes=dict(metadata.attributes) if attributes is None else attributes,
        zarr_format=fmt,
        order=order or (metadata.order if fmt == 2 else None),
        dimension_names=dimension_names
        if dimension_names is not None
        else (metadata.dimension_names if fmt == 3 else None),
        chunk_key_encoding=chunk_key_encoding,
    )
    if chunk_key_encoding is None and fmt == metadata.zarr_format:
        if isinstance(metadata, ArrayMetadataV2):
            out["dimension_separator"] = metadata.dimension_separator
        else:
            out["chunk_key_encoding"] = metadata.chunk_key_encoding
    return out


def _plain_keywords(
    data: Any,
    chunks: Any,
    shards: Any,
    filters: Any,
    compressors: Any,
    serializer: Any,
    fill_value: Any,
    order: Any,
    zarr_format: int | None,
    attributes: Any,
    chunk_key_encoding: Any,
    dimension_names: Any,
) -> dict[str, Any]:
    if not (hasattr(data, "shape") and hasattr(data, "dtype")):
        data = np.asanyarray(data)
    if chunks == _KEEP:
        blocks = getattr(data, "chunks", None) if is_dask(data) else None
        chunks = tuple(c[0] if c else 1 for c in blocks) if blocks else "auto"
    return {
        "shape": data.shape,
        "dtype": data.dtype,
        "chunks": chunks,
        "shards": None if shards == _KEEP else shards,
        "filters": "auto" if filters == _KEEP else filters,
        "compressors": "auto" if compressors == _KEEP else compressors,
        "serializer": "auto" if serializer == _KEEP else serializer,
        "fill_value": fill_value,
        "order": order,
        "zarr_format": zarr_format,
        "attributes": attributes,
        "chunk_key_encoding": chunk_key_encoding,
        "dimension_names": dimension_names,
    }


def like_keywords(
    a: Any, zarr_format: int | None = None, *, keep_fill: bool = True
) -> dict[str, Any]:
    """``create`` keywords for an array like ``a`` (zarr-python's ``_like_args``).

    Shape, chunks and dtype from any array-like; for a Zarr array also its codecs
    (when ``zarr_format`` is its own) and, with ``keep_fill``, its fill value.
    """
    out: dict[str, Any] = {}
    if hasattr(a, "shape") and isinstance(a.shape, tuple):
        out["shape"] = a.shape
    if hasattr(a, "dtype"):
        out["dtype"] = a.dtype
    chunks = getattr(a, "chunks", None)
    if isinstance(chunks, tuple) and len(chunks) == len(out.get("shape", ())):
        out["chunks"] = tuple(c[0] if isinstance(c, tuple) else c for c in chunks)
    metadata = source_metadata(a)
    if metadata is None:
        return out
    fmt = zarr_format or metadata.zarr_format
    out["zarr_format"] = fmt
    if keep_fill:
        out["fill_value"] = metadata.fill_value
    if fmt != metadata.zarr_format:
        return out
    if isinstance(metadata, ArrayMetadataV2):
        out.update(
            order=metadata.order,
            compressor=metadata.compressor,
            filters=list(metadata.filters or ()) or None,
        )
    else:
        # The whole chain, sharding included, so chunks are the outer (shard) shape.
        grid = metadata.rectilinear
        out.update(
            codecs=list(metadata.codecs), chunks=metadata.chunk_shape if grid is None else grid
        )
    return out


def _kept_chunks(metadata: Any) -> Any:
    """The source's chunks: a rectilinear grid itself where chunks vary in size."""
    grid = getattr(metadata, "rectilinear", None)
    return grid if grid is not None and not metadata.is_sharded else metadata.chunks


def _kept_shards(metadata: Any) -> Any:
    """The source's shards: a rectilinear grid itself where shards vary in size."""
    grid = getattr(metadata, "rectilinear", None)
    return grid if grid is not None and metadata.is_sharded else metadata.shards
