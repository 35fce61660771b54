"""``Array``: zarr-python 3's synchronous array, with bulk work lowered to dask graphs.

An Array holds a store, a path and metadata; it holds no bytes logic. Small
selections take the *direct path* (the chunk-I/O functions called inline, no dask
graph), larger ones a graph from :mod:`zarrdist.graphs`, run by
:func:`zarrdist.graphs.execute.run_graph` on threads or an active cluster.
"""

from __future__ import annotations

import math
import operator
import warnings
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from numpy.lib.recfunctions import repack_fields

from zarrdist.api.arrays.array_config import ArrayConfig
from zarrdist.api.arrays.describe import html_repr, info_text
from zarrdist.api.arrays.fresh import refreshed, stored_metadata
from zarrdist.api.arrays.grid_walk import GridWalk
from zarrdist.api.arrays.selections import Selections
from zarrdist.api.arrays.values import broadcast_dask, plain_region
from zarrdist.api.hierarchy.attributes import Attributes
from zarrdist.api.hierarchy.consolidation import ConsolidatedView, sync_consolidated
from zarrdist.api.hierarchy.location import Node
from zarrdist.chunking.grid import axis_nchunks
from zarrdist.chunking.indexing import broadcast_value
from zarrdist.chunkio.buffers import default_prototype
from zarrdist.chunkio.read import read_selection
from zarrdist.chunkio.unitgrid import inner_chunks_stored
from zarrdist.chunkio.units import (
    ArrayHandle,
    Fields,
    io_chunk_shape,
    stored_units,
    write_selection,
)
from zarrdist.codecs import ArrayArrayCodec, ArrayBytesCodec, BytesBytesCodec, ShardingCodec
from zarrdist.errors import (
    ArrayNotFoundError,
    ReadOnlyStoreError,
    SelectionError,
    ZarrDeprecationWarning,
)
from zarrdist.graphs.execute import Engine, choose_engine
from zarrdist.graphs.locks import lock_factory, metadata_lock
from zarrdist.metadata import ArrayMetadataV2, ArrayMetadataV3, parse_array_metadata
from zarrdist.stores import Store, resolve_store, split_store_path

if TYPE_CHECKING:
    import dask.array as da

    from zarrdist.api.aio import AsyncArray
    from zarrdist.chunking.indexing import Indexer
    from zarrdist.metadata import ArrayMetadata

__all__ = ["Array", "ArrayConfig"]

# ArrayConfig (arrays/array_config.py) is re-exported here, where zarr-python's
# users and zarrdist's own modules import it from.


class _StoredBytes(int):
    """An int that returns itself when called (``z.nbytes_stored`` and ``z.nbytes_stored()``)."""

    def __call__(self) -> int:
        return int(self)


def _numcodec(config: Any) -> Any:
    """A v2 codec as zarr-python hands it out: a numcodecs object, not its JSON config."""
    import numcodecs

    return numcodecs.get_codec(dict(config)) if isinstance(config, Mapping) else config


def _inner_codecs(meta: ArrayMetadataV3) -> tuple[Any, ...]:
    """The codecs of a chunk: the sharding codec's own chain when that is the only codec."""
    codecs = tuple(meta.codecs)
    if len(codecs) == 1 and isinstance(codecs[0], ShardingCodec):
        return tuple(codecs[0].codecs)
    return codecs


def _is_dask(value: Any) -> bool:
    return type(value).__module__.startswith("dask.") and hasattr(value, "__dask_graph__")


