"""The zarr-python module paths zarrdist provides, in one place (checked by test_zarr_paths.py).

``import zarrdist as zarr`` runs code that imports these paths (``from zarr.core.group
import GroupMetadata``...). Each is a thin module that re-exports zarrdist's own objects
under zarr-python's names and defines nothing. They were chosen by measurement: the
``zarr.*`` imports of zarr-python 3.1.5's test suite and of xarray's, dask's and
icechunk's zarr code (``tests/compat/zarr_suite/``). Paths that were already zarrdist
modules (``zarrdist.storage``, ``zarrdist.codecs``, ``zarrdist.errors``, ...) are listed
too; ``ZARR_PYTHON_PATHS[zarr_path]`` is the zarrdist module that answers it.
"""

from __future__ import annotations

__all__ = ["ZARR_PYTHON_PATHS"]

ZARR_PYTHON_PATHS: dict[str, str] = {
    "zarr": "zarrdist",
    "zarr.abc": "zarrdist.abc",
    "zarr.abc.codec": "zarrdist.abc.codec",
    "zarr.abc.store": "zarrdist.abc.store",
    "zarr.api": "zarrdist.api",
    "zarr.api.asynchronous": "zarrdist.api.asynchronous",
    "zarr.api.synchronous": "zarrdist.api.synchronous",
    "zarr.buffer": "zarrdist.buffer",
    "zarr.codecs": "zarrdist.codecs",
    "zarr.core": "zarrdist.core",
    "zarr.core._info": "zarrdist.core._info",
    "zarr.core.array": "zarrdist.core.array",
    "zarr.core.attributes": "zarrdist.core.attributes",
    "zarr.core.buffer": "zarrdist.core.buffer",
    "zarr.core.chunk_grids": "zarrdist.core.chunk_grids",
    "zarr.core.chunk_key_encodings": "zarrdist.core.chunk_key_encodings",
    "zarr.core.common": "zarrdist.core.common",
    "zarr.core.config": "zarrdist.core.config",
    "zarr.core.dtype": "zarrdist.core.dtype",
    "zarr.core.dtype.common": "zarrdist.core.dtype.common",
    "zarr.core.dtype.wrapper": "zarrdist.core.dtype.wrapper",
    "zarr.core.dtype.npy": "zarrdist.core.dtype.npy",
    "zarr.core.dtype.npy.bool": "zarrdist.core.dtype.npy.bool",
    "zarr.core.dtype.npy.bytes": "zarrdist.core.dtype.npy.bytes",
    "zarr.core.dtype.npy.common": "zarrdist.core.dtype.npy.common",
    "zarr.core.dtype.npy.complex": "zarrdist.core.dtype.npy.complex",
    "zarr.core.dtype.npy.float": "zarrdist.core.dtype.npy.float",
    "zarr.core.dtype.npy.int": "zarrdist.core.dtype.npy.int",
    "zarr.core.dtype.npy.string": "zarrdist.core.dtype.npy.string",
    "zarr.core.dtype.npy.structured": "zarrdist.core.dtype.npy.structured",
    "zarr.core.dtype.npy.time": "zarrdist.core.dtype.npy.time",
    "zarr.core.group": "zarrdist.core.group",
    "zarr.core.indexing": "zarrdist.core.indexing",
    "zarr.core.metadata": "zarrdist.core.metadata",
    "zarr.core.metadata.v2": "zarrdist.core.metadata.v2",
    "zarr.core.metadata.v3": "zarrdist.core.metadata.v3",
    "zarr.core.sync": "zarrdist.core.sync",
    "zarr.core.sync_group": "zarrdist.core.sync_group",
    "zarr.dtype": "zarrdist.dtype",
    "zarr.errors": "zarrdist.errors",
    "zarr.experimental": "zarrdist.experimental",
    "zarr.experimental.cache_store": "zarrdist.experimental.cache_store",
    "zarr.registry": "zarrdist.registry",
    "zarr.storage": "zarrdist.storage",
    "zarr.storage._common": "zarrdist.storage._common",
    "zarr.storage._utils": "zarrdist.storage._utils",
}
