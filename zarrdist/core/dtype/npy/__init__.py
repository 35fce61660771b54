"""zarr-python's ``zarr.core.dtype.npy`` package (its modules re-export only).

See :mod:`zarrdist.zarr_paths`.
"""

__all__ = []
