"""zeros_like, ones_like, full_like, empty_like."""

import numpy as np
import zarr

base = zarr.create_array("base.zarr", shape=(4, 3), chunks=(2, 3), dtype="i2", fill_value=5)
z = zarr.zeros_like(base, store="zl.zarr")
o = zarr.ones_like(base, store="ol.zarr")
f = zarr.full_like(base, store="fl.zarr", fill_value=9)
print(z.shape, z.chunks, z.dtype, z[0].tolist(), o[1].tolist(), f[2].tolist())
e = zarr.empty_like(np.zeros((2, 2), dtype="f4"), store="el.zarr")
print(e.shape, e.dtype)
