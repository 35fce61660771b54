"""Data types and fill values in both formats."""

import numpy as np
import zarr

cases = [
    ("int8", -3),
    ("uint16", 7),
    ("int64", 2**40),
    ("float32", float("nan")),
    ("float64", float("-inf")),
    ("complex128", 1 + 2j),
    ("bool", True),
    ("<U4", "ab"),
    ("datetime64[s]", np.datetime64("2020-01-01T00:00:00", "s")),
]
for fmt in (2, 3):
    for i, (dtype, fill) in enumerate(cases):
        z = zarr.create_array(
            f"v{fmt}_{i}.zarr",
            shape=(5,),
            chunks=(2,),
            dtype=dtype,
            fill_value=fill,
            zarr_format=fmt,
        )
        z[1:3] = z[0]
        out = z[:]
        print(fmt, dtype, out.dtype, repr(out.tolist()), repr(z.fill_value))
strings = zarr.create_array("strings.zarr", shape=(3,), dtype=str)
strings[:] = ["a", "bb", "ccc"]
print(strings[:].tolist(), strings.dtype.kind)
be = zarr.create_array("be.zarr", shape=(3,), dtype=">i4", zarr_format=2)
be[:] = [1, 256, 65536]
print(be[:].tolist(), be.dtype.str)
