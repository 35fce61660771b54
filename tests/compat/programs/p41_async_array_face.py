"""Array.async_array: batching reads of a synchronous array through its async face."""

import asyncio

import numpy as np
import zarr

z = zarr.create_array("face.zarr", shape=(12,), chunks=(4,), dtype="i4")
z[...] = np.arange(12)


async def batch() -> list:
    face = z.async_array
    parts = await asyncio.gather(*(face.getitem(slice(i, i + 3)) for i in range(0, 12, 3)))
    return [p.tolist() for p in parts]


print(type(z.async_array).__name__, asyncio.run(batch()))
print(zarr.Array(z.async_array)[2:5].tolist())
