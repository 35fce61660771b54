"""Mask selection."""

import numpy as np
import zarr

data = np.arange(12, dtype="i8").reshape(3, 4)
z = zarr.create_array("mask.zarr", shape=(3, 4), chunks=(2, 2), dtype="i8")
z[...] = data
mask = data % 3 == 0
print(z.get_mask_selection(mask).tolist())
print(z.vindex[mask].tolist())
z.set_mask_selection(mask, -5)
print(z[...].tolist())
z.vindex[data > 9] = 0
print(z[...].tolist())
