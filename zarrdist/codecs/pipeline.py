"""The codec pipeline: a validated chain, and plain encode/decode functions.

``CodecChain`` splits a list of codecs into array->array, array->bytes and
bytes->bytes parts, checks their order, and resolves the spec each codec sees.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from zarrdist.codecs._base import (
    ArrayArrayCodec,
    ArrayBytesCodec,
    ArraySpec,
    BytesBytesCodec,
    Codec,
    Encoded,
)
from zarrdist.codecs._bounds import encoded_bound
from zarrdist.errors import CodecError

__all__ = ["CodecChain", "decode_chunk", "decode_chunks", "decode_to_raw", "encode_chunk"]


@dataclass(frozen=True)
class CodecChain:
    """An ordered, validated codec chain.

    Attributes
    ----------
    array_array : tuple of ArrayArrayCodec
    array_bytes : ArrayBytesCodec
    bytes_bytes : tuple of BytesBytesCodec
    """

    array_array: tuple[ArrayArrayCodec, ...]
    array_bytes: ArrayBytesCodec
    bytes_bytes: tuple[BytesBytesCodec, ...]

    @classmethod
    def from_codecs(cls, codecs: Iterable[Codec]) -> CodecChain:
        """Split and validate ``codecs``.

        Raises
        ------
        CodecError
            If the chain does not have exactly one array->bytes codec, or a codec
            stands in the wrong part of the chain.
        """
        aa: list[ArrayArrayCodec] = []
        ab: ArrayBytesCodec | None = None
        bb: list[BytesBytesCodec] = []
        for codec in codecs:
            name = getattr(codec, "v3_name", type(codec).__name__)
            if isinstance(codec, ArrayArrayCodec):
                if ab is not None:
                    raise CodecError("array->array codec after the array->bytes codec", codec=name)
                aa.append(codec)
            elif isinstance(codec, ArrayBytesCodec):
                if ab is not None:
                    raise CodecError("more than one array->bytes codec", codec=name)
                ab = codec
            elif isinstance(codec, BytesBytesCodec):
                if ab is None:
                    raise CodecError("bytes->bytes codec before the array->bytes codec", codec=name)
                bb.append(codec)
            else:
                raise CodecError(f"not a codec: {codec!r}", codec=name)
        if ab is None:
            raise CodecError("codec chain has no array->bytes codec (e.g. 'bytes')")
        return cls(tuple(aa), ab, tuple(bb))

    @property
    def codecs(self) -> tuple[Codec, ...]:
        """Every codec, in chain order."""
        return (*self.array_array, self.array_bytes, *self.bytes_bytes)

    def evolve_from_array_spec(self, spec: ArraySpec) -> CodecChain:
        """Fill in array-dependent settings of every codec, and validate them."""
        # zarr-python 3.1.5 evolves every codec with the *array's* spec, not the spec
        # resolved through earlier filters (blosc typesize, bytes endian, numcodecs
        # shuffle elementsize); doing the same keeps metadata and bytes equal.
        # Validation still sees the spec each codec actually receives.
        array_spec = spec
        aa = []
        for original in self.array_array:
            codec = original.evolve_from_array_spec(array_spec)
            codec.validate(spec)
            aa.append(codec)
            spec = codec.resolve_spec(spec)
        if any(getattr(c, "evolves_later_codecs", False) for c in aa):
            # Codecs zarr-python 3.3+ introduced (cast_value changes the type) come
            # with its rule: later codecs see the spec resolved through them.
            array_spec = spec
        ab = self.array_bytes.evolve_from_array_spec(array_spec)
        ab.validate(spec)
        bb = [c.evolve_from_array_spec(array_spec) for c in self.bytes_bytes]
        for c in bb:
            c.validate(spec)
        return CodecChain(tuple(aa), ab, tuple(bb))  # type: ignore[arg-type]

    def specs(self, spec: ArraySpec) -> list[ArraySpec]:
        """The input spec of each array->array codec, then of the array->bytes codec."""
        out = [spec]
        for codec in self.array_array:
            out.append(codec.resolve_spec(out[-1]))
        return out

    def to_json(self) -> list[dict[str, Any]]:
        """The v3 ``codecs`` list."""
        return [c.to_json() for c in self.codecs]

    def raw_is_native(self, spec: ArraySpec) -> bool:
        """Whether the bytes under the bytes->bytes codecs are the chunk's elements as a
        host array holds them: no array->array codec, and an array->bytes codec that
        stores them so (readers then place raw bytes directly)."""
        return not self.array_array and self.array_bytes.stores_native(spec)

    def decodes_into(self, spec: ArraySpec) -> bool:
        """Whether :meth:`decode_into` may succeed for chunks of ``spec``."""
        return (
            self.raw_is_native(spec)
            and len(self.bytes_bytes) == 1
            and self.bytes_bytes[0].decodes_into
        )

    def decode_into(
        self, data: Encoded, out: memoryview, spec: ArraySpec, need: int | None = None
    ) -> Any | None:
        """The chunk ``data`` decoded through ``out`` (``spec.nbytes`` long), a view of
        it; None when the codec could not, and the chunk must be decoded the usual way.

        ``need``: only the elements in the first ``need`` bytes of the chunk (in C
        order, as the raw bytes lie) are read from the view; the codec may leave the
        rest undefined (see :meth:`BytesBytesCodec.decode_prefix_into`).
        """
        codec = self.bytes_bytes[0]
        if need is None or need >= len(out):
            done = codec.decode_into(data, out)
        else:
            done = codec.decode_prefix_into(data, out, need)
        if not done:
            return None
        return self.array_bytes.decode(out, spec)

    @property
    def is_fixed_size(self) -> bool:
        """Whether every codec's output size depends only on its input size."""
        return all(c.is_fixed_size for c in self.codecs)

    def compute_encoded_size(self, decoded_size: int, spec: ArraySpec) -> int:
        """Encoded size of a chunk of ``decoded_size`` bytes (fixed-size chains only)."""
        size = decoded_size
        specs = self.specs(spec)
        for codec, s in zip(self.array_array, specs, strict=False):
            size = codec.compute_encoded_size(size, s)
        size = self.array_bytes.compute_encoded_size(size, specs[-1])
        for bcodec in self.bytes_bytes:
            size = bcodec.compute_encoded_size(size, specs[-1])
        return size


