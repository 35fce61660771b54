"""An array and a group in a zip file."""

import numpy as np
import zarr
from zarr.storage import ZipStore

store = ZipStore("data.zip", mode="w")
g = zarr.open_group(store, mode="w")
a = g.create_array("a", shape=(4, 4), chunks=(2, 2), dtype="i2")
a[...] = np.arange(16).reshape(4, 4)
g.attrs["k"] = "v"
store.close()
ro = ZipStore("data.zip", mode="r")
g2 = zarr.open_group(ro, mode="r")
print(g2.attrs["k"], g2["a"][1:3, 1:3].tolist())
ro.close()
