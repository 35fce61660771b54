"""File modes on existing and missing arrays and groups."""

import numpy as np
import zarr

z = zarr.create_array("modes.zarr", shape=(4,), dtype="int16")
z[:] = [1, 2, 3, 4]
for mode in ["r", "r+", "a"]:
    a = zarr.open_array("modes.zarr", mode=mode)
    print(mode, a[:].tolist(), a.read_only)
for mode in ["r", "r+"]:
    try:
        zarr.open_array("missing.zarr", mode=mode)
    except Exception as e:  # noqa: BLE001 - a user printing what went wrong
        print(mode, "missing:", isinstance(e, FileNotFoundError))
new = zarr.open_array("created.zarr", mode="a", shape=(3,), dtype="float64")
print(new[:].tolist())
try:
    zarr.create_array("modes.zarr", shape=(2,), dtype="int8")
except Exception as e:  # noqa: BLE001 - a user printing what went wrong
    print("create over existing:", type(e).__name__)
print(zarr.open_array("modes.zarr")[:].tolist())
w = zarr.create_array("modes.zarr", shape=(2,), dtype="int8", overwrite=True)
print(w[:].tolist(), zarr.open_array("modes.zarr").dtype)
g = zarr.open_group("grp.zarr", mode="a")
g.create_group("x")
for mode in ["r", "r+", "a"]:
    print(mode, sorted(zarr.open_group("grp.zarr", mode=mode)))
g2 = zarr.open_group("grp.zarr", mode="w")
print(sorted(g2))
node = zarr.open("modes.zarr")
print(type(node).__name__)
print(type(zarr.open("grp.zarr")).__name__)
zarr.save_array("saved.zarr", np.arange(5))
print(zarr.load("saved.zarr").tolist())
