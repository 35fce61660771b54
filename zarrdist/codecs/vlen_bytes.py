"""``vlen-bytes``: variable-length byte strings, numcodecs ``VLenBytes`` framing.

Spec: https://github.com/zarr-developers/zarr-extensions/tree/main/codecs/vlen-bytes

v3 name ``vlen-bytes``; v2 id ``vlen-bytes``. Same framing as ``vlen-utf8`` with raw
bytes items. Decoded chunks are object arrays of ``bytes``, as zarr-python 3.1.5
returns for ``variable_length_bytes``. The implementation, shared with
``vlen-utf8``, is :mod:`zarrdist.codecs._vlen`.

>>> from zarrdist.codecs.vlen_bytes import VLenBytesCodec
>>> VLenBytesCodec().to_json()
{'name': 'vlen-bytes', 'configuration': {}}
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from numcodecs.abc import Codec as Numcodec
from numcodecs.vlen import VLenBytes

from zarrdist.codecs._vlen import VLenCodec
from zarrdist.codecs.registry import register_codec

__all__ = ["VLenBytesCodec"]


@dataclass(frozen=True)
class VLenBytesCodec(VLenCodec):
    """Variable-length bytes (no configuration)."""

    v3_name: ClassVar[str] = "vlen-bytes"
    v2_ids: ClassVar[tuple[str, ...]] = ("vlen-bytes",)
    framing: ClassVar[Numcodec] = VLenBytes()
    kinds: ClassVar[str] = "OS"
    items: ClassVar[str] = "bytes"


register_codec(VLenBytesCodec)
