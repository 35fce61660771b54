"""The memory store and dict stores."""

import numpy as np
import zarr
from zarr.storage import MemoryStore

store = MemoryStore()
z = zarr.create_array(store, shape=(5,), chunks=(2,), dtype="i4")
z[...] = np.arange(5)
again = zarr.open_array(store, mode="r")
print(again[...].tolist(), again.read_only)
d: dict = {}
zz = zarr.zeros((3,), store=d, chunks=(3,))
zz[...] = 1
print(sorted(d), zz[...].tolist())
