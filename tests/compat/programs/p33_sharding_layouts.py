"""Sharding: partial shards, index at the start, reads across shards."""

import numpy as np
import zarr

data = np.arange(90, dtype="u2").reshape(9, 10)
z = zarr.create_array("sh.zarr", shape=data.shape, chunks=(2, 5), shards=(4, 10), dtype="u2")
z[...] = data
print(z.chunks, z.shards, z[3:7, 4:6].tolist())
z[8, :] = 0
print(z[7:, ::3].tolist())
print(z.nchunks_initialized)
s = zarr.open_array("sh.zarr", mode="r")
print(s.shards, int(s[...].sum()))
