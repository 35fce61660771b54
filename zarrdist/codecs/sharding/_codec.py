"""The ``sharding_indexed`` codec: whole-shard encode and decode.

A shard is the concatenation of its stored inner chunks, each encoded with the
inner ``codecs``, plus the index (see :mod:`zarrdist.codecs.sharding._index`) at
the start or the end. Inner chunks are laid out in the Morton order zarr-python
3.1.5 uses, so shards are byte-identical to the ones it writes; readers (ours,
zarr-python's, TensorStore's) follow the index and accept any order.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from enum import Enum
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import numpy as np

from zarrdist.codecs._base import ArrayBytesCodec, ArraySpec, Codec, check_configuration
from zarrdist.codecs.bytes import BytesCodec
from zarrdist.codecs.crc32c import Crc32cCodec
from zarrdist.codecs.pipeline import CodecChain, decode_chunk
from zarrdist.codecs.registry import codec_from_json, register_codec
from zarrdist.codecs.sharding._index import (
    CODEC_NAME,
    decode_index,
    empty_index,
    encode_index,
    index_size_bytes,
    index_spec,
    is_empty_entry,
)
from zarrdist.codecs.sharding._plan import morton_order
from zarrdist.config import config
from zarrdist.errors import CodecError

if TYPE_CHECKING:
    from zarrdist.codecs._base import Encoded

__all__ = [
    "IndexLocation",
    "ShardingCodec",
    "ShardingCodecIndexLocation",
    "all_fill_value",
    "assemble_shard",
    "decode_inner_chunk",
    "decode_shard",
    "encode_inner_chunk",
    "encode_shard",
    "split_shard",
]

IndexLocation = Literal["start", "end"]


class ShardingCodecIndexLocation(Enum):
    """Where a shard's index lies (zarr-python's enum; the strings work too)."""

    start = "start"
    end = "end"


_CONFIG_KEYS = ("chunk_shape", "codecs", "index_codecs", "index_location")


def _parse_codecs(entries: Iterable[Codec | dict[str, Any]], what: str) -> tuple[Codec, ...]:
    if isinstance(entries, (str, bytes, dict)):
        raise CodecError(f"{what} must be a list of codecs, not {entries!r}", codec=CODEC_NAME)
    out = tuple(e if isinstance(e, Codec) else codec_from_json(e) for e in entries)
    CodecChain.from_codecs(out)  # refuses a chain without exactly one array->bytes codec
    return out


@dataclass(frozen=True)
class ShardingCodec(ArrayBytesCodec):
    """Store a grid of inner chunks, each encoded on its own, in one object with an index.

    Parameters
    ----------
    chunk_shape : sequence of int
        Shape of the inner chunks; the shard shape must be a multiple of it.
    codecs : sequence of Codec or dict
        Codec chain of each inner chunk (may itself contain a ShardingCodec).
    index_codecs : sequence of Codec or dict
        Fixed-size codec chain of the index.
    index_location : {"end", "start"} or ShardingCodecIndexLocation
        Where the index lies in the shard.
    """

    chunk_shape: tuple[int, ...]
    """Shape of the inner chunks."""
    codecs: tuple[Codec, ...] = field(default_factory=lambda: (BytesCodec(),))
    """Codecs of each inner chunk."""
    index_codecs: tuple[Codec, ...] = field(default_factory=lambda: (BytesCodec(), Crc32cCodec()))
    """Codecs of the index (fixed-size)."""
    index_location: IndexLocation = "end"
    """Where the index lies: ``"end"`` (zarr-python's default) or ``"start"``."""

    v3_name: ClassVar[str] = CODEC_NAME

    def __post_init__(self) -> None:
        try:
            shape = tuple(int(n) for n in self.chunk_shape)
        except (TypeError, ValueError):
            shape = ()
        if not shape or any(n <= 0 for n in shape):
            raise CodecError(
                f"chunk_shape must be a non-empty list of positive integers, got "
                f"{self.chunk_shape!r}",
                codec=CODEC_NAME,
            )
        location = getattr(self.index_location, "value", self.index_location)
        if location not in ("start", "end"):
            raise CodecError(
                f"index_location must be 'start' or 'end', got {location!r}", codec=CODEC_NAME
            )
        object.__setattr__(self, "chunk_shape", shape)
        object.__setattr__(self, "codecs", _parse_codecs(self.codecs, "codecs"))
        object.__setattr__(self, "index_codecs", _parse_codecs(self.index_codecs, "index_codecs"))
        object.__setattr__(self, "index_location", location)

    # -- JSON ------------------------------------------------------------------------
    @classmethod
    def from_json(cls, configuration: dict[str, Any]) -> ShardingCodec:
        """Build from the ``configuration`` object of a ``sharding_indexed`` entry.

        Raises
        ------
        CodecError
            If a key is unknown, ``chunk_shape`` is missing, or a value is invalid.
        """
        check_configuration(CODEC_NAME, configuration, _CONFIG_KEYS)
        if "chunk_shape" not in configuration:
            raise CodecError("configuration has no chunk_shape", codec=CODEC_NAME)
        kwargs = {k: configuration[k] for k in _CONFIG_KEYS[1:] if k in configuration}
        return cls(configuration["chunk_shape"], **kwargs)

    def to_json(self) -> dict[str, Any]:
        """The v3 metadata entry, as zarr-python 3.1.5 writes it."""
        return {
            "name": CODEC_NAME,
            "configuration": {
                "chunk_shape": list(self.chunk_shape),
                "codecs": [c.to_json() for c in self.codecs],
                "index_codecs": [c.to_json() for c in self.index_codecs],
                "index_location": self.index_location,
            },
        }

    # -- chains and specs ----------------------------------------------------------
    # cached_property writes to the instance __dict__ directly, which a frozen
    # dataclass allows; the chains are then built once per codec, not per chunk.
    @cached_property
    def inner_chain(self) -> CodecChain:
        """The inner chunks' codec chain."""
        return CodecChain.from_codecs(self.codecs)

    @cached_property
    def index_chain(self) -> CodecChain:
        """The index's codec chain."""
        return CodecChain.from_codecs(self.index_codecs)

    def chunks_per_shard(self, shard_spec: ArraySpec) -> tuple[int, ...]:
        """Inner chunks along each axis of a shard of ``shard_spec.shape``."""
        return tuple(s // c for s, c in zip(shard_spec.shape, self.chunk_shape, strict=True))

    def inner_spec(self, shard_spec: ArraySpec) -> ArraySpec:
        """The spec of one inner chunk."""
        return shard_spec.evolve(shape=self.chunk_shape)

    def inner_selection(self, inner_coords: Sequence[int]) -> tuple[slice, ...]:
        """Where inner chunk ``inner_coords`` lies in the decoded shard."""
        return tuple(
            slice(i * n, (i + 1) * n) for i, n in zip(inner_coords, self.chunk_shape, strict=True)
        )

    def index_size(self, chunks_per_shard: tuple[int, ...]) -> int:
        """Encoded size of the index of a shard with ``chunks_per_shard`` inner chunks."""
        return index_size_bytes(self.index_chain, chunks_per_shard)

    # -- Codec API -----------------------------------------------------------------
    def evolve_from_array_spec(self, spec: ArraySpec) -> ShardingCodec:
        """Evolve the inner codecs for an inner chunk, the index codecs for the index."""
        inner = self.inner_chain.evolve_from_array_spec(self.inner_spec(spec))
        index = self.index_chain.evolve_from_array_spec(index_spec(self.chunks_per_shard(spec)))
        if inner.codecs == self.codecs and index.codecs == self.index_codecs:
            return self
        return replace(self, codecs=inner.codecs, index_codecs=index.codecs)

    def validate(self, spec: ArraySpec) -> None:
        """Check that shards of ``spec.shape`` divide into inner chunks.

        Raises
        ------
        CodecError
            If the ranks differ, the shard shape is not a multiple of ``chunk_shape``,
            or the index codecs are not fixed-size.
        """
        if len(spec.shape) != len(self.chunk_shape) or any(
            s % c for s, c in zip(spec.shape, self.chunk_shape, strict=True)
        ):
            raise CodecError(
                f"shard shape {spec.shape} must be a multiple of the inner chunk_shape "
                f"{self.chunk_shape} along every axis",
                codec=CODEC_NAME,
            )
        self.index_size(self.chunks_per_shard(spec))

    def encode(self, chunk: Any, spec: ArraySpec) -> bytes | None:
        """Encode a whole shard; None when every inner chunk is empty and is omitted.

        Config ``array.write_empty_chunks`` decides whether inner chunks equal to the
        fill value are stored; see :func:`encode_shard` to pass it explicitly.
        """
        write_empty = bool(config.get("array.write_empty_chunks"))
        return encode_shard(self, chunk, spec, write_empty_chunks=write_empty)

    def decode(self, data: Encoded, spec: ArraySpec) -> Any:
        """Decode a whole shard; absent inner chunks read as the fill value."""
        return decode_shard(self, data, spec)

    def compute_encoded_size(self, input_size: int, spec: ArraySpec) -> int:
        """Not fixed: empty inner chunks are omitted and inner codecs may compress.

        Raises
        ------
        NotImplementedError
            Always.
        """
        raise NotImplementedError(f"{CODEC_NAME} has no fixed encoded size")


def all_fill_value(chunk: Any, spec: ArraySpec) -> bool:
    """Whether every element of ``chunk`` equals ``spec.fill_value``, as zarr-python decides.

    Fixed-size values compare by their bytes (so -0.0 is not 0.0), except that any NaN
    matches a NaN fill value; variable-length values compare by value.
    """
    fill_value = spec.fill_value
    if fill_value is None:
        return False
    dtype = spec.dtype
    if dtype.kind in "OT":
        return bool(np.all(np.asarray(chunk) == fill_value))
    xp = spec.prototype.xp
    fill = np.asarray(fill_value, dtype=dtype)
    if dtype.kind in "fc" and bool(np.isnan(fill)):
        # As below: a chunk with data usually shows it in its first element.
        first_is_nan = not chunk.size or bool(xp.isnan(chunk[(0,) * chunk.ndim]))
        return first_is_nan and bool(xp.all(xp.isnan(chunk)))
    size = dtype.itemsize
    if size in (1, 2, 4, 8):
        # A same-size view needs no contiguous copy; checking one element first makes
        # the common case (a chunk with data) cost almost nothing.
        word = np.dtype(f"u{size}")
        words, target = chunk.view(word), word.type(fill.view(word).item())
        if words.size and words[(0,) * words.ndim] != target:
            return False
        return bool(xp.all(words == target))
    pattern = xp.asarray(np.frombuffer(fill.tobytes(), dtype=np.uint8))
    data = xp.ascontiguousarray(chunk)
    return bool(xp.all(data.reshape(-1).view(np.uint8).reshape(-1, size) == pattern))


def encode_inner_chunk(
    codec: ShardingCodec, chunk: Any, inner_spec: ArraySpec, write_empty_chunks: bool
) -> Encoded | None:
    """Encode one inner chunk; None when it is empty and ``write_empty_chunks`` is off.

    The flag reaches nested sharding codecs, which ``pipeline.encode_chunk`` (reading
    the config) could not pass down.
    """
    if not write_empty_chunks and all_fill_value(chunk, inner_spec):
        return None
    chain = codec.inner_chain
    specs = chain.specs(inner_spec)
    for aa, s in zip(chain.array_array, specs, strict=False):
        chunk = aa.encode(chunk, s)
    ab = chain.array_bytes
    data: Encoded | None
    if isinstance(ab, ShardingCodec):
        data = encode_shard(ab, chunk, specs[-1], write_empty_chunks=write_empty_chunks)
    else:
        data = ab.encode(chunk, specs[-1])
    if data is None:
        return None
    for bb in chain.bytes_bytes:
        data = bb.encode(data, specs[-1])
    return data


def decode_inner_chunk(codec: ShardingCodec, data: Encoded, shard_spec: ArraySpec) -> Any:
    """Decode the stored bytes of one inner chunk of a shard of ``shard_spec``.

    The result may be a read-only view of ``data``.
    """
    return decode_chunk(codec.inner_chain, data, codec.inner_spec(shard_spec))


def assemble_shard(
    codec: ShardingCodec,
    chunks_per_shard: tuple[int, ...],
    pieces: Iterable[tuple[tuple[int, ...], Encoded | None]],
) -> bytes | None:
    """Lay out encoded inner chunks, in the order given, and the index; None if all absent."""
    index = empty_index(chunks_per_shard)
    chain = codec.index_chain
    # The index has a fixed size, so at the start the chunks' offsets are known up front.
    position = index_size_bytes(chain, chunks_per_shard) if codec.index_location == "start" else 0
    parts: list[Encoded] = []
    for coords, data in pieces:
        nbytes = 0 if data is None else memoryview(data).nbytes
        if nbytes == 0:
            continue
        index[coords] = (position, nbytes)
        parts.append(data)  # type: ignore[arg-type]
        position += nbytes
    if not parts:
        return None
    encoded_index = encode_index(index, chain)
    if codec.index_location == "start":
        return b"".join([encoded_index, *parts])
    return b"".join([*parts, encoded_index])


def encode_shard(
    codec: ShardingCodec, shard: Any, spec: ArraySpec, *, write_empty_chunks: bool
) -> bytes | None:
    """Encode a whole shard of shape ``spec.shape``.

    Parameters
    ----------
    codec : ShardingCodec
    shard : array
        The decoded shard (numpy, or the prototype's array type).
    spec : ArraySpec
        The shard's spec.
    write_empty_chunks : bool
        Store inner chunks equal to the fill value; when False they are omitted and a
        shard with nothing to store encodes to None.

    Raises
    ------
    CodecError
        If ``shard`` does not have shape ``spec.shape``, or an inner codec fails.
    """
    if tuple(shard.shape) != tuple(spec.shape):
        raise CodecError(
            f"shard has shape {tuple(shard.shape)}, expected {spec.shape}", codec=CODEC_NAME
        )
    cps = codec.chunks_per_shard(spec)
    inner = codec.inner_spec(spec)
    pieces = (
        (c, encode_inner_chunk(codec, shard[codec.inner_selection(c)], inner, write_empty_chunks))
        for c in morton_order(cps)
    )
    return assemble_shard(codec, cps, pieces)


def split_shard(
    codec: ShardingCodec, data: Encoded, spec: ArraySpec
) -> tuple[np.ndarray[Any, np.dtype[np.uint64]], memoryview]:
    """The checked index of a whole stored shard, and a byte view of the shard.

    Raises
    ------
    CodecError
        If the shard is shorter than its index or the index is corrupt.
    ChecksumError
        If the index checksum does not match.
    """
    view = memoryview(data).cast("B")
    cps = codec.chunks_per_shard(spec)
    size = codec.index_size(cps)
    if len(view) < size:
        raise CodecError(
            f"shard of {len(view)} bytes is shorter than its {size}-byte index",
            codec=CODEC_NAME,
        )
    chain = codec.index_chain
    if codec.index_location == "start":
        index = decode_index(view[:size], chain, cps, shard_nbytes=len(view), data_start=size)
    else:
        end = len(view) - size
        index = decode_index(view[end:], chain, cps, shard_nbytes=end)
    return index, view


def decode_shard(codec: ShardingCodec, data: Encoded, spec: ArraySpec) -> Any:
    """Decode a whole stored shard into an array made by ``spec.prototype``.

    Raises
    ------
    CodecError, ChecksumError
        If the shard or its index is corrupt, or an inner codec fails.
    """
    index, view = split_shard(codec, data, spec)
    absent = is_empty_entry(index)
    proto = spec.prototype
    if absent.all():
        return proto.full(spec.shape, spec.fill_value, spec.dtype, order=spec.order)
    if absent.any():
        out = proto.full(spec.shape, spec.fill_value, spec.dtype, order=spec.order)
    else:
        out = proto.empty(spec.shape, spec.dtype, order=spec.order)
    for where in np.argwhere(~absent):
        coords = tuple(int(c) for c in where)
        offset, nbytes = (int(v) for v in index[coords])
        chunk = decode_inner_chunk(codec, view[offset : offset + nbytes], spec)
        out[codec.inner_selection(coords)] = chunk
    return out


register_codec(ShardingCodec)
