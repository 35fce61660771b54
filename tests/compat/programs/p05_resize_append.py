"""Resize and append."""

import numpy as np
import zarr

z = zarr.create_array("grow.zarr", shape=(4, 3), chunks=(2, 2), dtype="int32")
z[:] = np.arange(12).reshape(4, 3)
z.resize((6, 5))
print(z.shape, z[:].tolist())
z.resize((5, 2))
print(z[:].tolist())
print(z.append(np.ones((2, 2), dtype="int32")), z[-2:].tolist())
print(z.append(np.full((7, 1), 9, dtype="int32"), axis=1))
print(zarr.open_array("grow.zarr", mode="r")[:].tolist())
v2 = zarr.create_array("grow2.zarr", shape=(3,), chunks=(2,), dtype="f8", zarr_format=2)
v2[:] = [1, 2, 3]
v2.append([4.0, 5.0])
print(v2[:].tolist(), v2.shape)
