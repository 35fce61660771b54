"""Option grammar of the ``zarrdist`` command: sizes, codecs, chunk rules and regions.

Every parser raises :class:`argparse.ArgumentTypeError` with a message that names
the bad value, so argparse reports it and exits with status 2.
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from zarrdist.codecs import (
    BloscCodec,
    BytesBytesCodec,
    Codec,
    Crc32cCodec,
    GzipCodec,
    ZstdCodec,
    codec_from_json,
)
from zarrdist.codecs._base import ArraySpec
from zarrdist.errors import CodecError

__all__ = [
    "ChunkRule",
    "ChunkRules",
    "RegionSpec",
    "non_negative_int",
    "parse_chunk_rule",
    "parse_compressor",
    "parse_region",
    "parse_size",
    "positive_float",
    "positive_int",
]


def positive_int(text: str) -> int:
    """An integer >= 1 (``--workers``, ``--threads``)."""
    value = _int(text, "the value")
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def non_negative_int(text: str) -> int:
    """An integer >= 0 (``--depth``)."""
    value = _int(text, "the value")
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {value}")
    return value


def positive_float(text: str) -> float:
    """A finite number > 0 (``demo --scale``)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number, got {text!r}")
    return value


_UNITS = {
    "": 1, "b": 1,
    "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12,
    "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40,
    "k": 2**10, "m": 2**20, "g": 2**30, "t": 2**40,
}  # fmt: skip


def parse_size(text: str) -> int:
    """``"512MiB"``, ``"2GB"``, ``"1e9"`` or ``"4G"`` (binary) as a byte count.

    >>> parse_size("1.5GiB"), parse_size("2GB")
    (1610612736, 2000000000)
    """
    match = re.fullmatch(r"\s*([0-9.eE+]+)\s*([A-Za-z]*)\s*", text)
    unit = match.group(2).lower() if match else None
    if match is None or unit not in _UNITS:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (try 512MiB or 2GB)")
    try:
        value = float(match.group(1)) * _UNITS[unit]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (try 512MiB or 2GB)") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"size must be positive: {text!r}")
    return int(value)


# -- codecs ------------------------------------------------------------------------------

_BLOSC_CNAMES = ("lz4", "lz4hc", "blosclz", "zstd", "snappy", "zlib")
_BLOSC_SHUFFLES = ("noshuffle", "shuffle", "bitshuffle")


