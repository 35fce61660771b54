"""Arrays: create, write, read back with basic, orthogonal, coordinate and mask selections."""

import numpy as np
import zarr

z = zarr.create_array("arrays.zarr", shape=(20, 30), chunks=(7, 8), dtype="int32", fill_value=-1)
data = np.arange(600, dtype="int32").reshape(20, 30)
z[:15, :] = data[:15, :]
print(z.shape, z.chunks, z.dtype, z.fill_value, z.ndim, z.size, z.nbytes)
print(z[16, :4].tolist())
print(z[3:9:2, 5].tolist())
print(int(z[4, 7]), z[4, 7].dtype)
print(z.oindex[[1, 4], [2, 3, 29]].tolist())
print(z.vindex[[0, 5, 14], [1, 2, 3]].tolist())
print(z.get_coordinate_selection(([2, 3], [4, 5])).tolist())
mask = np.zeros((20, 30), dtype=bool)
mask[2, 3] = mask[10, 20] = True
print(z.vindex[mask].tolist())
print(z.blocks[1, 2].shape, int(z.blocks[0, 0].sum()))
z[:, 0] = 7
print(z[:, 0].tolist())
print(int(z[:].sum()), z.nchunks, z.cdata_shape)
z2 = zarr.open_array("arrays.zarr", mode="r")
print(z2.read_only, int(z2[:].sum()))
