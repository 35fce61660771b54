"""Writing xarray datasets with zarrdist: xarray's encoding, zarrdist's graphs.

:func:`to_zarr` is :meth:`xarray.Dataset.to_zarr` with the store a
:class:`~zarrdist.xarray.ZarrdistStore`: xarray's own ``dump_to_store`` encodes the
dataset (CF conventions, coordinates, fill values, dimension names) and creates the
arrays, so the metadata is what xarray writes with zarr-python. The data of dask
variables is written by zarrdist's write graphs instead of ``dask.array.store``: each
block is rechunked onto the arrays' storage units (shards, else chunks) first, so
dask chunks that cut across shards lose nothing and need no ``safe_chunks`` check.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any

from dask.delayed import Delayed
from xarray.backends.common import ArrayWriter
from xarray.backends.writers import (
    _validate_dataset_names,
    delayed_close_after_writes,
    dump_to_store,
)
from xarray.backends.zarr import _choose_default_mode
from xarray.core.dataset import Dataset
from xarray.namedarray.pycompat import is_chunked_array

from zarrdist.dask import store as store_graph
from zarrdist.xarray._store import ZarrdistStore

__all__ = ["GraphArrayWriter", "ZarrdistAccessor", "to_zarr"]


class GraphArrayWriter(ArrayWriter):
    """xarray's ArrayWriter, with dask variables written by zarrdist's write graphs.

    NumPy variables are written as xarray writes them (``target[region] = value``,
    which zarrdist runs as a graph when large); dask variables are collected and
    written together by :meth:`sync` as one graph.
    """

    __slots__ = ()

    def add(self, source: Any, target: Any, region: Any = None) -> None:
        """Write ``source`` now, or keep it for :meth:`sync` when it is a dask array."""
        if is_chunked_array(source):
            self.sources.append(source)
            self.targets.append(target)
            self.regions.append(region)
        else:
            target[region or ...] = source

    def sync(
        self, compute: bool = True, chunkmanager_store_kwargs: Mapping[str, Any] | None = None
    ) -> Delayed | None:
        """Write the collected dask variables (``compute=False``: return a Delayed)."""
        if not self.sources:
            return None
        sources, targets, regions = self.sources, self.targets, self.regions
        self.sources, self.targets, self.regions = [], [], []
        result: Delayed | None = store_graph(
            sources,
            targets,
            regions=regions,
            compute=compute,
            **dict(chunkmanager_store_kwargs or {}),
        )
        return result


def to_zarr(
    dataset: Dataset,
    store: Any = None,
    mode: str | None = None,
    group: str | None = None,
    encoding: Mapping[Hashable, Mapping[str, Any]] | None = None,
    *,
    compute: bool = True,
    consolidated: bool | None = None,
    append_dim: Hashable | None = None,
    region: Mapping[str, slice | str] | str | None = None,
    safe_chunks: bool = True,
    align_chunks: bool = False,
    storage_options: Mapping[str, Any] | None = None,
    zarr_format: int | None = None,
    write_empty_chunks: bool | None = None,
    chunkmanager_store_kwargs: Mapping[str, Any] | None = None,
) -> ZarrdistStore | Delayed:
    """Write ``dataset`` to a Zarr store with zarrdist; see :meth:`xarray.Dataset.to_zarr`.

    The arguments mean what they mean there. ``store`` may also be a zarrdist
    :class:`~zarrdist.Group`. Dask chunks need not line up with chunks or shards:
    the writes are rechunked onto storage units, so ``safe_chunks`` and
    ``align_chunks`` change nothing and are accepted for compatibility.

    Returns
    -------
    ZarrdistStore, or a dask Delayed (``compute=False``) that writes the data of the
    dask variables when computed (metadata and NumPy variables are written at once).
    """
    del safe_chunks, align_chunks  # every write is safe: see the docstring
    _validate_dataset_names(dataset)
    for variable in dataset.variables.values():
        if variable.size == 0:
            variable.load()  # as xarray: zero-length dask arrays are written eagerly
    mode = _choose_default_mode(mode=mode, append_dim=append_dim, region=region)  # type: ignore[arg-type]
    if mode == "r+":
        already_consolidated, consolidate_on_close = consolidated, False
    else:
        already_consolidated, consolidate_on_close = False, consolidated or consolidated is None
    zstore = ZarrdistStore.open_group(
        store,
        mode=mode,
        group=group,
        consolidated=already_consolidated,
        consolidate_on_close=consolidate_on_close,
        storage_options=storage_options,
        append_dim=append_dim,
        write_region=region,
        safe_chunks=False,
        zarr_format=zarr_format,
        write_empty=write_empty_chunks,
    )
    dataset = zstore._validate_and_autodetect_region(dataset)
    zstore._validate_encoding(encoding or {})
    writer = GraphArrayWriter()
    try:
        dump_to_store(dataset, zstore, writer, encoding=dict(encoding or {}))
        writes = writer.sync(compute=compute, chunkmanager_store_kwargs=chunkmanager_store_kwargs)
    finally:
        if compute:
            zstore.close()
    if not compute:
        result: Delayed = delayed_close_after_writes(writes, zstore)
        return result
    return zstore


class ZarrdistAccessor:
    """``ds.zarrdist``: zarrdist's methods on an xarray Dataset."""

    def __init__(self, dataset: Dataset) -> None:
        self._dataset = dataset

    def to_zarr(self, store: Any = None, *args: Any, **kwargs: Any) -> ZarrdistStore | Delayed:
        """:func:`zarrdist.xarray.to_zarr` of this dataset (as ``Dataset.to_zarr``)."""
        return to_zarr(self._dataset, store, *args, **kwargs)


def _register() -> None:
    import warnings

    import xarray as xr

    with warnings.catch_warnings():
        # Re-importing after a reload re-registers the same accessor: not an error.
        warnings.simplefilter("ignore", xr.core.extensions.AccessorRegistrationWarning)
        xr.register_dataset_accessor("zarrdist")(ZarrdistAccessor)


_register()
