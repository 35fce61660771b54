"""save, save_group, save_array, load."""

import numpy as np
import zarr

zarr.save("one.zarr", np.arange(6).reshape(2, 3))
print(zarr.load("one.zarr").tolist())
zarr.save_group("many.zarr", np.arange(3), np.ones(2), named=np.array([1.5]))
g = zarr.open_group("many.zarr", mode="r")
print(sorted(g), g["arr_0"][:].tolist(), g["named"][:].tolist())
zarr.save("two.zarr", np.zeros(2), b=np.arange(2))
print(sorted(zarr.open_group("two.zarr", mode="r")))
zarr.save_array("fmt2.zarr", np.arange(4, dtype="i2"), zarr_format=2)
print(zarr.open_array("fmt2.zarr").metadata.zarr_format, zarr.load("fmt2.zarr").tolist())
