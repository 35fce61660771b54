"""The async API: create, write, read, resize and append an array with coroutines."""

import asyncio

import numpy as np
import zarr.api.asynchronous as za


async def main() -> None:
    a = await za.create_array("async.zarr", shape=(6, 4), chunks=(2, 2), dtype="i4", fill_value=-1)
    print(type(a).__name__, a.shape, a.chunks)
    await a.setitem((slice(0, 3), slice(None)), np.arange(12).reshape(3, 4))
    print((await a.getitem(...)).tolist())
    print((await a.getitem((1, slice(1, 3)))).tolist())
    await a.resize((8, 4))
    print(a.shape, (await a.getitem(slice(5, None))).tolist())
    print(await a.append(np.zeros((2, 4), dtype="i4")))
    print(await a.nchunks_initialized())
    await a.update_attributes({"units": "K"})
    print(a.attrs)


asyncio.run(main())
