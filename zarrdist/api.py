"""Top-level functions of zarr-python 3's API: creating and opening arrays.

Modes have file-mode meaning: ``r`` read only, ``r+`` read/write an existing node,
``a`` read/write, creating when missing (never deleting), ``w`` create, replacing
what is there, ``w-`` create, failing if something is there.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from zarrdist._create import array_metadata
from zarrdist.array import Array
from zarrdist.errors import ArrayNotFoundError, ContainsArrayError, ContainsGroupError
from zarrdist.stores import Store, resolve_store

if TYPE_CHECKING:
    import dask.array as da

__all__ = ["create_array", "from_dask", "open_array"]

_ACCESS_MODES = ("r", "r+", "a", "w", "w-")


def _prefix(path: str) -> str:
    path = path.strip("/")
    return f"{path}/" if path else ""


def _existing_node(store: Store, path: str) -> str | None:
    """"array", "group" or None for what is stored at ``path``."""
    prefix = _prefix(path)
    docs = store.get_many([prefix + k for k in ("zarr.json", ".zarray", ".zgroup")])
    if docs[0] is not None:
        import json

        kind = json.loads(bytes(docs[0])).get("node_type")
        return "array" if kind == "array" else "group"
    if docs[1] is not None:
        return "array"
    if docs[2] is not None:
        return "group"
    return None


def _clear(store: Store, path: str) -> None:
    """Remove the node at ``path`` (its documents and everything under it)."""
    prefix = _prefix(path)
    if prefix:
        store.delete_prefix(prefix)
        return
    for key in list(store.list()):
        store.delete(key)


def create_array(
    store: Any = None,
    *,
    name: str | None = None,
    shape: Any = None,
    dtype: Any = "float64",
    data: Any = None,
    chunks: Any = "auto",
    shards: Any = None,
    filters: Any = "auto",
    compressors: Any = "auto",
    serializer: Any = "auto",
    fill_value: Any = None,
    order: Any = None,
    zarr_format: int | None = None,
    attributes: Mapping[str, Any] | None = None,
    chunk_key_encoding: Any = None,
    dimension_names: Any = None,
    storage_options: Mapping[str, Any] | None = None,
    overwrite: bool = False,
    config: Mapping[str, Any] | None = None,
    write_data: bool = True,
    codecs: Any = None,
    compressor: Any = "auto",
    mode: str | None = None,
    path: str | None = None,
    dimension_separator: str | None = None,
) -> Array:
    """Create an array, as zarr-python 3.1.5's ``create_array``.

    ``overwrite=False`` (the default) never replaces an existing node; ``mode="w"``
    (the seed's spelling) means ``overwrite=True``.

    Raises
    ------
    ContainsArrayError, ContainsGroupError
        If a node exists at the path and ``overwrite`` is False.
    """
    if mode is not None and mode not in _ACCESS_MODES:
        raise ValueError(f"unknown mode {mode!r}; use one of {_ACCESS_MODES}")
    overwrite = overwrite or mode == "w"
    node_path = (name if name is not None else path or "").strip("/")
    if data is not None:
        if shape is None:
            shape = data.shape
        if dtype in (None, "float64") and hasattr(data, "dtype"):
            dtype = data.dtype
    if shape is None:
        raise TypeError("create_array needs shape= (or data=)")
    resolved = resolve_store(store, mode="w" if overwrite else "a",
                             storage_options=storage_options)
    metadata = array_metadata(
        shape=shape, dtype=dtype, chunks=chunks, shards=shards, filters=filters,
        compressors=compressors, serializer=serializer, codecs=codecs, compressor=compressor,
        fill_value=fill_value, order=order, zarr_format=zarr_format, attributes=attributes,
        chunk_key_encoding=chunk_key_encoding, dimension_names=dimension_names,
        dimension_separator=dimension_separator,
    )
    existing = _existing_node(resolved, node_path)
    if existing is not None:
        if not overwrite:
            error = ContainsArrayError if existing == "array" else ContainsGroupError
            raise error(f"an {existing} already exists here", store=resolved.url,
                        path=node_path or "/")
        _clear(resolved, node_path)
    prefix = _prefix(node_path)
    for key, doc in metadata.to_documents().items():
        resolved.set(prefix + key, doc)
    array = Array(resolved, node_path, metadata, config=config)
    if data is not None and write_data:
        array[...] = data
    return array


def open_array(
    store: Any = None,
    *,
    mode: str = "a",
    path: str | None = None,
    zarr_format: int | None = None,
    storage_options: Mapping[str, Any] | None = None,
    config: Mapping[str, Any] | None = None,
    **create_kwargs: Any,
) -> Array:
    """Open an array; with ``mode="a"`` or ``"w"`` and ``shape=``, create it when missing.

    Raises
    ------
    ArrayNotFoundError
        If no array exists and the mode (or missing ``shape``) does not create one.
    """
    if mode not in _ACCESS_MODES:
        raise ValueError(f"unknown mode {mode!r}; use one of {_ACCESS_MODES}")
    node_path = (path or create_kwargs.pop("name", None) or "").strip("/")
    resolved = resolve_store(store, mode=mode, storage_options=storage_options)
    if mode in ("w", "w-"):
        return create_array(resolved, name=node_path, zarr_format=zarr_format, config=config,
                            overwrite=mode == "w", **create_kwargs)
    existing = _existing_node(resolved, node_path)
    if existing == "array":
        return Array.open(resolved, node_path, config=config)
    if existing == "group":
        raise ContainsGroupError("a group exists here, not an array", store=resolved.url,
                                 path=node_path or "/")
    if mode == "a" and "shape" in create_kwargs:
        return create_array(resolved, name=node_path, zarr_format=zarr_format, config=config,
                            **create_kwargs)
    raise ArrayNotFoundError("no array here", store=resolved.url, path=node_path or "/")


def from_dask(
    darr: da.Array, store: Any = None, *, name: str | None = None, **kwargs: Any
) -> Array:
    """Create an array shaped like ``darr`` and write it in parallel.

    Chunks default to ``darr``'s first block shape; the write is rechunked onto
    the array's storage units, so any dask chunking gives the same bytes.
    """
    kwargs.setdefault("chunks", tuple(c[0] if c else 1 for c in darr.chunks))
    kwargs.setdefault("dtype", darr.dtype)
    array = create_array(store, name=name, shape=darr.shape, **kwargs)
    array[...] = darr
    return array
