"""zarrdist for xarray: the ``zarrdist`` engine, and writing datasets as dask graphs.

Reading: ``xr.open_dataset(store, engine="zarrdist", chunks={})`` (registered under
the ``xarray.backends`` entry point). Writing: :func:`to_zarr` or the ``ds.zarrdist``
accessor (``ds.zarrdist.to_zarr(store, ...)``), with the arguments and meaning of
:meth:`xarray.Dataset.to_zarr`; importing this package registers the accessor.
"""

from __future__ import annotations

from zarrdist.xarray._array import ZarrdistBackendArray
from zarrdist.xarray._backend import ZarrdistBackendEntrypoint
from zarrdist.xarray._store import ZarrdistStore
from zarrdist.xarray._writer import ZarrdistAccessor, to_zarr

__all__ = [
    "ZarrdistAccessor",
    "ZarrdistBackendArray",
    "ZarrdistBackendEntrypoint",
    "ZarrdistStore",
    "to_zarr",
]
