"""Fill values of several data types, read where nothing was written."""

import zarr

for dtype, fill in [
    ("i4", 7),
    ("f8", 1.5),
    ("f4", float("nan")),
    ("bool", True),
    ("u1", 255),
    ("c8", 1 + 2j),
    ("i8", None),
]:
    z = zarr.create_array(
        f"fill_{dtype}.zarr", shape=(3,), chunks=(2,), dtype=dtype, fill_value=fill
    )
    print(dtype, repr(z.fill_value), [str(v) for v in z[...].tolist()])
v2 = zarr.create_array("fill_v2.zarr", shape=(2,), dtype="f8", zarr_format=2, fill_value=None)
print(v2.fill_value)
