"""Making arrays: keywords to metadata, the node written, the data written.

Shared by the top-level functions (:mod:`zarrdist.api`) and Group methods, so
both create arrays the same way: parents written, consolidation kept true, data
from NumPy, dask, zarrdist or zarr-python arrays written on the graph engine.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np

from zarrdist.api.arrays.array import Array
from zarrdist.api.arrays.keyword_warnings import warn_not_implemented, warn_write_empty_chunks_kwarg
from zarrdist.api.arrays.keywords import DEFAULT_FILL_VALUE, array_metadata
from zarrdist.api.hierarchy.edits import create_node
from zarrdist.config import config as zarrdist_config
from zarrdist.metadata import ArrayMetadataV2

if TYPE_CHECKING:
    from zarrdist.api.hierarchy.consolidation import ConsolidatedView
    from zarrdist.metadata import ArrayMetadata
    from zarrdist.stores import Store

__all__ = [
    "check_data_keywords",
    "create_keywords",
    "is_dask",
    "is_zarr_python_array",
    "new_array",
    "write_into",
]

#: zarr-python 2 keywords that ``create`` accepts but zarr-python 3 ignores.
_IGNORED = (
    "synchronizer",
    "chunk_store",
    "cache_metadata",
    "cache_attrs",
    "object_codec",
    "meta_array",
)


def is_dask(value: Any) -> bool:
    """Whether ``value`` is a dask array (checked without importing dask)."""
    return type(value).__module__.startswith("dask.") and hasattr(value, "__dask_graph__")


def is_zarr_python_array(value: Any) -> bool:
    """Whether ``value`` is a zarr-python ``Array`` (checked without importing zarr)."""
    return type(value).__module__.startswith("zarr.") and hasattr(value, "metadata")


def write_into(array: Array, data: Any) -> None:
    """Write all of ``data`` into ``array``: a dask graph for array sources, else direct."""
    if isinstance(data, Array) or is_dask(data) or is_zarr_python_array(data):
        from zarrdist.graphs.read import as_dask  # imports dask: only for array sources

        array[...] = as_dask(data)
    else:
        array[...] = data


def _infer_from_data(data: Any, shape: Any, dtype: Any) -> tuple[Any, Any]:
    if data is None:
        return shape, dtype
    if not hasattr(data, "shape") or not hasattr(data, "dtype"):
        data = np.asanyarray(data)
    return (data.shape if shape is None else shape), (data.dtype if dtype is None else dtype)


def new_array(
    store: Store,
    path: str,
    *,
    shape: Any = None,
    dtype: Any = None,
    data: Any = None,
    overwrite: bool = False,
    config: Mapping[str, Any] | None = None,
    write_data: bool = True,
    view: ConsolidatedView | None = None,
    metadata: ArrayMetadata | None = None,
    **keywords: Any,
) -> Array:
    """Create the array at ``path`` from ``create_array`` keywords, and write ``data``.

    ``metadata``, if given, is used as it is and the keywords are ignored.

    Raises
    ------
    ContainsArrayError, ContainsGroupError
        If a node exists there and ``overwrite`` is False.
    TypeError
        If neither ``shape`` nor ``data`` is given.
    """
    if metadata is None:
        shape, dtype = _infer_from_data(data, shape, dtype)
        if shape is None:
            raise TypeError(f"creating the array {path or '/'!r} needs shape= (or data=)")
        metadata = array_metadata(
            shape=shape, dtype="float64" if dtype is None else dtype, **keywords
        )
        metadata, config = _v2_order(metadata, keywords.get("order"), config)
    create_node(store, path, metadata, overwrite=overwrite, view=view)
    array = Array(store, path, metadata, config=config, view=view)
    if data is not None and write_data:
        write_into(array, data if hasattr(data, "shape") else np.asanyarray(data))
    return array


def check_data_keywords(data: Any, shape: Any, dtype: Any) -> None:
    """``create_array``'s rule, as zarr-python's: ``data`` alone, or ``shape`` (the data
    says both shape and dtype). Unlike zarr-python 3.1.5, a missing ``dtype`` is the
    seed's default (float64), not an error: the reference documents create arrays so.

    Raises
    ------
    ValueError
        Naming the keyword that is missing or given twice (zarr-python's words).
    """
    if data is None:
        if shape is None:
            raise ValueError(
                "The data parameter was set to None, but shape was not specified. Either "
                "provide a value for data, or specify shape."
            )
        return
    for name, value in (("shape", shape), ("dtype", dtype)):
        if value is not None:
            raise ValueError(
                f"The data parameter was used, but the {name} parameter was also used. "
                f"This is an error. Either use the data parameter, or the {name} parameter, "
                "but not both."
            )


def _v2_order(
    metadata: ArrayMetadata, order: Any, config: Mapping[str, Any] | None
) -> tuple[ArrayMetadata, Mapping[str, Any] | None]:
    """A new v2 array's one memory order, as zarr-python settles it: the ``order``
    keyword, else the runtime ``config``'s order, is both the stored ``.zarray`` order
    and the order reads return."""
    if not isinstance(metadata, ArrayMetadataV2):
        return metadata, config
    if order is None and config and config.get("order") in ("C", "F"):
        return replace(metadata, order=config["order"]), config
    if order is not None:
        return metadata, {**dict(config or {}), "order": metadata.order}
    return metadata, config


def _refuse_other_format_keywords(zarr_format: int, **given: Any) -> None:
    """``create``'s keywords of the other format refused, as zarr-python refuses them
    (its words: callers match them)."""
    refusals = (
        {
            "dimension_names": "dimension_names cannot be used for arrays with zarr_format 2.",
            "chunk_key_encoding": "chunk_key_encoding cannot be used for arrays with "
            "zarr_format 2. Use dimension_separator instead.",
            "codecs": "codecs cannot be used for arrays with zarr_format 2. Use filters and "
            "compressor instead.",
        }
        if zarr_format == 2
        else {
            "both_chunks": "Only one of chunk_shape or chunks can be provided.",
            "dimension_separator": "dimension_separator cannot be used for arrays with "
            "zarr_format 3. Use chunk_key_encoding instead.",
            "filters": "filters cannot be used for arrays with zarr_format 3. Use "
            "array-to-array codecs instead.",
            "compressor": "compressor cannot be used for arrays with zarr_format 3. Use "
            "bytes-to-bytes codecs instead.",
        }
    )
    unset = {"both_chunks": False, "compressor": "auto"}
    for name, message in refusals.items():
        if given[name] is not unset.get(name) and given[name] != unset.get(name):
            raise ValueError(message)


def create_keywords(
    *,
    chunks: Any = None,
    dtype: Any = None,
    compressor: Any = "auto",
    fill_value: Any = DEFAULT_FILL_VALUE,
    order: Any = None,
    filters: Any = None,
    dimension_separator: Any = None,
    write_empty_chunks: bool | None = None,
    zarr_format: int | None = None,
    attributes: Mapping[str, Any] | None = None,
    chunk_shape: Any = None,
    chunk_key_encoding: Any = None,
    codecs: Any = None,
    dimension_names: Any = None,
    config: Mapping[str, Any] | None = None,
    **ignored: Any,
) -> dict[str, Any]:
    """zarr-python's ``create`` keywords as ``new_array`` keywords.

    ``chunks=None`` or ``True`` guesses chunks, ``False`` makes one chunk;
    ``write_empty_chunks`` goes into the runtime ``config``. zarr-python 2's
    ``synchronizer``, ``chunk_store``, ``cache_*``, ``object_codec`` and
    ``meta_array`` are accepted and ignored with a warning, as zarr-python 3 does.
    """
    for name, value in ignored.items():
        if name not in _IGNORED:
            raise TypeError(f"create() got an unexpected keyword argument {name!r}")
        if value is not None:
            warn_not_implemented(name, stacklevel=4)
    _refuse_other_format_keywords(
        zarr_format or zarrdist_config.get("default_zarr_format"),
        dimension_names=dimension_names,
        chunk_key_encoding=chunk_key_encoding,
        codecs=codecs,
        both_chunks=chunk_shape is not None and chunks is not None,
        dimension_separator=dimension_separator,
        filters=filters,
        compressor=compressor,
    )
    settings = dict(config or {})
    if write_empty_chunks is not None:
        warn_write_empty_chunks_kwarg(stacklevel=4)
        settings["write_empty_chunks"] = write_empty_chunks
    chosen = chunk_shape if chunk_shape is not None else chunks
    if isinstance(chunk_key_encoding, tuple) and len(chunk_key_encoding) == 2:
        # zarr-python's ("default", "/") shorthand
        chunk_key_encoding = {"name": chunk_key_encoding[0], "separator": chunk_key_encoding[1]}
    return {
        "chunks": "auto" if chosen is None or chosen is True else chosen,
        "dtype": dtype,
        "compressor": compressor,
        "fill_value": fill_value,
        "order": order,
        "filters": "auto" if filters is None else filters,
        "dimension_separator": dimension_separator,
        "zarr_format": zarr_format,
        "attributes": attributes,
        "chunk_key_encoding": chunk_key_encoding,
        "codecs": codecs,
        "dimension_names": dimension_names,
        "config": settings or None,
    }
