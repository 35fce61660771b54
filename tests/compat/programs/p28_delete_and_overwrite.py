"""Deleting members and overwriting arrays."""

import numpy as np
import zarr

root = zarr.open_group("del.zarr", mode="w")
root.create_array("a", shape=(2,), dtype="i1")
root.create_array("b", shape=(2,), dtype="i1")
del root["a"]
print(sorted(root.keys()))
b = root.create_array("b", shape=(3,), dtype="f8", overwrite=True, fill_value=2.0)
print(b.shape, b[...].tolist())
root["c"] = np.arange(3)
print(sorted(root.keys()), root["c"][...].tolist())
