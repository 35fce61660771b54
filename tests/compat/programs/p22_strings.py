"""Variable-length strings and bytes."""

import numpy as np
import zarr

s = zarr.create_array("strings.zarr", shape=(4,), chunks=(3,), dtype=str)
s[...] = np.array(["alpha", "", "γάμμα", "delta"])
print(s.dtype, s[...].tolist())
s[1] = "beta"
print(s[:2].tolist())
v2 = zarr.create_array("strings_v2.zarr", shape=(3,), chunks=(2,), dtype=str, zarr_format=2)
v2[...] = ["x", "yy", "zzz"]
print(v2[...].tolist())
print(zarr.open_array("strings.zarr", mode="r")[...].tolist())
