"""Codec ABCs and the array spec that codecs see.

A codec chain is ``ArrayArrayCodec* -> ArrayBytesCodec -> BytesBytesCodec*``.
Codecs are synchronous: the caller (a dask task, or the direct path) decides
where they run. numcodecs compressors release the GIL, so threads scale.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar, Literal

import numpy as np

from zarrdist.chunkio.buffers import NDBufferPrototype, cpu_prototype
from zarrdist.errors import CodecError

__all__ = [
    "ArrayArrayCodec",
    "ArrayBytesCodec",
    "ArraySpec",
    "BytesBytesCodec",
    "Codec",
    "Encoded",
    "check_configuration",
    "json_lists",
    "json_tuples",
]


def json_tuples(value: Any) -> Any:
    """``value`` with every JSON array as a tuple (zarr-python's ``to_dict`` form)."""
    if isinstance(value, dict):
        return {k: json_tuples(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return tuple(json_tuples(v) for v in value)
    return value


def json_lists(value: Any) -> Any:
    """``value`` with every tuple as a list (the JSON document form)."""
    if isinstance(value, dict):
        return {k: json_lists(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_lists(v) for v in value]
    return value


#: Encoded data: 1-D bytes on the host.
Encoded = bytes | bytearray | memoryview


@dataclass(frozen=True)
class ArraySpec:
    """What a codec needs to know about the chunk it encodes or decodes.

    Attributes
    ----------
    shape : tuple of int
        Shape of the (decoded) chunk.
    dtype : numpy.dtype
        In-memory dtype of the decoded chunk (native byte order for v3; the stored
        byte order for v2).
    fill_value : Any
        Fill value as a numpy scalar (or Python object for variable-length types).
    order : {"C", "F"}
        Memory order of decoded chunks.
    prototype : NDBufferPrototype
        Array module for decoded chunks.
    """

    shape: tuple[int, ...]
    dtype: np.dtype[Any]
    fill_value: Any = None
    order: Literal["C", "F"] = "C"
    prototype: NDBufferPrototype = field(default=cpu_prototype, compare=False)
    #: The most bytes a bytes->bytes codec may decode to for this chunk (set by the
    #: pipeline from the chain, see zarrdist.codecs._bounds); None: unchecked.
    decode_limit: int | None = field(default=None, compare=False)

    @property
    def ndim(self) -> int:
        """Number of dimensions."""
        return len(self.shape)

    @property
    def nbytes(self) -> int:
        """Decoded size in bytes (itemsize x elements; an estimate for vlen types)."""
        return math.prod(self.shape) * max(self.dtype.itemsize, 1)

    def evolve(self, **changes: Any) -> ArraySpec:
        """A copy with some fields changed."""
        return replace(self, **changes)


class Codec(ABC):
    """Base of every codec.

    Class attributes
    ----------------
    v3_name : str
        Name in v3 metadata (``"zstd"``, ``"numcodecs.delta"``).
    v2_ids : tuple of str
        numcodecs ids under which v2 metadata names it (empty if none).
    """

    v3_name: ClassVar[str]
    v2_ids: ClassVar[tuple[str, ...]] = ()
    #: Whether the encoded size depends only on the decoded size.
    is_fixed_size: ClassVar[bool] = False

    @classmethod
    @abstractmethod
    def from_json(cls, configuration: dict[str, Any]) -> Codec:
        """Build the codec from the ``configuration`` object of its metadata entry."""

    @abstractmethod
    def to_json(self) -> dict[str, Any]:
        """The v3 metadata entry: ``{"name": ..., "configuration": {...}}``."""

    def to_dict(self) -> dict[str, Any]:
        """zarr-python's ``to_dict``: the metadata entry, its arrays as tuples."""
        out: dict[str, Any] = json_tuples(self.to_json())
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Codec:
        """zarr-python's ``from_dict``: the codec of a ``{"name", "configuration"}`` entry."""
        return cls.from_json(json_lists(dict(data.get("configuration") or {})))

    def evolve_from_array_spec(self, spec: ArraySpec) -> Codec:
        """Fill in settings that depend on the array (blosc typesize, bytes endian)."""
        return self

    def validate(self, spec: ArraySpec) -> None:
        """Raise CodecError if this codec cannot handle arrays like ``spec``."""

    def resolve_spec(self, spec: ArraySpec) -> ArraySpec:
        """The spec of this codec's output, given the spec of its input."""
        return spec

    def compute_encoded_size(self, input_size: int, spec: ArraySpec) -> int:
        """Encoded size for fixed-size codecs.

        Raises
        ------
        NotImplementedError
            For codecs whose output size depends on the data.
        """
        raise NotImplementedError(f"{self.v3_name} has no fixed encoded size")


class ArrayArrayCodec(Codec):
    """Array in, array out (``transpose``, numcodecs filters)."""

    @abstractmethod
    def encode(self, chunk: Any, spec: ArraySpec) -> Any:
        """Encode a decoded chunk (shape ``spec.shape``)."""

    @abstractmethod
    def decode(self, chunk: Any, spec: ArraySpec) -> Any:
        """Decode back to an array of shape ``spec.shape`` (the input spec)."""


class ArrayBytesCodec(Codec):
    """Array in, bytes out (``bytes``, ``vlen-utf8``, ``sharding_indexed``)."""

    @abstractmethod
    def encode(self, chunk: Any, spec: ArraySpec) -> Encoded | None:
        """Serialise a chunk; None means "nothing to store" (an all-empty shard)."""

    @abstractmethod
    def decode(self, data: Encoded, spec: ArraySpec) -> Any:
        """Deserialise bytes to an array of ``spec.shape`` and ``spec.dtype``."""

    def stores_native(self, spec: ArraySpec) -> bool:
        """Whether the encoded bytes are the chunk's elements exactly as a host array
        holds them (C order, no byte swap, no objects), so readers may copy them as
        they are. A capability: False unless a codec says otherwise."""
        return False


class BytesBytesCodec(Codec):
    """Bytes in, bytes out (compressors, checksums)."""

    @abstractmethod
    def encode(self, data: Encoded, spec: ArraySpec) -> Encoded:
        """Transform encoded bytes."""

    @abstractmethod
    def decode(self, data: Encoded, spec: ArraySpec) -> Encoded:
        """Invert :meth:`encode`."""

    def decode_into(self, data: Encoded, out: memoryview) -> bool:
        """Decode ``data`` straight into ``out``, which it must fill exactly; whether it did.

        A capability a codec may offer (:attr:`decodes_into`): a reader that reuses
        one buffer per thread asks for it, since a new buffer per large chunk is new
        memory to fault in. False, with ``out`` undefined, means "decode the usual
        way", which also names any fault.
        """
        return False

    #: Whether :meth:`decode_into` can succeed (the codec overrides it).
    decodes_into: ClassVar[bool] = False

    def decode_prefix_into(self, data: Encoded, out: memoryview, need: int) -> bool:
        """:meth:`decode_into`, of which only the first ``need`` bytes of ``out`` must
        come out right: a codec that decodes in order may stop there and leave the
        rest of ``out`` undefined (a read of a few elements of a large chunk). This
        default decodes it all."""
        return self.decode_into(data, out)

    def decode_many(self, datas: Sequence[Encoded], spec: ArraySpec) -> list[Encoded]:
        """:meth:`decode` each of several values of one spec.

        Codecs whose library decodes a batch in one call (releasing the GIL once,
        not once per small chunk) override this; the result must equal the loop's.
        """
        return [self.decode(data, spec) for data in datas]


def check_configuration(
    codec: str, configuration: dict[str, Any], allowed: tuple[str, ...]
) -> dict[str, Any]:
    """Refuse configuration keys a codec does not know, naming the codec and the keys.

    Returns
    -------
    dict
        ``configuration`` itself, for chaining.

    Raises
    ------
    CodecError
        If a key is not in ``allowed``, or the configuration is not an object.
    """
    if not isinstance(configuration, dict):
        raise CodecError(f"configuration must be a JSON object, got {configuration!r}", codec=codec)
    unknown = sorted(set(configuration) - set(allowed))
    if unknown:
        raise CodecError(
            f"unknown configuration keys {unknown}; expected a subset of {list(allowed)}",
            codec=codec,
        )
    return configuration
