"""``crc32c``: append a CRC-32C checksum of the data, verify it on decode.

Spec: https://zarr-specs.readthedocs.io/en/latest/v3/codecs/crc32c/index.html

v3 name ``crc32c`` (no v2 id: numcodecs ``crc32c`` is a different, header-style
checksum codec and is available as ``numcodecs.crc32c``).

zarr-python 3.1.5 writes it with no configuration:

>>> from zarrdist.codecs.crc32c import Crc32cCodec
>>> Crc32cCodec().to_json()
{'name': 'crc32c'}
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import google_crc32c
import numpy as np

from zarrdist.codecs._base import ArraySpec, BytesBytesCodec, Encoded, check_configuration
from zarrdist.codecs.registry import register_codec
from zarrdist.errors import ChecksumError, CodecError

__all__ = ["Crc32cCodec", "crc32c"]

_NAME = "crc32c"
_SIZE = 4


def crc32c(data: Encoded) -> int:
    """CRC-32C of ``data`` (bytes, bytearray or memoryview), without copying it."""
    # The C extension takes only read-only buffers that need no release (bytes) or
    # numpy arrays; a uint8 view over the buffer satisfies it without a copy.
    return int(google_crc32c.value(np.frombuffer(data, dtype=np.uint8)))


@dataclass(frozen=True)
class Crc32cCodec(BytesBytesCodec):
    """Appends the little-endian uint32 CRC-32C of the data; checks it when decoding."""

    v3_name: ClassVar[str] = _NAME
    is_fixed_size: ClassVar[bool] = True

    @classmethod
    def from_json(cls, configuration: dict[str, Any]) -> Crc32cCodec:
        """Build from an empty (or absent) configuration."""
        check_configuration(_NAME, configuration, ())
        return cls()

    def to_json(self) -> dict[str, Any]:
        """``{"name": "crc32c"}``, as zarr-python writes it."""
        return {"name": _NAME}

    def encode(self, data: Encoded, spec: ArraySpec) -> Encoded:
        """``data`` followed by its 4-byte checksum."""
        view = memoryview(data).cast("B") if not isinstance(data, bytes) else data
        size = len(view)
        out = bytearray(size + _SIZE)
        out[:size] = view
        out[size:] = crc32c(view).to_bytes(_SIZE, "little")
        return out

    def decode(self, data: Encoded, spec: ArraySpec) -> Encoded:
        """A view of ``data`` without its checksum, after verifying it.

        Raises
        ------
        CodecError
            If ``data`` is shorter than the 4-byte checksum.
        ChecksumError
            If the stored and computed checksums differ.
        """
        view = memoryview(data).cast("B")
        if len(view) < _SIZE:
            raise CodecError(
                f"data of {len(view)} bytes is too short to hold a {_SIZE}-byte checksum",
                codec=_NAME,
            )
        inner = view[:-_SIZE]
        stored = int.from_bytes(view[-_SIZE:], "little")
        computed = crc32c(inner)
        if stored != computed:
            raise ChecksumError(
                f"stored checksum {stored:#010x} does not match computed {computed:#010x}",
                codec=_NAME,
            )
        return inner

    def compute_encoded_size(self, input_size: int, spec: ArraySpec) -> int:
        """Four bytes more than the input."""
        return input_size + _SIZE


register_codec(Crc32cCodec)