def _int(value: str, what: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{what} must be an integer, got {value!r}") from None


def _one_codec(text: str) -> Codec:
    name, *args = text.strip().split(":")
    name = name.lower()
    if name == "zstd" and len(args) <= 2:
        level = _int(args[0], "zstd level") if args else 0
        if len(args) == 2 and args[1] != "checksum":
            raise argparse.ArgumentTypeError(f"zstd takes LEVEL[:checksum], got {text!r}")
        return ZstdCodec(level=level, checksum=len(args) == 2)
    if name == "gzip" and len(args) <= 1:
        return GzipCodec(level=_int(args[0], "gzip level") if args else 5)
    if name == "blosc" and len(args) <= 3:
        cname = args[0] if args else "lz4"
        shuffle = args[1] if len(args) > 1 else "shuffle"
        if cname not in _BLOSC_CNAMES or shuffle not in _BLOSC_SHUFFLES:
            raise argparse.ArgumentTypeError(
                f"blosc takes CNAME[:SHUFFLE[:CLEVEL]] with CNAME in {_BLOSC_CNAMES} and "
                f"SHUFFLE in {_BLOSC_SHUFFLES}, got {text!r}"
            )
        clevel = _int(args[2], "blosc clevel") if len(args) > 2 else 5
        if not 0 <= clevel <= 9:
            # Checked here: the C library prints its own complaint before failing.
            raise argparse.ArgumentTypeError(f"blosc clevel must be in 0..9, got {clevel}")
        return BloscCodec(cname=cname, shuffle=shuffle, clevel=clevel)
    if name == "crc32c" and not args:
        return Crc32cCodec()
    return _numcodecs_codec(name, args, text)


def _numcodecs_codec(name: str, args: Sequence[str], text: str) -> Codec:
    """``lz4``, ``zlib:1``, ``bz2:level=9``: a numcodecs compressor under its v3 name."""
    configuration: dict[str, Any] = {}
    for arg in args:
        key, sep, value = arg.partition("=")
        if not sep:
            key, value = ("acceleration" if name == "lz4" else "level"), arg
        try:
            configuration[key] = json.loads(value)
        except ValueError:
            configuration[key] = value
    try:
        codec = codec_from_json({"name": f"numcodecs.{name}", "configuration": configuration})
    except CodecError as error:
        raise argparse.ArgumentTypeError(
            f"unknown codec {name!r} in {text!r}: {error} (try zstd:3, gzip:6, "
            "blosc:lz4:shuffle, lz4, zlib:1 or none)"
        ) from None
    if not isinstance(codec, BytesBytesCodec):
        raise argparse.ArgumentTypeError(f"{name!r} is not a compressor (bytes to bytes codec)")
    return codec


def parse_compressor(text: str) -> tuple[Codec, ...]:
    """Compressors from ``--compressor``: ``none``, ``zstd:3``, ``blosc:lz4:shuffle``,
    ``gzip:6``, ``lz4``, several joined by ``+`` (``zstd:3+crc32c``), or v3 codec JSON.

    >>> [c.to_json()["name"] for c in parse_compressor("zstd:3+crc32c")]
    ['zstd', 'crc32c']
    """
    stripped = text.strip()
    if stripped.lower() in ("none", "null", ""):
        return ()
    if stripped.startswith(("{", "[")):
        try:
            loaded = json.loads(stripped)
            entries = loaded if isinstance(loaded, list) else [loaded]
            return tuple(codec_from_json(e) for e in entries)
        except (ValueError, CodecError) as error:
            raise argparse.ArgumentTypeError(f"bad codec JSON {text!r}: {error}") from None
    return tuple(_checked(part) for part in stripped.split("+"))


#: A small float32 chunk every compressor is tried on at parse time.
_PROBE_SPEC = ArraySpec((64,), np.dtype("float32"))


def _checked(text: str) -> Codec:
    """The codec ``text`` names, once it has compressed and decompressed a probe.

    Levels and arguments out of range (``zlib:99``, ``lz4:abc``) fail here, as a
    usage error naming the option, not half way through a copy.
    """
    try:
        codec = _one_codec(text).evolve_from_array_spec(_PROBE_SPEC)
        probe = np.arange(64, dtype="float32").tobytes()
        assert isinstance(codec, BytesBytesCodec)
        encoded = codec.encode(probe, _PROBE_SPEC)
        if bytes(codec.decode(encoded, _PROBE_SPEC)) != probe:
            raise CodecError("does not give back what it compressed", codec=text)
    except (CodecError, ValueError, TypeError) as error:
        raise argparse.ArgumentTypeError(f"bad compressor {text!r}: {error}") from None
    return codec


# -- chunk and shard rules ------------------------------------------------------------------


@dataclass(frozen=True)
class ChunkRule:
    """``--chunks``/``--shards`` for one array path, or for every array of its rank.

    Attributes
    ----------
    path : str or None
        The array it applies to; None applies it by rank.
    shape : tuple of int, or None
        Extents (-1: the whole axis); None means "no shards".
    auto : bool
        ``auto`` (shards sized by ``array.target_shard_size_bytes``).
    """

    path: str | None
    shape: tuple[int, ...] | None
    auto: bool = False

    def resolve(self, array_shape: Sequence[int]) -> tuple[int, ...] | None:
        """Extents for an array of ``array_shape`` (-1 becomes the axis length)."""
        if self.shape is None:
            return None
        return tuple(
            max(n, 1) if c == -1 else c for c, n in zip(self.shape, array_shape, strict=True)
        )


def parse_chunk_rule(text: str) -> ChunkRule:
    """``-1,30,60``, ``temperature=-1,30,60``, ``none`` or ``auto`` (shards only).

    >>> parse_chunk_rule("t=-1,8").resolve((100, 50))
    (100, 8)
    """
    path, sep, spec = text.rpartition("=")
    spec = spec.strip().lower()
    path_or_none = path.strip("/ ") if sep else None
    if spec == "none":
        return ChunkRule(path_or_none, None)
    if spec == "auto":
        return ChunkRule(path_or_none, None, auto=True)
    try:
        extents = tuple(int(v) for v in spec.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not a chunk shape: {text!r} (try 100,50 or -1,30 or name=100,50)"
        ) from None
    if any(e < 1 and e != -1 for e in extents):
        raise argparse.ArgumentTypeError(f"chunk extents must be >= 1 or -1: {text!r}")
    return ChunkRule(path_or_none, extents)


class ChunkRules:
    """Rules from repeated ``--chunks`` (or ``--shards``): a path rule beats a rank rule."""

    def __init__(self, rules: Sequence[ChunkRule] = ()) -> None:
        self.rules = list(rules)

    def __bool__(self) -> bool:
        return bool(self.rules)

    def find(self, path: str, ndim: int) -> ChunkRule | None:
        """The rule for the array at ``path`` of rank ``ndim``, if any."""
        for rule in self.rules:
            if rule.path is not None and rule.path == path.strip("/"):
                return rule
        for rule in self.rules:
            if rule.path is None and (rule.shape is None or len(rule.shape) == ndim):
                return rule
        return None


# -- regions ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RegionSpec:
    """``--region``: by position (``0:100,:,5``) or by dimension name (``time=0:100``).

    Attributes
    ----------
    positional : tuple of str, or None
        One ``start:stop`` (or index) per axis.
    named : dict of str to str
        Dimension name -> ``start:stop``.
    """

    positional: tuple[str, ...] | None
    named: Mapping[str, str]

    def for_array(
        self, shape: Sequence[int], dims: Sequence[str | None] | None
    ) -> tuple[slice, ...] | None:
        """Step-1 slices for an array, or None if the spec does not apply to it.

        Raises
        ------
        argparse.ArgumentTypeError
            If a range is invalid for the array.
        """
        if self.positional is not None:
            if len(self.positional) != len(shape):
                return None
            return tuple(_axis_slice(t, n) for t, n in zip(self.positional, shape, strict=True))
        if not dims or not any(d in self.named for d in dims):
            return None
        return tuple(
            _axis_slice(self.named[d], n) if d is not None and d in self.named else slice(0, n)
            for d, n in zip(dims, shape, strict=True)
        )


def _axis_slice(text: str, extent: int) -> slice:
    text = text.strip()
    try:
        if ":" not in text:
            index = int(text)
            index = index + extent if index < 0 else index
            start, stop, step = index, index + 1, 1
        else:
            parts = [int(p) if p.strip() else None for p in text.split(":")]
            if len(parts) > 3 or any(
                p is not None and not -extent <= p <= extent for p in parts[:2]
            ):
                raise argparse.ArgumentTypeError(
                    f"range {text!r} is outside an axis of length {extent}"
                )
            start, stop, step = slice(*parts).indices(extent)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a range: {text!r} (try 0:100)") from None
    if step != 1 or not 0 <= start < stop <= extent:
        raise argparse.ArgumentTypeError(
            f"range {text!r} is empty, stepped or outside an axis of length {extent}"
        )
    return slice(start, stop)


def parse_region(text: str) -> RegionSpec:
    """``--region`` as a :class:`RegionSpec`.

    >>> parse_region("time=0:10").for_array((100, 5), ("time", "x"))
    (slice(0, 10, None), slice(0, 5, None))
    """
    parts = [p.strip() for p in text.split(",")]
    if all("=" in p for p in parts):
        named = dict(p.split("=", 1) for p in parts)
        return RegionSpec(None, {k.strip(): v for k, v in named.items()})
    if any("=" in p for p in parts):
        raise argparse.ArgumentTypeError(f"mix of named and positional ranges: {text!r}")
    return RegionSpec(tuple(parts), {})
