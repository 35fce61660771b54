"""Codecs: one module per codec, registered by v3 name and v2 id.

Importing this package registers the built-in codecs.
"""

from __future__ import annotations

from zarrdist.codecs._base import (
    ArrayArrayCodec,
    ArrayBytesCodec,
    ArraySpec,
    BytesBytesCodec,
    Codec,
)
from zarrdist.codecs.pipeline import CodecChain, decode_chunk, encode_chunk
from zarrdist.codecs.registry import (
    codec_from_json,
    get_codec_class,
    get_v2_codec_class,
    register_codec,
)

__all__ = [
    "ArrayArrayCodec",
    "ArrayBytesCodec",
    "ArraySpec",
    "BytesBytesCodec",
    "Codec",
    "CodecChain",
    "codec_from_json",
    "decode_chunk",
    "encode_chunk",
    "get_codec_class",
    "get_v2_codec_class",
    "register_codec",
]
