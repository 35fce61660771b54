"""``blosc``: Blosc 1 compression with byte or bit shuffling.

Spec: https://zarr-specs.readthedocs.io/en/latest/v3/codecs/blosc/index.html

v3 name ``blosc``; v2 id ``blosc``. Compression is numcodecs ``Blosc``, as in
zarr-python 3.1.5. As there, ``typesize`` and ``shuffle`` left unset are filled in
from the array's dtype (``shuffle`` for multi-byte types, ``bitshuffle`` for 1-byte).

>>> from zarrdist.codecs.blosc import BloscCodec
>>> codec = BloscCodec(typesize=4, cname="zstd", clevel=5, shuffle="shuffle")
>>> codec.to_json()["name"], codec.to_json()["configuration"]
('blosc', {'typesize': 4, 'cname': 'zstd', 'clevel': 5, 'shuffle': 'shuffle', 'blocksize': 0})
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import Enum
from functools import cached_property
from typing import Any, ClassVar

from numcodecs.blosc import Blosc

from zarrdist.codecs._base import ArraySpec, BytesBytesCodec, Encoded, check_configuration
from zarrdist.codecs._bounds import bounded_numcodec, limit_of
from zarrdist.codecs._numcodecs_calls import as_encoded, numcodecs_call
from zarrdist.codecs.registry import register_codec
from zarrdist.errors import CodecError

__all__ = ["BloscCname", "BloscCodec", "BloscShuffle"]

_NAME = "blosc"


class BloscShuffle(Enum):
    """Shuffle applied before compression."""

    noshuffle = "noshuffle"
    shuffle = "shuffle"
    bitshuffle = "bitshuffle"


class BloscCname(Enum):
    """Compressor inside Blosc."""

    lz4 = "lz4"
    lz4hc = "lz4hc"
    blosclz = "blosclz"
    zstd = "zstd"
    snappy = "snappy"
    zlib = "zlib"


_SHUFFLE_INT = {BloscShuffle.noshuffle: 0, BloscShuffle.shuffle: 1, BloscShuffle.bitshuffle: 2}


def _parse_enum(enum: type[Enum], value: Any, what: str) -> Any:
    if value is None or isinstance(value, enum):
        return value
    try:
        return enum(value)
    except ValueError:
        choices = [m.value for m in enum]
        raise CodecError(f"{what} must be one of {choices}, got {value!r}", codec=_NAME) from None


def _check_int(value: Any, what: str, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise CodecError(f"{what} must be an integer >= {minimum}, got {value!r}", codec=_NAME)


@dataclass(frozen=True, init=False)
class BloscCodec(BytesBytesCodec):
    """Blosc compression.

    Parameters
    ----------
    typesize : int or None
        Element size for shuffling; None: the array's item size.
    cname : BloscCname or str
        Compressor: lz4, lz4hc, blosclz, zstd, snappy, zlib.
    clevel : int
        Compression level, 0-9.
    shuffle : BloscShuffle, str or None
        noshuffle, shuffle or bitshuffle; None: chosen from the array's item size.
    blocksize : int
        Block size in bytes; 0 lets Blosc choose.
    """

    typesize: int | None = None
    """Element size for shuffling (None until filled in from the array)."""
    cname: BloscCname = BloscCname.zstd
    """Compressor inside Blosc."""
    clevel: int = 5
    """Compression level, 0-9."""
    shuffle: BloscShuffle | None = None
    """Shuffle mode (None until filled in from the array)."""
    blocksize: int = 0
    """Block size in bytes (0: automatic)."""

    v3_name: ClassVar[str] = _NAME
    v2_ids: ClassVar[tuple[str, ...]] = ("blosc",)

    def __init__(
        self,
        *,
        typesize: int | None = None,
        cname: BloscCname | str = BloscCname.zstd,
        clevel: int = 5,
        shuffle: BloscShuffle | str | None = None,
        blocksize: int = 0,
    ) -> None:
        parsed_cname = _parse_enum(BloscCname, cname, "cname")
        if parsed_cname is None:
            raise CodecError("cname must be set", codec=_NAME)
        if typesize is not None:
            _check_int(typesize, "typesize", 1)
        _check_int(clevel, "clevel", 0)
        _check_int(blocksize, "blocksize", 0)
        object.__setattr__(self, "typesize", typesize)
        object.__setattr__(self, "cname", parsed_cname)
        object.__setattr__(self, "clevel", clevel)
        object.__setattr__(self, "shuffle", _parse_enum(BloscShuffle, shuffle, "shuffle"))
        object.__setattr__(self, "blocksize", blocksize)

    @classmethod
    def from_json(cls, configuration: dict[str, Any]) -> BloscCodec:
        """Build from the v3 configuration object."""
        keys = ("typesize", "cname", "clevel", "shuffle", "blocksize")
        return cls(**check_configuration(_NAME, configuration, keys))

    def to_json(self) -> dict[str, Any]:
        """The configuration as zarr-python writes it (unset fields as its defaults)."""
        shuffle = self.shuffle or BloscShuffle.bitshuffle
        return {
            "name": _NAME,
            "configuration": {
                "typesize": self.typesize or 1,
                "cname": self.cname.value,
                "clevel": self.clevel,
                "shuffle": shuffle.value,
                "blocksize": self.blocksize,
            },
        }

    def evolve_from_array_spec(self, spec: ArraySpec) -> BloscCodec:
        """Fill ``typesize`` and ``shuffle`` from the array's item size if unset."""
        itemsize = max(spec.dtype.itemsize, 1) if spec.dtype.kind not in "OT" else 1
        codec = self
        if self.typesize is None:
            codec = replace(codec, typesize=itemsize)
        if self.shuffle is None:
            auto = BloscShuffle.bitshuffle if itemsize == 1 else BloscShuffle.shuffle
            codec = replace(codec, shuffle=auto)
        return codec

    @cached_property
    def _blosc(self) -> Blosc:
        shuffle = self.shuffle or BloscShuffle.bitshuffle
        return Blosc(
            cname=self.cname.value,
            clevel=self.clevel,
            shuffle=_SHUFFLE_INT[shuffle],
            blocksize=self.blocksize,
            typesize=self.typesize or 1,
        )

    def encode(self, data: Encoded, spec: ArraySpec) -> Encoded:
        """Compress ``data`` to one Blosc frame."""
        return as_encoded(numcodecs_call(_NAME, self._blosc.encode, data))

    def decode(self, data: Encoded, spec: ArraySpec) -> Encoded:
        """Decompress.

        Raises
        ------
        CodecError
            If ``data`` is not a valid Blosc frame, or its header declares more
            bytes than the chunk can hold.
        """
        limit = limit_of(spec)
        if limit is not None:
            return as_encoded(bounded_numcodec("blosc", self._blosc, data, limit, numcodecs_call))
        return as_encoded(numcodecs_call(_NAME, self._blosc.decode, data))


register_codec(BloscCodec)
