"""``vlen-bytes``: variable-length byte strings, numcodecs ``VLenBytes`` framing.

Spec: https://github.com/zarr-developers/zarr-extensions/tree/main/codecs/vlen-bytes

v3 name ``vlen-bytes``; v2 id ``vlen-bytes``. Same framing as ``vlen-utf8`` with raw
bytes items. Decoded chunks are object arrays of ``bytes``, as zarr-python 3.1.5
returns for ``variable_length_bytes``.

>>> from zarrdist.codecs.vlen_bytes import VLenBytesCodec
>>> VLenBytesCodec().to_json()
{'name': 'vlen-bytes', 'configuration': {}}
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from numcodecs.vlen import VLenBytes

from zarrdist.codecs._base import ArrayBytesCodec, ArraySpec, Encoded, check_configuration
from zarrdist.codecs.registry import register_codec
from zarrdist.codecs.vlen_utf8 import vlen_decode, vlen_encode
from zarrdist.errors import CodecError

__all__ = ["VLenBytesCodec"]

_NAME = "vlen-bytes"
# Stateless, so one instance serves every thread.
_CODEC = VLenBytes()


@dataclass(frozen=True)
class VLenBytesCodec(ArrayBytesCodec):
    """Variable-length bytes (no configuration)."""

    v3_name: ClassVar[str] = _NAME
    v2_ids: ClassVar[tuple[str, ...]] = ("vlen-bytes",)

    @classmethod
    def from_json(cls, configuration: dict[str, Any]) -> VLenBytesCodec:
        """Build from an empty configuration."""
        check_configuration(_NAME, configuration, ())
        return cls()

    def to_json(self) -> dict[str, Any]:
        """``{"name": "vlen-bytes", "configuration": {}}``, as zarr-python writes it."""
        return {"name": _NAME, "configuration": {}}

    def validate(self, spec: ArraySpec) -> None:
        """Refuse dtypes that are not bytes."""
        if spec.dtype.kind not in "OS":
            raise CodecError(f"cannot encode dtype {spec.dtype} as bytes", codec=_NAME)

    def encode(self, chunk: Any, spec: ArraySpec) -> Encoded:
        """Serialise the byte strings in C order."""
        return vlen_encode(_NAME, _CODEC, chunk, spec)

    def decode(self, data: Encoded, spec: ArraySpec) -> Any:
        """Deserialise to an object array of ``bytes``.

        Raises
        ------
        CodecError
            If ``data`` is truncated or the item count does not match the shape.
        """
        return vlen_decode(_NAME, _CODEC, data, spec)


register_codec(VLenBytesCodec)
