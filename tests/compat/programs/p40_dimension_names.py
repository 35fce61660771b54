"""Dimension names and custom chunk key encodings."""

import numpy as np
import zarr

z = zarr.create_array(
    "dims.zarr",
    shape=(2, 3),
    dtype="f4",
    dimension_names=["y", "x"],
    chunk_key_encoding={"name": "default", "separator": "."},
)
z[...] = np.ones((2, 3))
print(z.metadata.dimension_names, zarr.open_array("dims.zarr").metadata.dimension_names)
v2 = zarr.create_array(
    "dims2.zarr",
    shape=(4, 4),
    chunks=(2, 2),
    dtype="i1",
    zarr_format=2,
    chunk_key_encoding={"name": "v2", "separator": "/"},
)
v2[...] = 1
print(v2.metadata.dimension_separator, int(v2[...].sum()))
