"""Top-level functions of zarr-python 3's API for arrays: create, open, save, load.

Modes have file-mode meaning: ``r`` read only, ``r+`` read/write an existing node,
``a`` read/write, creating when missing (never deleting), ``w`` create, replacing
what is there, ``w-`` create, failing if something is there. Groups, ``open`` and
consolidated metadata live in :mod:`zarrdist.api.hierarchy.group_functions`.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from zarrdist.api.arrays.array import Array
from zarrdist.api.arrays.create import (
    check_data_keywords,
    create_keywords,
    is_zarr_python_array,
    new_array,
    write_into,
)
from zarrdist.api.arrays.from_source import from_array_keywords, like_keywords
from zarrdist.api.arrays.keyword_warnings import warn_write_empty_chunks_kwarg
from zarrdist.api.arrays.keywords import DEFAULT_FILL_VALUE
from zarrdist.api.hierarchy.documents import kind_of, normalize_path, read_node
from zarrdist.errors import ArrayNotFoundError, ContainsGroupError, ZarrDeprecationWarning
from zarrdist.stores import ACCESS_MODES, Store, resolve_store, split_store_path

if TYPE_CHECKING:
    import dask.array as da

__all__ = [
    "create",
    "create_array",
    "empty",
    "empty_like",
    "from_array",
    "from_dask",
    "full",
    "full_like",
    "like_keywords",
    "ones",
    "ones_like",
    "open_array",
    "open_like",
    "resolve_format",
    "save_array",
    "to_dask",
    "zeros",
    "zeros_like",
]


def resolve_format(zarr_format: int | None, zarr_version: int | None) -> int | None:
    """``zarr_format``, or the deprecated ``zarr_version`` (with a warning).

    Raises
    ------
    ValueError
        If both are given and differ.
    """
    if zarr_version is None:
        return zarr_format
    if zarr_format is not None and zarr_format != zarr_version:
        raise ValueError(f"zarr_format={zarr_format} and zarr_version={zarr_version} differ")
    warnings.warn(
        "zarr_version is deprecated, use zarr_format", ZarrDeprecationWarning, stacklevel=3
    )
    return zarr_version


def default_mode(store: Any, mode: str | None) -> str:
    """``mode``, or zarr-python's default: "r" for a read-only Store, else "a"."""
    if mode is None:
        return "r" if isinstance(store, Store) and store.read_only else "a"
    if mode not in ACCESS_MODES:
        raise ValueError(f"unknown mode {mode!r}; use one of {ACCESS_MODES}")
    return mode


