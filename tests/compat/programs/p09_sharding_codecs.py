"""Sharding and codecs, v3 and v2."""

import numcodecs
import numpy as np
import zarr
from zarr.codecs import BloscCodec, BytesCodec, GzipCodec, ZstdCodec

s = zarr.create_array(
    "sharded.zarr",
    shape=(40, 40),
    chunks=(5, 5),
    shards=(20, 20),
    dtype="uint16",
    compressors=ZstdCodec(level=3),
)
s[:] = np.arange(1600, dtype="uint16").reshape(40, 40)
print(s.chunks, s.shards, int(s[7:33, 1:39].sum()), s[5, 5])
g = zarr.create_array(
    "gzip.zarr",
    shape=(100,),
    chunks=(10,),
    dtype="float64",
    serializer=BytesCodec(endian="big"),
    compressors=[GzipCodec(level=1)],
)
g[:] = np.linspace(0, 1, 100)
print(round(float(g[:].sum()), 6), g.nchunks_initialized)
b = zarr.create_array(
    "blosc.zarr",
    shape=(50,),
    chunks=(10,),
    dtype="int32",
    compressors=BloscCodec(cname="lz4", clevel=3, shuffle="bitshuffle"),
)
b[:] = np.arange(50)
print(b[::7].tolist())
v2 = zarr.create_array(
    "v2.zarr",
    shape=(30,),
    chunks=(7,),
    dtype="int64",
    zarr_format=2,
    compressors=numcodecs.Zlib(level=2),
    filters=[numcodecs.Delta(dtype="i8")],
)
v2[:] = np.arange(30) * 3
print(v2[:10].tolist(), v2.metadata.zarr_format)