def encode_chunk(chain: CodecChain, chunk: Any, spec: ArraySpec) -> Encoded | None:
    """Encode one decoded chunk to bytes; None when there is nothing to store."""
    specs = chain.specs(spec)
    for codec, s in zip(chain.array_array, specs, strict=False):
        chunk = codec.encode(chunk, s)
    data = chain.array_bytes.encode(chunk, specs[-1])
    if data is None:
        return None
    for bcodec in chain.bytes_bytes:
        data = bcodec.encode(data, specs[-1])
    return data


def decode_to_raw(chain: CodecChain, datas: Sequence[Encoded], spec: ArraySpec) -> list[Encoded]:
    """Undo the bytes->bytes codecs of stored chunks of one spec, all at once
    (:meth:`BytesBytesCodec.decode_many`): the array->bytes codec's input.

    Each decode is capped at what a chunk of ``spec`` can hold (no decompression
    bombs, see :mod:`zarrdist.codecs._bounds`)."""
    if chain.bytes_bytes and spec.decode_limit is None:
        spec = spec.evolve(decode_limit=encoded_bound(chain, spec))
    for bcodec in reversed(chain.bytes_bytes):
        datas = bcodec.decode_many(datas, spec)
    return list(datas)


def decode_chunks(chain: CodecChain, datas: Sequence[Encoded], spec: ArraySpec) -> list[Any]:
    """Decode stored chunks of one spec, each to an array of ``spec.shape``.

    Bytes->bytes codecs see the whole batch at once, so a batch of small chunks
    pays one call, not one per chunk.
    """
    # The common chain (bytes + compressors) has no spec to resolve per chunk.
    specs = chain.specs(spec) if chain.array_array else [spec]
    array_bytes = chain.array_bytes
    chunks = [
        array_bytes.decode(data, specs[-1]) for data in decode_to_raw(chain, datas, specs[-1])
    ]
    for codec, s in zip(reversed(chain.array_array), reversed(specs[:-1]), strict=True):
        chunks = [codec.decode(chunk, s) for chunk in chunks]
    return chunks


def decode_chunk(chain: CodecChain, data: Encoded, spec: ArraySpec) -> Any:
    """Decode one stored chunk to an array of ``spec.shape`` and ``spec.dtype``."""
    return decode_chunks(chain, [data], spec)[0]
