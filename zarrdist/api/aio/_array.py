"""``AsyncArray``: zarr-python's awaitable array, a face over :class:`zarrdist.Array`."""

from __future__ import annotations

from typing import Any

from zarrdist.api.aio._face import awaitable, awaitable_value, passthrough, run
from zarrdist.api.arrays.array import Array, ArrayConfig
from zarrdist.stores._path import from_zarr_store_path

__all__ = ["AsyncArray", "AsyncOIndex", "AsyncVIndex"]

_PROPERTIES = (
    "store", "store_path", "path", "name", "basename", "metadata", "shape", "chunks",
    "shards", "dtype", "fill_value", "ndim", "size", "nbytes", "nchunks", "cdata_shape",
    "order", "zarr_format", "read_only", "compressors", "compressor", "filters",
    "serializer", "info",
    # zarr-python's private members, which its tests (and some libraries) use:
    "_config", "_chunk_grid_shape", "_shard_grid_shape", "_nshards", "_iter_chunk_coords",
    "_iter_shard_coords", "_iter_shard_keys", "_iter_chunk_regions", "_iter_shard_regions",
)  # fmt: skip

_AWAITABLE = {
    "getitem": "__getitem__",
    "setitem": "__setitem__",
    "get_basic_selection": "get_basic_selection",
    "set_basic_selection": "set_basic_selection",
    "get_orthogonal_selection": "get_orthogonal_selection",
    "set_orthogonal_selection": "set_orthogonal_selection",
    "get_mask_selection": "get_mask_selection",
    "set_mask_selection": "set_mask_selection",
    "get_coordinate_selection": "get_coordinate_selection",
    "set_coordinate_selection": "set_coordinate_selection",
    "get_block_selection": "get_block_selection",
    "set_block_selection": "set_block_selection",
    "append": "append",
    "info_complete": "info_complete",
    "to_numpy": "to_numpy",
}


class _AsyncIndexing:
    """``a.oindex`` / ``a.vindex`` of an AsyncArray: awaitable ``getitem``/``setitem``."""

    def __init__(self, indexing: Any) -> None:
        self._indexing = indexing

    async def getitem(self, selection: Any) -> Any:
        """Read ``selection`` off the event loop."""
        return await run(self._indexing.__getitem__, selection)

    async def setitem(self, selection: Any, value: Any) -> None:
        """Write ``value`` at ``selection`` off the event loop."""
        await run(self._indexing.__setitem__, selection, value)


class AsyncOIndex(_AsyncIndexing):
    """Orthogonal selection of an :class:`AsyncArray` (``await a.oindex.getitem(sel)``)."""


class AsyncVIndex(_AsyncIndexing):
    """Vectorised selection of an :class:`AsyncArray` (``await a.vindex.getitem(sel)``)."""


class AsyncArray:
    """An array whose I/O methods are coroutines, as zarr-python's ``AsyncArray``.

    It faces a synchronous :class:`zarrdist.Array`: every awaitable call runs the same
    planning and chunk units in a worker thread (large selections still run as a graph,
    on the active dask client if there is one). ``Array.async_array`` gives the face of
    an array, ``AsyncArray(metadata, store_path)`` builds one as zarr-python does.
    """

    _face_of = Array

    def __init__(self, metadata: Any, store_path: Any = None, config: Any = None) -> None:
        if isinstance(metadata, Array):
            self._sync = metadata
            return
        if store_path is None:
            raise TypeError("AsyncArray needs an Array, or metadata and a store_path")
        array_config = ArrayConfig.resolve(dict(config or {}))
        located = from_zarr_store_path(store_path)  # the async face's: its sync form
        self._sync = Array(located.store, located.path, metadata, config=array_config)

    @classmethod
    async def open(cls, store: Any, zarr_format: int | None = None, **kwargs: Any) -> AsyncArray:
        """Open the array at ``store`` (reads its metadata document only)."""
        from zarrdist.api import open_array

        result: AsyncArray = await run(open_array, store, zarr_format=zarr_format, **kwargs)
        return result

    @classmethod
    async def create(cls, store: Any, **kwargs: Any) -> AsyncArray:
        """Create an array at ``store`` (zarr-python's deprecated spelling of
        ``create_array``; takes the arguments of :func:`zarrdist.create`)."""
        from zarrdist.api import create

        result: AsyncArray = await run(create, store=store, **kwargs)
        return result

    @property
    def attrs(self) -> dict[str, Any]:
        """The attributes as a plain dict (zarr-python's AsyncArray gives a dict)."""
        return dict(self._sync.attrs)

    @property
    def _zdtype(self) -> Any:
        # zarr-python's private name for the array's data type object, which its own
        # tests read; here zarrdist's DataType from the metadata.
        return self._sync.metadata.data_type

    @property
    def oindex(self) -> AsyncOIndex:
        """Orthogonal selection with awaitable ``getitem``/``setitem``."""
        return AsyncOIndex(self._sync.oindex)

    @property
    def vindex(self) -> AsyncVIndex:
        """Vectorised (coordinate or mask) selection with awaitable ``getitem``/``setitem``."""
        return AsyncVIndex(self._sync.vindex)

    async def resize(self, new_shape: Any, delete_outside_chunks: bool = True) -> None:
        """Change the shape; chunks outside a smaller shape are deleted (zarrdist always
        deletes them, so a later grow shows the fill value there, as NumPy would)."""
        await run(self._sync.resize, new_shape)

    async def update_attributes(self, new_attributes: dict[str, Any]) -> AsyncArray:
        """Merge ``new_attributes`` into the attributes (one metadata write)."""
        await run(self._sync.update_attributes, new_attributes)
        return self

    nchunks_initialized = awaitable_value("nchunks_initialized")
    _nshards_initialized = awaitable_value("_nshards_initialized")
    nbytes_stored = awaitable_value("nbytes_stored")

    def __repr__(self) -> str:
        return "<Async" + repr(self._sync)[1:]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, AsyncArray):
            return NotImplemented
        return self._sync == other._sync

    def __hash__(self) -> int:
        return hash(self._sync)


for _name in _PROPERTIES:
    setattr(AsyncArray, _name, passthrough(_name))
for _name, _sync_name in _AWAITABLE.items():
    setattr(AsyncArray, _name, awaitable(_sync_name))
