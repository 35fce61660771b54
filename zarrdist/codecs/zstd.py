"""``zstd``: Zstandard compression, optionally with the frame's content checksum.

Spec: https://github.com/zarr-developers/zarr-extensions/tree/main/codecs/zstd

v3 name ``zstd``; v2 id ``zstd``. Compression is numcodecs ``Zstd``, as in
zarr-python 3.1.5, so the bytes are equal.

>>> from zarrdist.codecs.zstd import ZstdCodec
>>> ZstdCodec().to_json()
{'name': 'zstd', 'configuration': {'level': 0, 'checksum': False}}
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any, ClassVar

from numcodecs.zstd import Zstd

from zarrdist.codecs._base import ArraySpec, BytesBytesCodec, Encoded, check_configuration
from zarrdist.codecs._numcodecs import as_encoded, numcodecs_call
from zarrdist.codecs.registry import register_codec
from zarrdist.errors import CodecError

__all__ = ["ZstdCodec"]

_NAME = "zstd"


@dataclass(frozen=True, kw_only=True)
class ZstdCodec(BytesBytesCodec):
    """Zstandard compression.

    Parameters
    ----------
    level : int
        Compression level (negative for fast modes, up to 22; 0 means zstd's default).
    checksum : bool
        Store a content checksum in the frame and verify it when decoding.
    """

    level: int = 0
    """Compression level; 0 is zstd's default (3)."""
    checksum: bool = False
    """Whether frames carry a content checksum."""

    v3_name: ClassVar[str] = _NAME
    v2_ids: ClassVar[tuple[str, ...]] = ("zstd",)

    def __post_init__(self) -> None:
        if isinstance(self.level, bool) or not isinstance(self.level, int):
            raise CodecError(f"level must be an integer, got {self.level!r}", codec=_NAME)
        if self.level > 22:
            raise CodecError(f"level must be at most 22, got {self.level}", codec=_NAME)
        if not isinstance(self.checksum, bool):
            raise CodecError(f"checksum must be a boolean, got {self.checksum!r}", codec=_NAME)

    @classmethod
    def from_json(cls, configuration: dict[str, Any]) -> ZstdCodec:
        """Build from ``{"level": int, "checksum": bool}``."""
        config = check_configuration(_NAME, configuration, ("level", "checksum"))
        return cls(**config)

    def to_json(self) -> dict[str, Any]:
        """``{"name": "zstd", "configuration": {"level": ..., "checksum": ...}}``."""
        return {"name": _NAME, "configuration": {"level": self.level, "checksum": self.checksum}}

    @cached_property
    def _zstd(self) -> Zstd:
        return Zstd(level=self.level, checksum=self.checksum)

    def encode(self, data: Encoded, spec: ArraySpec) -> Encoded:
        """Compress ``data`` to one zstd frame."""
        return as_encoded(numcodecs_call(_NAME, self._zstd.encode, data))

    def decode(self, data: Encoded, spec: ArraySpec) -> Encoded:
        """Decompress, verifying the content checksum if the frame has one.

        Raises
        ------
        ChecksumError
            If the frame's content checksum does not match.
        CodecError
            If ``data`` is not a valid zstd frame.
        """
        return as_encoded(numcodecs_call(_NAME, self._zstd.decode, data))


register_codec(ZstdCodec)