def create_array(
    store: Any = None,
    *,
    name: str | None = None,
    shape: Any = None,
    dtype: Any = None,
    data: Any = None,
    chunks: Any = "auto",
    shards: Any = None,
    filters: Any = "auto",
    compressors: Any = "auto",
    serializer: Any = "auto",
    fill_value: Any = DEFAULT_FILL_VALUE,
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

    Also takes the seed's ``codecs=`` (a whole v3 chain), ``compressor=`` (one
    compressor) and ``mode=``: ``"w"`` replaces what is there, ``"a"`` and
    ``"w-"`` refuse to. ``overwrite=False`` (the default) never replaces a node.
    ``zarr_format=None`` follows ``config["default_zarr_format"]``.

    Raises
    ------
    ContainsArrayError, ContainsGroupError
        If a node exists at the path and ``overwrite`` is False.
    ValueError
        If ``mode`` is read-only (``"r"``, ``"r+"``): an array cannot be created so.
    """
    if mode is not None:
        if mode not in ("a", "w", "w-"):
            raise ValueError(f"create_array cannot create with mode={mode!r}; use 'w', 'w-' or 'a'")
        overwrite = overwrite or mode == "w"
    check_data_keywords(data, shape, dtype)
    store, node = split_store_path(store, name if name is not None else path)
    resolved = resolve_store(store, mode="w" if overwrite else "a", storage_options=storage_options)
    return new_array(
        resolved,
        normalize_path(node),
        shape=shape,
        dtype=dtype,
        data=data,
        overwrite=overwrite,
        config=config,
        write_data=write_data,
        chunks=chunks,
        shards=shards,
        filters=filters,
        compressors=compressors,
        serializer=serializer,
        fill_value=fill_value,
        order=order,
        zarr_format=zarr_format,
        attributes=attributes,
        chunk_key_encoding=chunk_key_encoding,
        dimension_names=dimension_names,
        codecs=codecs,
        compressor=compressor,
        dimension_separator=dimension_separator,
    )


def create(
    shape: Any,
    *,
    store: Any = None,
    path: str | None = None,
    overwrite: bool = False,
    read_only: bool | None = None,
    zarr_version: int | None = None,
    zarr_format: int | None = None,
    storage_options: Mapping[str, Any] | None = None,
    **kwargs: Any,
) -> Array:
    """Create an array with zarr-python's ``create`` keywords (``chunks``, ``compressor``,
    ``filters``, ``fill_value``, ``dimension_separator``, ``codecs``, ``mode``, ...).

    Raises
    ------
    ContainsArrayError, ContainsGroupError
        If a node exists at ``path`` and neither ``overwrite`` nor ``mode="w"`` is set.
    """
    if read_only:
        raise ValueError("read_only=True cannot create an array")
    store, path = split_store_path(store, path)
    mode = default_mode(store, kwargs.pop("mode", None))
    if mode in ("r", "r+"):
        raise ValueError(f"create() cannot create with mode={mode!r}")
    overwrite = overwrite or mode == "w"
    zarr_format = resolve_format(zarr_format, zarr_version)
    resolved = resolve_store(store, mode="w" if overwrite else "a", storage_options=storage_options)
    keywords = create_keywords(zarr_format=zarr_format, **kwargs)
    return new_array(resolved, normalize_path(path), shape=shape, overwrite=overwrite, **keywords)


def empty(shape: Any, **kwargs: Any) -> Array:
    """An array with no values written (reads give the fill value)."""
    return create(shape, **kwargs)


def zeros(shape: Any, **kwargs: Any) -> Array:
    """An array of zeros (fill value 0; nothing is written)."""
    return create(shape, fill_value=0, **kwargs)


def ones(shape: Any, **kwargs: Any) -> Array:
    """An array of ones (fill value 1; nothing is written)."""
    return create(shape, fill_value=1, **kwargs)


def full(shape: Any, fill_value: Any, **kwargs: Any) -> Array:
    """An array filled with ``fill_value`` (nothing is written)."""
    return create(shape, fill_value=fill_value, **kwargs)


def _like(a: Any, kwargs: Mapping[str, Any], *, keep_fill: bool) -> dict[str, Any]:
    return {**like_keywords(a, kwargs.get("zarr_format"), keep_fill=keep_fill), **kwargs}


def empty_like(a: Any, **kwargs: Any) -> Array:
    """An empty array shaped (and, for Zarr arrays, encoded) like ``a``."""
    merged = _like(a, kwargs, keep_fill=True)
    return empty(merged.pop("shape"), **merged)


def zeros_like(a: Any, **kwargs: Any) -> Array:
    """An array of zeros shaped like ``a``."""
    merged = _like(a, kwargs, keep_fill=False)
    return zeros(merged.pop("shape"), **merged)


def ones_like(a: Any, **kwargs: Any) -> Array:
    """An array of ones shaped like ``a``."""
    merged = _like(a, kwargs, keep_fill=False)
    return ones(merged.pop("shape"), **merged)


def full_like(a: Any, **kwargs: Any) -> Array:
    """An array shaped like ``a``, filled with ``fill_value`` (default: ``a``'s)."""
    merged = _like(a, kwargs, keep_fill=True)
    fill = merged.pop("fill_value", DEFAULT_FILL_VALUE)
    return full(merged.pop("shape"), fill, **merged)


def array(data: Any, **kwargs: Any) -> Array:
    """An array holding ``data`` (NumPy-like, dask, zarrdist or zarr-python array).

    Keywords are :func:`create`'s; chunks default to ``data``'s own.
    """
    if isinstance(data, Array) or is_zarr_python_array(data):
        if "path" in kwargs:
            kwargs["name"] = kwargs.pop("path")
        return from_array(kwargs.pop("store", None), data=data, **kwargs)
    if kwargs.pop("read_only", False):
        raise ValueError("read_only=True cannot create an array")
    if not (hasattr(data, "shape") and hasattr(data, "dtype")):
        data = np.asanyarray(data)
    if kwargs.get("dtype") is None:
        kwargs["dtype"] = data.dtype
    if kwargs.get("chunks") is None and isinstance(getattr(data, "chunks", None), tuple):
        kwargs["chunks"] = data.chunks
    # zarr-python's array() also takes shape= (the data's shape; given by some callers).
    z = create(kwargs.pop("shape", data.shape), **kwargs)
    z[...] = data
    return z


def from_array(
    *args: Any,
    data: Any = None,
    store: Any = None,
    write_data: bool = True,
    name: str | None = None,
    storage_options: Mapping[str, Any] | None = None,
    overwrite: bool = False,
    config: Mapping[str, Any] | None = None,
    **keywords: Any,
) -> Array:
    """A new array holding a copy of ``data``, as zarr-python's ``from_array``.

    ``data`` may be a NumPy-like array, a dask array, or a zarrdist or
    zarr-python Array. Unlike zarr-python, the fill value and attributes of a
    Zarr source are kept unless given. ``chunks``, ``shards``, ``filters``,
    ``compressors`` and ``serializer`` default to ``"keep"`` (the source's own).
    Both ``from_array(store, data=x)`` and the seed's ``from_array(x, store=s)``
    are accepted. The copy runs on the graph engine.

    Raises
    ------
    ContainsArrayError, ContainsGroupError
        If a node exists at ``name`` and ``overwrite`` is False.
    """
    if len(args) > 1:
        raise TypeError("from_array takes one positional argument (the store, or the data)")
    if args:
        if store is None and data is not None:
            store = args[0]
        elif data is None:
            data, store = (args[0], store) if store is not None else (None, args[0])
        else:
            raise TypeError("from_array got both a positional argument, data= and store=")
    if data is None:
        raise TypeError("from_array needs data=")
    planned = from_array_keywords(data, **keywords)
    store, name = split_store_path(store, name)
    resolved = resolve_store(store, mode="w" if overwrite else "a", storage_options=storage_options)
    target = new_array(
        resolved, normalize_path(name), overwrite=overwrite, config=config, **planned
    )
    if write_data:
        write_into(target, data if hasattr(data, "shape") else np.asanyarray(data))
    return target


def open_array(
    store: Any = None,
    *,
    mode: str | None = None,
    path: str | None = None,
    zarr_format: int | None = None,
    zarr_version: int | None = None,
    storage_options: Mapping[str, Any] | None = None,
    config: Mapping[str, Any] | None = None,
    **kwargs: Any,
) -> Array:
    """Open an array; ``a`` and ``w-`` create it from ``shape=`` etc. when missing,
    ``w`` replaces what is there. ``a`` never deletes existing data.

    Raises
    ------
    ArrayNotFoundError
        If no array exists and the mode (or a missing ``shape``) does not create one.
    ContainsGroupError
        If a group exists at the path.
    ContainsArrayError
        With ``w-``, if an array exists.
    """
    store, path = split_store_path(store, path if path is not None else kwargs.pop("name", None))
    mode = default_mode(store, mode)
    zarr_format = resolve_format(zarr_format, zarr_version)
    node_path = normalize_path(path)
    resolved = resolve_store(store, mode=mode, storage_options=storage_options)
    if "write_empty_chunks" in kwargs:
        warn_write_empty_chunks_kwarg()
        config = {**(config or {}), "write_empty_chunks": kwargs.pop("write_empty_chunks")}
    if mode in ("w", "w-"):
        return _create_for_open(resolved, node_path, mode, zarr_format, config, kwargs)
    metadata = read_node(resolved, node_path, zarr_format)
    if metadata is not None and kind_of(metadata) == "array":
        return Array(resolved, node_path, metadata, config=config)  # type: ignore[arg-type]
    if metadata is not None:
        raise ContainsGroupError(
            "a group exists here, not an array", store=resolved.url, path=node_path or "/"
        )
    if mode == "a" and "shape" in kwargs and not resolved.read_only:
        return _create_for_open(resolved, node_path, mode, zarr_format, config, kwargs)
    raise ArrayNotFoundError(
        "no array here" + ("; pass shape= to create one" if mode == "a" else ""),
        store=resolved.url,
        path=node_path or "/",
    )


def _create_for_open(
    store: Store,
    path: str,
    mode: str,
    zarr_format: int | None,
    config: Mapping[str, Any] | None,
    kwargs: dict[str, Any],
) -> Array:
    if "shape" not in kwargs:
        raise TypeError(f"mode={mode!r} creates an array and needs shape=")
    shape = kwargs.pop("shape")
    keywords = create_keywords(zarr_format=zarr_format, config=config, **kwargs)
    return new_array(store, path, shape=shape, overwrite=mode == "w", **keywords)


def open_like(a: Any, path: str, **kwargs: Any) -> Array:
    """Open (or create) an array like ``a``. Without ``store=``, ``path`` names the
    store (zarr-python 2's meaning; zarr-python 3 would put it in memory)."""
    merged = _like(a, kwargs, keep_fill=True)
    if "store" not in merged:
        merged["store"], path = path, ""
    return open_array(path=path, **merged)


def save_array(
    store: Any,
    arr: Any,
    *,
    zarr_format: int | None = None,
    zarr_version: int | None = None,
    path: str | None = None,
    storage_options: Mapping[str, Any] | None = None,
    compute: bool = True,
    **kwargs: Any,
) -> Any:
    """Save a NumPy-like (or dask) array as a Zarr array.

    With ``compute=False`` the array is created and a :class:`dask.delayed.Delayed`
    that writes the data is returned (see :func:`from_dask`); otherwise None.

    Raises
    ------
    ContainsArrayError, ContainsGroupError
        If a node exists and neither ``overwrite=True`` nor ``mode="w"`` is given.
    TypeError
        If ``arr`` is not array-like.
    """
    zarr_format = resolve_format(zarr_format, zarr_version)
    mode = kwargs.pop("mode", "a")
    overwrite = bool(kwargs.pop("overwrite", None)) or mode == "w"
    if np.isscalar(arr):
        arr = np.array(arr)
    if not (hasattr(arr, "shape") and hasattr(arr, "dtype")):
        raise TypeError("arr must be a NumPy-like array")
    store, path = split_store_path(store, path)
    resolved = resolve_store(store, mode=mode, storage_options=storage_options)
    chunks = getattr(arr, "chunks", None)
    keywords = create_keywords(
        zarr_format=zarr_format,
        dtype=arr.dtype,
        chunks=chunks if isinstance(chunks, tuple) else None,
        **kwargs,
    )
    target = new_array(
        resolved, normalize_path(path), shape=arr.shape, overwrite=overwrite, **keywords
    )
    if not compute:
        from zarrdist.api.arrays.deferred import deferred_write

        return deferred_write(target, arr)
    target[...] = arr
    return None


def from_dask(
    darr: da.Array,
    store: Any = None,
    *,
    name: str | None = None,
    compute: bool = True,
    **kwargs: Any,
) -> Any:
    """Create an array shaped like ``darr`` and write it in parallel.

    Chunks default to ``darr``'s first block shape; the write is rechunked onto
    the array's storage units, so any dask chunking gives the same bytes.

    With ``compute=False`` the array is created (its metadata written) and a
    :class:`dask.delayed.Delayed` is returned that writes the data when computed
    or persisted (``client.compute(...)`` on a cluster, with
    ``distributed.progress`` to watch it); otherwise the new Array.
    """
    kwargs.setdefault("chunks", tuple(c[0] if c else 1 for c in darr.chunks))
    kwargs.setdefault("dtype", darr.dtype)
    target = create_array(store, name=name, shape=darr.shape, **kwargs)
    if not compute:
        from zarrdist.api.arrays.deferred import deferred_write

        return deferred_write(target, darr)
    target[...] = darr
    return target


def to_dask(
    source: Any,
    *,
    path: str | None = None,
    chunks: Any = None,
    storage_options: Mapping[str, Any] | None = None,
) -> da.Array:
    """A dask array over an Array, or over the array at ``path`` of a store."""
    if not isinstance(source, Array):
        source = open_array(source, mode="r", path=path, storage_options=storage_options)
    result: da.Array = source.to_dask(chunks)
    return result
