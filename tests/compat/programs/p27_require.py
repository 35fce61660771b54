"""require_group, require_array and their checks."""

import zarr

root = zarr.open_group("require.zarr", mode="w")
g1 = root.require_group("g")
g2 = root.require_group("g")
print(g1.path, g2.path, g1 == g2)
x = root.require_array("x", shape=(4,), dtype="i4")
x[...] = 3
again = root.require_array("x", shape=(4,), dtype="i4")
print(again[...].tolist())
try:
    root.require_array("x", shape=(5,), dtype="i4")
except TypeError:
    print("TypeError")
print(sorted(root.require_groups("p", "q")[i].name for i in range(2)))
