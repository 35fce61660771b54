"""Orthogonal selection with integer lists, slices and booleans."""

import numpy as np
import zarr

z = zarr.create_array("ortho.zarr", shape=(6, 5), chunks=(4, 2), dtype="i2")
z[...] = np.arange(30).reshape(6, 5)
print(z.oindex[[0, 2, 5], [1, 3]].tolist())
print(z.get_orthogonal_selection(([True, False, True, False, False, True], slice(1, 4))).tolist())
z.oindex[[1, 4], [0, 4]] = -1
print(z[...].tolist())
z.set_orthogonal_selection((slice(None), [2]), np.full((6, 1), 7))
print(z[:, 2].tolist())
