"""``numcodecs.<id>``: every numcodecs codec as a v3 codec, one generated class per id.

Spec: https://zarr.readthedocs.io/en/stable/api/zarr/codecs/numcodecs/ (zarr-python's
names; the codecs are not in the v3 specification).

v3 names ``numcodecs.<id>`` for each id in ``numcodecs.registry.codec_registry``; v2 id
``<id>``. The kind (array->array filter, array->bytes serialiser, bytes->bytes
compressor or checksum) follows zarr-python 3.1.5's ``zarr.codecs.numcodecs``.

The configuration is the numcodecs config without ``id``, kept as given:

>>> from zarrdist.codecs.registry import codec_from_json
>>> codec_from_json({"name": "numcodecs.delta", "configuration": {"dtype": "<i4"}}).to_json()
{'name': 'numcodecs.delta', 'configuration': {'dtype': '<i4'}}
"""

from __future__ import annotations

import json
import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, ClassVar

import numpy as np
from numcodecs.abc import Codec as Numcodec
from numcodecs.registry import codec_registry

from zarrdist.codecs._base import (
    ArrayArrayCodec,
    ArrayBytesCodec,
    ArraySpec,
    BytesBytesCodec,
    Codec,
    Encoded,
)
from zarrdist.codecs._bounds import bounded_numcodec, limit_of
from zarrdist.codecs._numcodecs_calls import UNSAFE_IDS, as_encoded, get_numcodec, numcodecs_call
from zarrdist.codecs.registry import register_codec
from zarrdist.errors import CodecError, ZarrUserWarning

__all__ = ["NumcodecsCodec", "numcodecs_class"]

_ARRAY_ARRAY = frozenset(
    {"delta", "bitround", "fixedscaleoffset", "quantize", "packbits", "astype", "categorize"}
)
_ARRAY_BYTES = frozenset(
    {"pcodec", "zfpy", "vlen-utf8", "vlen-bytes", "vlen-array", "json2", "msgpack2", "pickle"}
)
# v2 ids that built-in codecs claim (gzip.py, zstd.py, ...); skipping them here keeps
# the registry independent of import order.
_BUILTIN_V2_IDS = frozenset({"blosc", "gzip", "zstd", "vlen-utf8", "vlen-bytes"})
# Settings zarr-python fills in from the array when absent: (config key, from dtype).
_EVOLVE: dict[str, tuple[str, Callable[[np.dtype[Any]], Any]]] = {
    "shuffle": ("elementsize", lambda dt: dt.itemsize),
    "fixedscaleoffset": ("dtype", str),
    "quantize": ("dtype", str),
    "astype": ("decode_dtype", str),
}


def _warn_numcodecs_codec(stacklevel: int = 3) -> None:
    """A ``numcodecs.<id>`` codec made for a v3 array: zarr-python warns (at each
    construction, reads included) that other implementations may not read it."""
    warnings.warn(
        "Numcodecs codecs are not in the Zarr version 3 specification and may not be "
        "supported by other zarr implementations.",
        ZarrUserWarning,
        stacklevel=stacklevel,
    )


@dataclass(frozen=True, init=False)
class NumcodecsCodec(Codec):
    """A numcodecs codec under its zarr-python v3 name ``numcodecs.<id>``.

    Built from the configuration as a dict, ``Delta(configuration={"dtype":
    "<f4"})``, or as keywords the way zarr-python's ``zarr.codecs.numcodecs.Delta(dtype=
    "<f4")`` is (:mod:`zarrdist.codecs.numcodecs` has those names).
    """

    configuration: dict[str, Any] = field(default_factory=dict)
    """The numcodecs configuration without ``id``, as written in metadata."""

    codec_id: ClassVar[str]
    unsafe: ClassVar[bool] = False

    def __init__(self, configuration: dict[str, Any] | None = None, **codec_config: Any) -> None:
        if configuration is not None and codec_config:
            raise TypeError(
                f"{type(self).__name__}: give the configuration as a dict or as keywords, not both"
            )
        config = dict(codec_config if configuration is None else configuration)
        object.__setattr__(self, "configuration", config)
        _warn_numcodecs_codec()

    def __hash__(self) -> int:
        return hash((self.v3_name, json.dumps(self.configuration, sort_keys=True, default=str)))

    @classmethod
    def from_json(cls, configuration: dict[str, Any]) -> NumcodecsCodec:
        """Build from the numcodecs config (an ``id`` key, if present, must match)."""
        config = dict(configuration)
        if config.pop("id", cls.codec_id) != cls.codec_id:
            raise CodecError(f"configuration id {configuration['id']!r}", codec=cls.v3_name)
        return cls(configuration=config)

    def to_json(self) -> dict[str, Any]:
        """``{"name": "numcodecs.<id>", "configuration": {...}}``."""
        return {"name": self.v3_name, "configuration": dict(self.configuration)}

    @cached_property
    def numcodec(self) -> Numcodec:
        """The wrapped numcodecs codec."""
        return get_numcodec({"id": self.codec_id, **self.configuration})

    def evolve_from_array_spec(self, spec: ArraySpec) -> NumcodecsCodec:
        """Fill in dtype-dependent settings the way zarr-python does."""
        key, derive = _EVOLVE.get(self.codec_id, (None, str))
        if key is None or self.configuration.get(key) is not None:
            return self
        return type(self)(configuration={**self.configuration, key: derive(spec.dtype)})

    def validate(self, spec: ArraySpec) -> None:
        """Build the numcodecs codec, so a bad configuration fails before any data."""
        _ = self.numcodec

    def resolve_spec(self, spec: ArraySpec) -> ArraySpec:
        """Shape and dtype of this codec's output (filters that change them)."""
        cfg = self.configuration
        if self.codec_id == "packbits":
            size = math.prod(spec.shape)
            return spec.evolve(shape=(1 + math.ceil(size / 8),), dtype=np.dtype("u1"))
        out_dtype = {
            "delta": cfg.get("astype"),
            "fixedscaleoffset": cfg.get("astype"),
            "quantize": cfg.get("astype"),
            "astype": cfg.get("encode_dtype"),
            "categorize": cfg.get("astype", "u1"),
        }.get(self.codec_id)
        if out_dtype is None or not isinstance(self, ArrayArrayCodec):
            return spec
        return spec.evolve(dtype=np.dtype(out_dtype))

    def _run(self, fn: Callable[[Any], Any], data: Any) -> Any:
        return numcodecs_call(self.v3_name, fn, data)


