"""``vlen-utf8``: variable-length UTF-8 strings, numcodecs ``VLenUTF8`` framing.

Spec: https://github.com/zarr-developers/zarr-extensions/tree/main/codecs/vlen-utf8

v3 name ``vlen-utf8``; v2 id ``vlen-utf8``. The wire format is a little-endian
uint32 item count, then per item a uint32 byte length and the UTF-8 bytes. Decoded
chunks have numpy's ``StringDType()``, as zarr-python 3.1.5 returns for ``string``
arrays (object arrays are accepted on encode, and returned when the spec asks).

>>> from zarrdist.codecs.vlen_utf8 import VLenUTF8Codec
>>> VLenUTF8Codec().to_json()
{'name': 'vlen-utf8', 'configuration': {}}
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
from numcodecs.vlen import VLenUTF8

from zarrdist.codecs._base import ArrayBytesCodec, ArraySpec, Encoded, check_configuration
from zarrdist.codecs._numcodecs import numcodecs_call
from zarrdist.codecs.registry import register_codec
from zarrdist.errors import CodecError

__all__ = ["VLenUTF8Codec", "vlen_decode", "vlen_encode"]

_NAME = "vlen-utf8"
# Stateless, so one instance serves every thread.
_CODEC = VLenUTF8()


def vlen_encode(name: str, codec: Any, chunk: Any, spec: ArraySpec) -> Encoded:
    """Encode a string/bytes chunk (object or StringDType) with numcodecs ``codec``."""
    arr = spec.prototype.to_host(chunk)
    if arr.shape != spec.shape:
        raise CodecError(f"chunk has shape {arr.shape}, expected {spec.shape}", codec=name)
    # numcodecs takes object arrays; items go out in C order whatever the layout.
    flat = np.ascontiguousarray(arr).reshape(-1)
    if flat.dtype != object:
        flat = flat.astype(object)
    return numcodecs_call(name, codec.encode, flat)  # type: ignore[no-any-return]


def vlen_decode(name: str, codec: Any, data: Encoded, spec: ArraySpec) -> Any:
    """Decode to an array of ``spec.shape``, in ``spec.dtype`` (object or StringDType)."""
    out = numcodecs_call(name, codec.decode, data)
    if out.size != int(np.prod(spec.shape, dtype=np.int64)):
        raise CodecError(
            f"chunk holds {out.size} items, expected {spec.shape} ({np.prod(spec.shape)} items)",
            codec=name,
        )
    out = out.reshape(spec.shape)
    if spec.dtype.kind != "O":
        out = out.astype(spec.dtype)
    return out


@dataclass(frozen=True)
class VLenUTF8Codec(ArrayBytesCodec):
    """Variable-length UTF-8 strings (no configuration)."""

    v3_name: ClassVar[str] = _NAME
    v2_ids: ClassVar[tuple[str, ...]] = ("vlen-utf8",)

    @classmethod
    def from_json(cls, configuration: dict[str, Any]) -> VLenUTF8Codec:
        """Build from an empty configuration."""
        check_configuration(_NAME, configuration, ())
        return cls()

    def to_json(self) -> dict[str, Any]:
        """``{"name": "vlen-utf8", "configuration": {}}``, as zarr-python writes it."""
        return {"name": _NAME, "configuration": {}}

    def validate(self, spec: ArraySpec) -> None:
        """Refuse dtypes that are not strings."""
        if spec.dtype.kind not in "OTU":
            raise CodecError(f"cannot encode dtype {spec.dtype} as UTF-8 strings", codec=_NAME)

    def encode(self, chunk: Any, spec: ArraySpec) -> Encoded:
        """Serialise the strings in C order."""
        return vlen_encode(_NAME, _CODEC, chunk, spec)

    def decode(self, data: Encoded, spec: ArraySpec) -> Any:
        """Deserialise to ``StringDType()`` (or ``spec.dtype`` if it is object).

        Raises
        ------
        CodecError
            If ``data`` is truncated or the item count does not match the shape.
        """
        return vlen_decode(_NAME, _CODEC, data, spec)


register_codec(VLenUTF8Codec)
