"""datetime64 and timedelta64 arrays."""

import numpy as np
import zarr

d = zarr.create_array("dates.zarr", shape=(3,), chunks=(2,), dtype="datetime64[s]")
d[...] = np.array(["2020-01-01T00:00:00", "2021-06-15T12:30:00", "NaT"], dtype="datetime64[s]")
print(d.dtype, [str(v) for v in d[...]])
t = zarr.create_array("deltas.zarr", shape=(2,), dtype="timedelta64[ms]")
t[...] = np.array([1500, -20], dtype="timedelta64[ms]")
print(t.dtype, [str(v) for v in t[...]])