class _ArrayArray(NumcodecsCodec, ArrayArrayCodec):
    def encode(self, chunk: Any, spec: ArraySpec) -> Any:
        # v3 chunks are logically C-ordered; numcodecs flattens in memory order.
        arr = np.ascontiguousarray(spec.prototype.to_host(chunk))
        out = self._run(self.numcodec.encode, arr)
        return np.asarray(out).reshape(self.resolve_spec(spec).shape)

    def decode(self, chunk: Any, spec: ArraySpec) -> Any:
        arr = np.ascontiguousarray(spec.prototype.to_host(chunk))
        return np.asarray(self._run(self.numcodec.decode, arr)).reshape(spec.shape)


class _ArrayBytes(NumcodecsCodec, ArrayBytesCodec):
    def encode(self, chunk: Any, spec: ArraySpec) -> Encoded:
        arr = np.ascontiguousarray(spec.prototype.to_host(chunk))
        if arr.dtype.kind == "T":
            arr = arr.astype(object)
        return as_encoded(self._run(self.numcodec.encode, arr))

    def decode(self, data: Encoded, spec: ArraySpec) -> Any:
        out = np.asarray(self._run(self.numcodec.decode, data)).reshape(spec.shape)
        if out.dtype != spec.dtype and (out.dtype.kind == "O" or spec.dtype.kind == "T"):
            out = out.astype(spec.dtype)
        return out


class _BytesBytes(NumcodecsCodec, BytesBytesCodec):
    def encode(self, data: Encoded, spec: ArraySpec) -> Encoded:
        return as_encoded(self._run(self.numcodec.encode, data))

    def decode(self, data: Encoded, spec: ArraySpec) -> Encoded:
        return as_encoded(
            bounded_numcodec(
                self.codec_id,
                self.numcodec,
                data,
                limit_of(spec),
                numcodecs_call,
                self.v3_name,
            )
        )


#: zarr-python's class names (``zarr.codecs.numcodecs``) for the ids it wraps; the
#: others are named ``Numcodecs<Id>``. Code and test ids that name classes match.
_ZARR_PYTHON_NAMES = {
    "bz2": "BZ2", "crc32": "CRC32", "crc32c": "CRC32C", "lz4": "LZ4", "lzma": "LZMA",
    "zfpy": "ZFPY", "adler32": "Adler32", "astype": "AsType", "bitround": "BitRound",
    "blosc": "Blosc", "delta": "Delta", "fixedscaleoffset": "FixedScaleOffset",
    "fletcher32": "Fletcher32", "gzip": "GZip", "jenkins_lookup3": "JenkinsLookup3",
    "pcodec": "PCodec", "packbits": "PackBits", "quantize": "Quantize",
    "shuffle": "Shuffle", "zlib": "Zlib", "zstd": "Zstd",
}  # fmt: skip


def numcodecs_class(codec_id: str) -> type[NumcodecsCodec]:
    """The (generated, registered) adapter class for numcodecs id ``codec_id``."""
    base: type[NumcodecsCodec] = (
        _ArrayArray
        if codec_id in _ARRAY_ARRAY
        else _ArrayBytes
        if codec_id in _ARRAY_BYTES
        else _BytesBytes
    )
    title = "".join(part.capitalize() for part in codec_id.replace("-", "_").split("_"))
    namespace = {
        "codec_id": codec_id,
        "v3_name": f"numcodecs.{codec_id}",
        "v2_ids": () if codec_id in _BUILTIN_V2_IDS else (codec_id,),
        "unsafe": codec_id in UNSAFE_IDS,
        "codec_name": f"numcodecs.{codec_id}",  # zarr-python's attribute for the v3 name
        "__doc__": (
            f"numcodecs ``{codec_id}`` under the v3 name ``numcodecs.{codec_id}``. "
            f"See [numcodecs.{codec_id}][] in numcodecs' documentation for its configuration."
        ),
        "__module__": __name__,
    }
    cls = type(_ZARR_PYTHON_NAMES.get(codec_id, f"Numcodecs{title}"), (base,), namespace)
    # A module global under its own name, so instances pickle (they cross workers).
    globals()[cls.__name__] = cls
    register_codec(cls)
    return cls


for _codec_id in sorted({*codec_registry, "pcodec", "zfpy"}):
    numcodecs_class(_codec_id)
