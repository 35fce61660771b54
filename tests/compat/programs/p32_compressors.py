"""Compressors: gzip, zstd, blosc, none; v3 and v2."""

import numpy as np
import zarr
from zarr.codecs import BloscCodec, GzipCodec, ZstdCodec

data = np.arange(100, dtype="i4").reshape(10, 10)
for name, comp in [
    ("gzip", GzipCodec(level=3)),
    ("zstd", ZstdCodec(level=1)),
    ("blosc", BloscCodec(cname="lz4", clevel=5, shuffle="shuffle")),
    ("none", None),
]:
    z = zarr.create_array(
        f"c_{name}.zarr", shape=data.shape, chunks=(5, 5), dtype="i4", compressors=comp
    )
    z[...] = data
    print(name, [type(c).__name__ for c in z.compressors], int(z[...].sum()))
import numcodecs

v2 = zarr.create_array(
    "c_v2.zarr",
    shape=(10,),
    chunks=(5,),
    dtype="f8",
    zarr_format=2,
    compressors=numcodecs.Zlib(level=2),
)
v2[...] = np.linspace(0, 1, 10)
print(type(v2.compressors[0]).__name__, round(float(v2[...].sum()), 6))
