"""Coordinate (vectorised) selection: get and set."""

import numpy as np
import zarr

z = zarr.create_array("coords.zarr", shape=(5, 5), chunks=(2, 2), dtype="f4", fill_value=0)
z[...] = np.arange(25, dtype="f4").reshape(5, 5)
print(z.vindex[[0, 1, 4], [4, 1, 0]].tolist())
print(z.get_coordinate_selection(([2, 3], [2, 3])).tolist())
z.vindex[[0, 4], [0, 4]] = [100, 200]
print(z[0, 0], z[4, 4])
z.set_coordinate_selection(([1, 2, 3], [3, 2, 1]), 9)
print(z[...].tolist())
