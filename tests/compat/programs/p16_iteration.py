"""Iterating arrays row by row, as NumPy users do.

deliberate: iterating a 1-D array yields NumPy scalars in zarrdist (as NumPy does),
zarr-python 3.1.5 yields 0-d arrays; and len() of an array is its first dimension in
zarrdist (as NumPy's), where zarr-python 3.1.5 has no len(). Those lines are marked
"deliberate:" and checked against NumPy."""

import numpy as np
import zarr

data = np.arange(20, dtype="i4").reshape(5, 4)
z = zarr.create_array("rows.zarr", shape=data.shape, chunks=(2, 3), dtype="i4")
z[...] = data
print([row.tolist() for row in z])
print(sum(int(row.sum()) for row in z))
try:
    same_len = len(z) == len(data)
except TypeError:
    same_len = False
print("deliberate: matches_numpy=" + str(same_len))
one = zarr.create_array("one.zarr", shape=(4,), chunks=(3,), dtype="f8")
one[...] = [0.5, 1.5, 2.5, 3.5]
print([float(v) for v in one])
items = list(one)
expected = list(np.asarray(one[...]))
print(
    "deliberate:", "matches_numpy=" + str([type(v) for v in items] == [type(v) for v in expected])
)
