"""``gzip``: gzip-framed DEFLATE (RFC 1952), as numcodecs ``GZip`` writes it.

Spec: https://zarr-specs.readthedocs.io/en/latest/v3/codecs/gzip/index.html

v3 name ``gzip``; v2 id ``gzip``. zarr-python 3.1.5 compresses with numcodecs
``GZip`` (a gzip member, not a bare zlib stream), so zarrdist does too and the bytes
are equal.

>>> from zarrdist.codecs.gzip import GzipCodec
>>> GzipCodec(level=5).to_json()
{'name': 'gzip', 'configuration': {'level': 5}}
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any, ClassVar

from numcodecs.gzip import GZip

from zarrdist.codecs._base import ArraySpec, BytesBytesCodec, Encoded, check_configuration
from zarrdist.codecs._bounds import bounded_zlib, limit_of
from zarrdist.codecs._numcodecs_calls import as_encoded, numcodecs_call
from zarrdist.codecs.registry import register_codec
from zarrdist.errors import CodecError

__all__ = ["GzipCodec"]

_NAME = "gzip"


@dataclass(frozen=True, kw_only=True)
class GzipCodec(BytesBytesCodec):
    """gzip compression.

    Parameters
    ----------
    level : int
        Compression level, 0 (none) to 9 (smallest).
    """

    level: int = 5
    """Compression level, 0-9."""

    v3_name: ClassVar[str] = _NAME
    v2_ids: ClassVar[tuple[str, ...]] = ("gzip",)

    def __post_init__(self) -> None:
        if isinstance(self.level, bool) or not isinstance(self.level, int):
            raise CodecError(f"level must be an integer, got {self.level!r}", codec=_NAME)
        if not 0 <= self.level <= 9:
            raise CodecError(f"level must be in 0..9, got {self.level}", codec=_NAME)

    @classmethod
    def from_json(cls, configuration: dict[str, Any]) -> GzipCodec:
        """Build from ``{"level": int}``."""
        config = check_configuration(_NAME, configuration, ("level",))
        return cls(**config)

    def to_json(self) -> dict[str, Any]:
        """``{"name": "gzip", "configuration": {"level": ...}}``."""
        return {"name": _NAME, "configuration": {"level": self.level}}

    @cached_property
    def _gzip(self) -> GZip:
        return GZip(level=self.level)

    def encode(self, data: Encoded, spec: ArraySpec) -> Encoded:
        """Compress ``data`` to one gzip member."""
        return as_encoded(numcodecs_call(_NAME, self._gzip.encode, data))

    def decode(self, data: Encoded, spec: ArraySpec) -> Encoded:
        """Decompress.

        Raises
        ------
        CodecError
            If ``data`` is not a valid gzip stream, or decodes to more bytes than
            the chunk can hold (decoding stops there).
        """
        limit = limit_of(spec)
        if limit is not None:
            return bounded_zlib(_NAME, data, limit, wbits=31)
        return as_encoded(numcodecs_call(_NAME, self._gzip.decode, data))


register_codec(GzipCodec)