class Array(Selections, GridWalk, Node):
    """A Zarr array (format 2 or 3).

    Create one with :func:`zarrdist.create_array` or open one with
    :func:`zarrdist.open_array`; the constructor is for those functions.

    Like :class:`zarrdist.Group`, an array keeps consolidated metadata true: a
    change of its metadata (attributes, resize, append) rewrites its own documents
    and then every consolidated document of the hierarchy above it.

    Parameters
    ----------
    view : ConsolidatedView, optional
        The consolidated metadata of the group the array was reached through,
        updated in memory as well when the array's metadata changes.
    """

    def __init__(
        self,
        store: Store,
        path: str | None = None,
        metadata: ArrayMetadata | None = None,
        *,
        config: Mapping[str, Any] | ArrayConfig | None = None,
        view: ConsolidatedView | None = None,
    ) -> None:
        if metadata is None:
            # zarr-python's ``Array(async_array)``: the array an AsyncArray faces.
            face = getattr(store, "_sync", None)
            if not isinstance(face, Array):
                raise TypeError("Array needs a store, a path and metadata, or an AsyncArray")
            store, path, metadata = face._store, face._path, face._metadata  # type: ignore[has-type]
            config = face._config if config is None else config  # type: ignore[has-type]
        assert path is not None
        self._store = store
        self._path = path.strip("/")
        self._metadata = metadata
        stored_order = metadata.order if isinstance(metadata, ArrayMetadataV2) else None
        self._config = ArrayConfig.resolve(config, order=stored_order)
        self._view = view

    # -- opening ------------------------------------------------------------------------
    @classmethod
    def open(cls, store: Any, path: str = "", **kwargs: Any) -> Array:
        """Open the array at ``path`` of ``store`` (a Store, or anything that names one:
        a StorePath, a path, a URL...), reading its metadata and nothing else.

        Raises
        ------
        ArrayNotFoundError
            If no array metadata exists there.
        """
        if not isinstance(store, Store):
            store_like, joined = split_store_path(store, path or None)
            store, path = resolve_store(store_like, mode="r+"), joined or ""
        prefix = f"{path.strip('/')}/" if path.strip("/") else ""
        names = ("zarr.json", ".zarray", ".zattrs")
        docs = dict(zip(names, store.get_many([prefix + n for n in names]), strict=True))
        if docs["zarr.json"] is None and docs[".zarray"] is None:
            raise ArrayNotFoundError("no array here", store=store.url, path=path or "/")
        metadata = parse_array_metadata(docs, key_prefix=prefix)
        return cls(store, path, metadata, **kwargs)

    # -- descriptive properties ---------------------------------------------------------
    @property
    def metadata(self) -> ArrayMetadata:
        """The array's metadata document, parsed."""
        return self._metadata

    @property
    def shape(self) -> tuple[int, ...]:
        """Array shape."""
        return tuple(self._metadata.shape)

    @property
    def chunks(self) -> tuple[int, ...]:
        """Chunk shape (the inner chunk shape of a sharded array)."""
        return tuple(self._metadata.chunks)

    @property
    def shards(self) -> tuple[int, ...] | None:
        """Shard shape, or None if the array is not sharded."""
        return self._metadata.shards

    @property
    def dtype(self) -> np.dtype[Any]:
        """NumPy dtype of the data."""
        dtype: np.dtype[Any] = self._metadata.dtype
        return dtype

    @property
    def fill_value(self) -> Any:
        """Value of elements never written.

        None for a v2 array whose ``.zarray`` records ``"fill_value": null``, as in
        zarr-python; reads then give the data type's default (0, ``""``, ...).
        """
        if isinstance(self._metadata, ArrayMetadataV2) and self._metadata.fill_value_null:
            return None
        return self._metadata.fill_value

    @property
    def ndim(self) -> int:
        """Number of dimensions."""
        return len(self.shape)

    @property
    def size(self) -> int:
        """Number of elements."""
        return math.prod(self.shape)

    @property
    def nbytes(self) -> int:
        """Uncompressed size in bytes (itemsize x elements)."""
        return self.size * self.dtype.itemsize

    @property
    def nchunks(self) -> int:
        """Number of chunks in the grid (inner chunks of a sharded array)."""
        return math.prod(self.cdata_shape)

    @property
    def cdata_shape(self) -> tuple[int, ...]:
        """Chunks per dimension."""
        return tuple(axis_nchunks(s, c) for s, c in zip(self.shape, self._io, strict=True))

    @property
    def read_chunk_sizes(self) -> tuple[tuple[int, ...], ...]:
        """Per axis, the data length of each chunk reads use (zarr-python 3.4)."""
        return self._metadata.read_chunk_sizes

    @property
    def write_chunk_sizes(self) -> tuple[tuple[int, ...], ...]:
        """Per axis, the data length of each stored chunk or shard (zarr-python 3.4)."""
        return self._metadata.write_chunk_sizes

    @property
    def order(self) -> Literal["C", "F"]:
        """Memory order of arrays returned by reads."""
        return self._config.order

    @property
    def zarr_format(self) -> Literal[2, 3]:
        """2 or 3."""
        return self._metadata.zarr_format

    @property
    def read_only(self) -> bool:
        """Whether writes are refused."""
        return self._store.read_only

    @property
    def attrs(self) -> Attributes:
        """The array's attributes; changes are written at once."""
        return Attributes(
            lambda: dict(self._metadata.attributes), self._put_attributes, self._atomic_attributes
        )

    @property
    def compressors(self) -> tuple[Any, ...]:
        """Bytes-to-bytes codecs (v3; of the inner chunks when sharded), or the v2
        compressor, as in zarr-python."""
        meta = self._metadata
        if isinstance(meta, ArrayMetadataV2):
            return () if meta.compressor is None else (_numcodec(meta.compressor),)
        return tuple(c for c in _inner_codecs(meta) if isinstance(c, BytesBytesCodec))

    @property
    def compressor(self) -> Any:
        """The v2 compressor or None (deprecated, as in zarr-python: use ``compressors``).

        Raises
        ------
        TypeError
            For a v3 array, which has a list of compressors instead.
        """
        warnings.warn("Use Array.compressors instead.", ZarrDeprecationWarning, stacklevel=2)
        if not isinstance(self._metadata, ArrayMetadataV2):
            raise TypeError("`compressor` is not available for Zarr format 3 arrays.")
        return next(iter(self.compressors), None)

    @property
    def filters(self) -> tuple[Any, ...]:
        """Array-to-array codecs (v3; of the inner chunks when sharded), or the v2 filters."""
        meta = self._metadata
        if isinstance(meta, ArrayMetadataV2):
            return tuple(_numcodec(f) for f in meta.filters or ())
        return tuple(c for c in _inner_codecs(meta) if isinstance(c, ArrayArrayCodec))

    @property
    def serializer(self) -> Any:
        """The array-to-bytes codec (v3; of the inner chunks when sharded); None for v2."""
        meta = self._metadata
        if isinstance(meta, ArrayMetadataV2):
            return None
        return next(c for c in _inner_codecs(meta) if isinstance(c, ArrayBytesCodec))

    @property
    def nchunks_initialized(self) -> int:
        """Initialized chunks, counted as zarr-python 3.1.5 counts them: stored objects
        times the chunks in each (a stored shard counts all of its inner chunks)."""
        if self._metadata.is_rectilinear:
            return inner_chunks_stored(self._handle, self._stored_keys())
        outer = self._metadata.chunk_shape
        per_object = math.prod(o // i for o, i in zip(outer, self.chunks, strict=True))
        return len(self._stored_keys()) * per_object

    @property
    def nbytes_stored(self) -> _StoredBytes:
        """Bytes stored for this array: its chunks and metadata documents.

        zarr-python 3.1.5 spells this as a method, ``nbytes_stored()``; the value is an
        int that can also be called, so code written either way works.
        """
        prefix = f"{self._path}/" if self._path else ""
        keys = [prefix + k for k in ("zarr.json", ".zarray", ".zattrs")]
        total = sum(self._store.getsize(k) or 0 for k in keys)
        return _StoredBytes(total + sum(self._store.getsize(k) or 0 for k in self._stored_keys()))

    def _stored_keys(self) -> list[str]:
        # From the listing, not the grid: a grid of 10**18 chunks cannot be enumerated.
        return [key for key, _ in stored_units(self._handle)]

    # -- internals ----------------------------------------------------------------------
    @property
    def _handle(self) -> ArrayHandle:
        return ArrayHandle(
            self._store,
            self._path,
            self._metadata,
            self._config.write_empty_chunks,
            default_prototype(),
            self._config.read_missing_chunks,
        )

    def _write_metadata(self, metadata: ArrayMetadata) -> None:
        prefix = f"{self._path}/" if self._path else ""
        for key, doc in metadata.to_documents().items():
            self._store.set(prefix + key, doc)
        self._metadata = metadata
        self._sync_consolidated()

    def _sync_consolidated(self) -> None:
        """Bring the consolidated documents above this array up to date (as Group does)."""
        sync_consolidated(self._store, [(self._path, self._metadata)], view=self._view)

    def _put_attributes(self, attributes: dict[str, Any]) -> None:
        self._check_writable()
        self._write_metadata(self._metadata.with_attributes(attributes))

    def _atomic_attributes(self, make: Any) -> None:
        """Apply ``make`` to the stored attributes under the array's metadata lock."""
        self._check_writable()
        with metadata_lock(self._store, self._path):
            fresh = stored_metadata(self._store, self._path, self._metadata)
            self._write_metadata(fresh.with_attributes(make(dict(fresh.attributes))))

    def _write(self, factory: Any, selection: Any, value: Any, fields: Any, plain: bool) -> None:
        # Under the shared metadata lock, against the stored shape: a handle that
        # missed a resize writes within the shape now stored, or fails as any
        # out-of-bounds write does (it must not bring deleted data back).
        with metadata_lock(self._store, self._path, shared=True):
            self._metadata, self.__dict__["_known_doc"] = refreshed(
                self._store, self._path, self._metadata, self.__dict__.get("_known_doc")
            )
            super()._write(factory, selection, value, fields, plain)

    def _check_writable(self) -> None:
        if self._store.read_only:
            raise ReadOnlyStoreError(
                f"array {self.name!r} is read-only", store=self._store.url, key=None
            )

    def _engine(self, indexer: Indexer) -> Engine:
        nbytes = math.prod(indexer.shape) * max(self.dtype.itemsize, 8)
        return choose_engine(indexer.nchunks_touched, nbytes)

    def _get(self, indexer: Indexer, out: Any = None) -> Any:
        """The selection's values: in ``out`` when given and it fits (a writable host
        array of the selection's shape and dtype), else in a new array."""
        handle, engine = self._handle, self._engine(indexer)
        fits = (
            isinstance(out, np.ndarray)
            and out.shape == tuple(indexer.shape)
            and out.dtype == self.dtype
            and out.flags.writeable
            and not handle.prototype.is_device
            and not indexer.is_scalar
        )
        into = out if fits else None
        if engine in ("inline", "pool"):
            result = read_selection(
                handle, indexer, self.order, parallel=engine == "pool", out=into
            )
        else:
            # The graph modules import dask: the direct path above never builds a
            # graph, so a small read or write in a fresh process does not load them.
            from zarrdist.graphs import read as graph_read

            result = graph_read.read(handle, indexer, self.order, out=into)
        return result[()] if indexer.is_scalar else result

    def _set(
        self, indexer: Indexer, value: Any, selection: Any = None, fields: Fields | None = None
    ) -> None:
        self._check_writable()
        if isinstance(value, Array):
            value = value.to_dask()
        if _is_dask(value) and (fields is not None or any(math.isnan(n) for n in value.shape)):
            # Unknown block sizes cannot be rechunked onto units; a write into some
            # fields goes through the read-modify-write path with NumPy values.
            value = value.compute()
        if _is_dask(value):
            value = broadcast_dask(value, indexer.shape)
            region = plain_region(indexer, selection)
            if region is not None:
                from zarrdist.graphs import write as graph_write

                graph_write.write_dask(self._handle, region, value)
                return
            value = value.compute()
        value = broadcast_value(self._coerce(value, fields), indexer.shape)
        handle, lock = self._handle, lock_factory(self._store)
        if self._engine(indexer) in ("inline", "pool"):
            write_selection(handle, indexer, value, lock=lock, fields=fields)
        else:
            from zarrdist.graphs import write as graph_write

            graph_write.write(handle, indexer, value, lock=lock, fields=fields)

    def _coerce(self, value: Any, fields: Fields | None = None) -> Any:
        if hasattr(value, "__cuda_array_interface__"):
            return value  # device arrays stay on the device
        if fields is None:
            return np.asarray(value, dtype=self.dtype)
        dtype = self.dtype[fields]
        # Several fields take a structured value field by field, in order, as NumPy does.
        return np.asarray(value, dtype=dtype if isinstance(fields, str) else repack_fields(dtype))

    @property
    def _io(self) -> tuple[int, ...]:
        # From the metadata alone: every selection asks, and a handle costs a config read.
        return io_chunk_shape(self._metadata)

    # -- whole-array operations ---------------------------------------------------------
    def to_numpy(self) -> np.ndarray[Any, Any]:
        """The whole array as a NumPy array."""
        return np.asarray(self[...])

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray[Any, Any]:
        data = self.to_numpy()
        return data if dtype is None else data.astype(dtype, copy=False)

    def __len__(self) -> int:
        if not self.shape:
            raise TypeError("len() of a 0-d array")
        return self.shape[0]

    def __iter__(self) -> Any:
        if not self.shape:
            raise TypeError("iteration over a 0-d array")
        # One read per row of chunks along axis 0, so each chunk is decoded once and
        # not once per row (zarr-python's issue 2529); memory: one row of chunks.
        step = self._io[0] or 1
        for start in range(0, self.shape[0], step):
            block = self[start : start + step]
            yield from block

    def to_dask(self, chunks: Any = None) -> da.Array:
        """A dask array over this array; blocks are whole chunks or shards by default."""
        from zarrdist.graphs import read as graph_read

        return graph_read.to_dask(self._handle, chunks)

    def resize(self, *shape: Any, new_shape: Any = None) -> None:
        """Change the shape; data outside a smaller shape is deleted, not kept.

        The shape may be one tuple (``z.resize((10, 20))``, or ``new_shape=`` as in
        zarr-python) or one integer per axis (``z.resize(10, 20)``, as in zarr-python 2).
        """
        self._check_writable()
        if new_shape is not None:
            if shape:
                raise TypeError("resize takes the shape positionally or as new_shape=, not both")
            shape = (new_shape,)
        if not shape:
            raise TypeError("resize needs the new shape")
        new = tuple(shape[0]) if len(shape) == 1 and not isinstance(shape[0], int) else shape
        new_shape = tuple(operator.index(s) for s in new)
        if len(new_shape) != self.ndim:
            raise SelectionError(
                f"resize of array {self.name!r} to {new_shape} changes the number of dimensions"
            )
        from zarrdist.graphs import resize as graph_resize

        with metadata_lock(self._store, self._path):
            # Resize what is stored, not this handle's view of it (docs/reliability.md).
            self._metadata = stored_metadata(self._store, self._path, self._metadata)
            self._metadata = graph_resize.resize(self._handle, new_shape)
        self._sync_consolidated()

    def append(self, data: Any, axis: int = 0) -> tuple[int, ...]:
        """Append ``data`` along ``axis``; returns the new shape."""
        from zarrdist.graphs import resize as graph_resize

        self._check_writable()
        if isinstance(data, Array):
            data = data.to_dask()
        if _is_dask(data) and any(math.isnan(n) for n in data.shape):
            data = data.compute()  # the new shape must be known before anything is written
        if not _is_dask(data):
            data = np.asarray(data, dtype=self.dtype)
        with metadata_lock(self._store, self._path):
            # Append after what is stored: two appenders each add their rows.
            self._metadata = stored_metadata(self._store, self._path, self._metadata)
            self._metadata = graph_resize.append(self._handle, data, axis)
        self._sync_consolidated()
        return self.shape

    def update_attributes(self, new_attributes: Mapping[str, Any]) -> Array:
        """Merge ``new_attributes`` into the attributes (one metadata write)."""
        self.attrs.update(new_attributes)
        return self

    @property
    def async_array(self) -> AsyncArray:
        """This array's awaitable face (zarr-python's ``Array.async_array``)."""
        import zarrdist  # the root's lazy names: zarrdist.api.aio imports this module

        face: AsyncArray = zarrdist.AsyncArray(self)
        return face

    #: zarr-python's name for the same face (code and tests reach for it).
    _async_array = async_array

    def with_config(self, config: Mapping[str, Any] | None = None, **kwargs: Any) -> Array:
        """A view of the same array with other runtime settings (order, write_empty_chunks)."""
        settings = {**vars(self._config), **dict(config or {}), **kwargs}
        return Array(
            self._store,
            self._path,
            self._metadata,
            config=ArrayConfig.resolve(settings),
            view=self._view,
        )

    @property
    def info(self) -> str:
        """A short description (no I/O)."""
        return info_text(self, complete=False)

    def info_complete(self) -> str:
        """A description including stored chunk counts and sizes (lists the store)."""
        return info_text(self, complete=True)

    def __repr__(self) -> str:
        # As zarr-python's: the store path (no "/" after the root), shape and dtype.
        where = f"{self._store.url}{'/' + self._path if self._path else ''}"
        return f"<Array {where} shape={self.shape} dtype={self.dtype}>"

    def _repr_html_(self) -> str:
        return html_repr(self)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Array):
            return NotImplemented
        return (self._store, self._path, self._metadata) == (
            other._store,
            other._path,
            other._metadata,
        )

    def __hash__(self) -> int:
        return hash((self._store, self._path))
