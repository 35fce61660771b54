"""zarr-python's names for numcodecs codecs in Zarr v3 (``zarr.codecs.numcodecs``).

Each name is the adapter class of :mod:`zarrdist.codecs.numcodecs_adapter` for one
numcodecs id, built from keywords as in zarr-python, and stored under the v3 name
``numcodecs.<id>``:

>>> from zarrdist.codecs.numcodecs import Delta
>>> Delta(dtype="<f4").to_json()
{'name': 'numcodecs.delta', 'configuration': {'dtype': '<f4'}}

These are not the spec's ``blosc``, ``gzip``, ``zstd`` and ``crc32c`` codecs
(``BloscCodec``, ``GzipCodec``, ``ZstdCodec``, ``Crc32cCodec``): ``Zstd(level=1)``
writes ``numcodecs.zstd``, which only zarr-python and zarrdist read, as zarr-python's
own ``Zstd`` does.

The three numcodecs modules: this one holds zarr-python's names;
:mod:`zarrdist.codecs.numcodecs_adapter` is the one v3 codec class that wraps any
numcodecs codec; :mod:`zarrdist.codecs._numcodecs_calls` is how every codec that
delegates to numcodecs calls it.
"""

from __future__ import annotations

from zarrdist.codecs.numcodecs_adapter import NumcodecsCodec
from zarrdist.codecs.numcodecs_adapter import NumcodecsCodec as _NumcodecsCodec  # noqa: F401
from zarrdist.codecs.registry import get_codec_class

__all__ = [
    "BZ2",
    "CRC32",
    "CRC32C",
    "LZ4",
    "LZMA",
    "ZFPY",
    "Adler32",
    "AsType",
    "BitRound",
    "Blosc",
    "Delta",
    "FixedScaleOffset",
    "Fletcher32",
    "GZip",
    "JenkinsLookup3",
    "PCodec",
    "PackBits",
    "Quantize",
    "Shuffle",
    "Zlib",
    "Zstd",
]


def _adapter(codec_id: str) -> type[NumcodecsCodec]:
    cls = get_codec_class(f"numcodecs.{codec_id}")
    assert issubclass(cls, NumcodecsCodec)
    return cls


BZ2 = _adapter("bz2")
CRC32 = _adapter("crc32")
CRC32C = _adapter("crc32c")
LZ4 = _adapter("lz4")
LZMA = _adapter("lzma")
ZFPY = _adapter("zfpy")
Adler32 = _adapter("adler32")
AsType = _adapter("astype")
BitRound = _adapter("bitround")
Blosc = _adapter("blosc")
Delta = _adapter("delta")
FixedScaleOffset = _adapter("fixedscaleoffset")
Fletcher32 = _adapter("fletcher32")
GZip = _adapter("gzip")
JenkinsLookup3 = _adapter("jenkins_lookup3")
PCodec = _adapter("pcodec")
PackBits = _adapter("packbits")
Quantize = _adapter("quantize")
Shuffle = _adapter("shuffle")
Zlib = _adapter("zlib")
Zstd = _adapter("zstd")
