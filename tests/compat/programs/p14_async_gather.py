"""Many concurrent awaitable reads and writes with asyncio.gather.

deliberate: concurrent writes to rows that share a chunk all land in zarrdist (each
chunk update holds the chunk's lock), as writing the same rows into a NumPy array
does; zarr-python 3.1.5 loses some of them (its read-modify-write races)."""

import asyncio

import numpy as np
import zarr
import zarr.api.asynchronous as za


async def main() -> None:
    a = await za.zeros(store="gather.zarr", shape=(16, 8), chunks=(4, 4), dtype="i8")
    await asyncio.gather(*(a.setitem(i, np.full(8, i)) for i in range(16)))
    expected = np.repeat(np.arange(16), 8).reshape(16, 8)
    whole = await a.getitem(...)
    print("deliberate: matches_numpy=" + str(bool((whole == expected).all())))
    # One writer per chunk row: no two coroutines touch the same chunk.
    b = await za.zeros(store="gather2.zarr", shape=(16, 8), chunks=(4, 8), dtype="i8")
    await asyncio.gather(*(b.setitem(slice(i, i + 4), i) for i in range(0, 16, 4)))
    rows = await asyncio.gather(*(b.getitem(i) for i in range(0, 16, 5)))
    print([r.tolist() for r in rows])
    print((await b.oindex.getitem(([1, 5], [0, 7]))).tolist())
    print((await b.vindex.getitem(([1, 5, 9], [0, 7, 2]))).tolist())
    print(await b.nchunks_initialized(), b.nchunks)


asyncio.run(main())
# gather.zarr is not read back here: what survives of its racing writes differs from
# run to run under zarr-python 3.1.5.
print(zarr.open_array("gather2.zarr", mode="r")[15, :3].tolist())
