"""Async open, save and load of arrays and groups."""

import asyncio

import numpy as np
import zarr.api.asynchronous as za


async def main() -> None:
    await za.save_array("saved.zarr", np.arange(10, dtype="u2"))
    a = await za.open_array(store="saved.zarr", mode="r")
    print(type(a).__name__, a.read_only, (await a.getitem(slice(2, 5))).tolist())
    await za.save_group("sg.zarr", x=np.ones(3), y=np.arange(4))
    loaded = await za.load(store="saved.zarr")
    print(loaded.tolist())
    node = await za.open(store="sg.zarr", mode="r")
    print(type(node).__name__)
    arr = await za.array(np.eye(3), store="eye.zarr", chunks=(2, 2))
    print((await arr.getitem(...)).tolist())


asyncio.run(main())
