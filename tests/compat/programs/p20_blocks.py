"""Block selection: chunks addressed by their grid index."""

import numpy as np
import zarr

z = zarr.create_array("blocks.zarr", shape=(7, 6), chunks=(3, 4), dtype="u1")
z[...] = np.arange(42).reshape(7, 6)
print(z.blocks[0, 0].tolist())
print(z.blocks[2, 1].tolist())
print(z.get_block_selection((1, slice(None))).tolist())
z.blocks[1, 0] = 0
print(z[3:6, :4].tolist())
print(z.cdata_shape, z.nchunks)
