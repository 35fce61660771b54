"""write_empty_chunks through the config: all-fill chunks stored or not."""

import numpy as np
import zarr

skip = zarr.create_array("skip.zarr", shape=(8,), chunks=(2,), dtype="i4", fill_value=0)
skip[...] = np.array([0, 0, 1, 0, 0, 0, 2, 0])
print(skip.nchunks_initialized)
keep = zarr.create_array(
    "keep.zarr",
    shape=(8,),
    chunks=(2,),
    dtype="i4",
    fill_value=0,
    config={"write_empty_chunks": True},
)
keep[...] = 0
print(keep.nchunks_initialized)
with zarr.config.set({"array.write_empty_chunks": True}):
    g = zarr.create_array("global.zarr", shape=(4,), chunks=(2,), dtype="i4", fill_value=0)
    g[...] = 0
print(g.nchunks_initialized)
