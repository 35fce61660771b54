"""Integer, float, complex and boolean arrays round trip."""

import numpy as np
import zarr

for dtype in ["i1", "u2", "i8", "f2", "f4", "c16", "bool", "<f8"]:
    data = (np.arange(6) % 4).astype(dtype)
    z = zarr.create_array(
        f"num_{dtype.replace('>', 'be').replace('<', 'le')}.zarr",
        shape=(6,),
        chunks=(4,),
        dtype=dtype,
    )
    z[...] = data
    out = z[...]
    print(dtype, str(z.dtype), out.tolist(), bool((out == data).all()))
