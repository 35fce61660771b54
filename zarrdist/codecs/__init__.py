"""Codecs: one module per codec, registered by v3 name and v2 id.

Importing this package registers the built-in codecs. zarr-python's names for
numcodecs codecs in v3 (``Delta``, ``BitRound``, ``Zstd``, ...) come from
:mod:`zarrdist.codecs.numcodecs`, as in ``zarr.codecs``.
"""

from __future__ import annotations

from zarrdist.codecs import numcodecs
from zarrdist.codecs._base import (
    ArrayArrayCodec,
    ArrayBytesCodec,
    ArraySpec,
    BytesBytesCodec,
    Codec,
)
from zarrdist.codecs._bounds import encoded_bound
from zarrdist.codecs.blosc import BloscCname, BloscCodec, BloscShuffle
from zarrdist.codecs.bytes import BytesCodec, Endian
from zarrdist.codecs.cast_value import CastValue, CastValueCodec
from zarrdist.codecs.crc32c import Crc32cCodec
from zarrdist.codecs.gzip import GzipCodec
from zarrdist.codecs.numcodecs import (
    BZ2,
    CRC32,
    CRC32C,
    LZ4,
    LZMA,
    ZFPY,
    Adler32,
    AsType,
    BitRound,
    Blosc,
    Delta,
    FixedScaleOffset,
    Fletcher32,
    GZip,
    JenkinsLookup3,
    PackBits,
    PCodec,
    Quantize,
    Shuffle,
    Zlib,
    Zstd,
)
from zarrdist.codecs.numcodecs_adapter import NumcodecsCodec
from zarrdist.codecs.pipeline import (
    CodecChain,
    decode_chunk,
    decode_chunks,
    decode_to_raw,
    encode_chunk,
)
from zarrdist.codecs.registry import (
    codec_from_json,
    get_codec_class,
    get_v2_codec_class,
    register_codec,
)
from zarrdist.codecs.scale_offset import ScaleOffset, ScaleOffsetCodec
from zarrdist.codecs.sharding import ShardingCodec, ShardingCodecIndexLocation
from zarrdist.codecs.transpose import TransposeCodec
from zarrdist.codecs.v2 import V2Codec
from zarrdist.codecs.vlen_bytes import VLenBytesCodec
from zarrdist.codecs.vlen_utf8 import VLenUTF8Codec
from zarrdist.codecs.zstd import ZstdCodec

__all__ = [
    "encoded_bound",
    "ArrayArrayCodec",
    "ArrayBytesCodec",
    "ArraySpec",
    "BloscCname",
    "BloscCodec",
    "BloscShuffle",
    "BytesBytesCodec",
    "BytesCodec",
    "CastValue",
    "CastValueCodec",
    "Codec",
    "CodecChain",
    "Crc32cCodec",
    "Endian",
    "GzipCodec",
    "NumcodecsCodec",
    "ScaleOffset",
    "ScaleOffsetCodec",
    "ShardingCodec",
    "TransposeCodec",
    "V2Codec",
    "VLenBytesCodec",
    "VLenUTF8Codec",
    "ZstdCodec",
    "codec_from_json",
    "decode_chunk",
    "decode_chunks",
    "decode_to_raw",
    "encode_chunk",
    "get_codec_class",
    "get_v2_codec_class",
    "register_codec",
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
    "ShardingCodecIndexLocation",
    "numcodecs",
]
