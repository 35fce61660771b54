"""The async API with groups: members, child arrays and groups, attributes."""

import asyncio

import numpy as np
import zarr.api.asynchronous as za


async def main() -> None:
    g = await za.open_group("agroup.zarr", mode="w", attributes={"title": "obs"})
    sub = await g.create_group("station")
    t = await sub.create_array("t", shape=(5,), chunks=(2,), dtype="f8", fill_value=0.0)
    await t.setitem(slice(None), np.linspace(0, 1, 5))
    print(type(g).__name__, type(sub).__name__, type(t).__name__)
    print(sorted([k async for k in g.keys()]))  # noqa: SIM118
    print(sorted([name async for name, _ in sub.members()]))
    x = await g.getitem("station/t")
    print((await x.getitem(slice(1, 4))).tolist())
    print(await g.contains("station"), await g.contains("nope"))
    again = await za.open_group("agroup.zarr", mode="r")
    print(again.attrs, again.read_only)


asyncio.run(main())
