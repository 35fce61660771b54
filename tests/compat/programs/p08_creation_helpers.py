"""zeros, ones, full, empty, the *_like functions, array and from_array."""

import numpy as np
import zarr

print(zarr.zeros((2, 3), store="zeros.zarr", dtype="i4")[:].tolist())
print(zarr.ones((3,), store="ones.zarr")[:].tolist())
print(zarr.full((2,), 5, store="full.zarr", dtype="u1")[:].tolist())
e = zarr.empty((4,), store="empty.zarr", chunks=(2,), dtype="f4")
print(e.shape, e.chunks, e.dtype)
a = zarr.array(np.arange(10, dtype="int16"), store="array.zarr", chunks=(5,))
print(a[:].tolist(), a.chunks)
src = np.arange(12, dtype="float32").reshape(3, 4)
for name, fn in [("zeros_like", zarr.zeros_like), ("ones_like", zarr.ones_like)]:
    z = fn(src, store=f"{name}.zarr")
    print(name, z.shape, z.dtype, z[:].tolist())
f = zarr.full_like(src, fill_value=2.5, store="full_like.zarr")
print(f[:].tolist())
print(zarr.empty_like(src, store="empty_like.zarr").shape)
copy = zarr.from_array("from_numpy.zarr", data=src, chunks=(2, 2))
print(copy.chunks, copy[:].tolist())
c = zarr.create(shape=(6,), chunks=(3,), dtype="int8", store="create.zarr", fill_value=3)
print(c[:].tolist())
