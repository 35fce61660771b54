"""``vlen-utf8``: variable-length UTF-8 strings, numcodecs ``VLenUTF8`` framing.

Spec: https://github.com/zarr-developers/zarr-extensions/tree/main/codecs/vlen-utf8

v3 name ``vlen-utf8``; v2 id ``vlen-utf8``. The wire format is a little-endian
uint32 item count, then per item a uint32 byte length and the UTF-8 bytes. Decoded
chunks have numpy's ``StringDType()``, as zarr-python 3.1.5 returns for ``string``
arrays (object arrays are accepted on encode, and returned when the spec asks).
The implementation, shared with ``vlen-bytes``, is :mod:`zarrdist.codecs._vlen`.

>>> from zarrdist.codecs.vlen_utf8 import VLenUTF8Codec
>>> VLenUTF8Codec().to_json()
{'name': 'vlen-utf8', 'configuration': {}}
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from numcodecs.abc import Codec as Numcodec
from numcodecs.vlen import VLenUTF8

from zarrdist.codecs._vlen import VLenCodec
from zarrdist.codecs.registry import register_codec

__all__ = ["VLenUTF8Codec"]


@dataclass(frozen=True)
class VLenUTF8Codec(VLenCodec):
    """Variable-length UTF-8 strings (no configuration)."""

    v3_name: ClassVar[str] = "vlen-utf8"
    v2_ids: ClassVar[tuple[str, ...]] = ("vlen-utf8",)
    framing: ClassVar[Numcodec] = VLenUTF8()
    kinds: ClassVar[str] = "OTU"
    items: ClassVar[str] = "UTF-8 strings"


register_codec(VLenUTF8Codec)
