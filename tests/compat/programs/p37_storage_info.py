"""Chunk counts and stored sizes."""

import numpy as np
import zarr

z = zarr.create_array("info.zarr", shape=(10, 10), chunks=(5, 5), dtype="i4", compressors=None)
print(z.nchunks, z.nchunks_initialized, z.nbytes)
z[:5, :5] = 1
print(z.nchunks_initialized)
z[...] = np.arange(100).reshape(10, 10)
print(z.nchunks_initialized, z.size, z.ndim, z.cdata_shape)
