"""from_array: copy an array (NumPy or Zarr) into a new store.

deliberate: zarrdist copies the source's attributes when ``attributes`` is not given,
as zarr-python 3.1.5 documents ("defaults to the attributes of the data array");
zarr-python 3.1.5 itself writes none."""

import numpy as np
import zarr

src = zarr.create_array("src.zarr", shape=(6, 4), chunks=(3, 2), dtype="f4")
src[...] = np.arange(24, dtype="f4").reshape(6, 4)
src.attrs["origin"] = "sensor"
copy = zarr.from_array("copy.zarr", data=src)
print(copy.shape, copy.chunks, copy.dtype, copy[5].tolist())
print("deliberate: attributes_as_documented=" + str(dict(copy.attrs) == dict(src.attrs)))
rechunked = zarr.from_array("rechunk.zarr", data=src, chunks=(2, 4))
print(rechunked.chunks, float(rechunked[...].sum()))
fromnp = zarr.from_array("np.zarr", data=np.arange(5, dtype="i8"), chunks=(2,))
print(fromnp.chunks, fromnp[...].tolist())
