"""The Zarr v2 chunk encoding: array in ``order``, numcodecs filters, one compressor.

Spec: https://zarr-specs.readthedocs.io/en/latest/v2/v2.0.html#chunks

Not a v3 codec (never registered by name): ``.zarray`` names the ``filters`` and the
``compressor`` by numcodecs id, and this class is the array->bytes codec that
stands for the whole v2 chain.

>>> from zarrdist.codecs.v2 import V2Codec
>>> codec = V2Codec(filters=({"id": "delta", "dtype": "<i4"},), compressor={"id": "zlib"})
>>> codec.filters_json(), codec.compressor_json()
([{'id': 'delta', 'dtype': '<i4', 'astype': '<i4'}], {'id': 'zlib', 'level': 1})
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

import numpy as np
from numcodecs.abc import Codec as Numcodec
from numcodecs.compat import ensure_ndarray_like

from zarrdist.codecs._base import ArrayBytesCodec, ArraySpec, Encoded, check_configuration
from zarrdist.codecs._bounds import FRAMING, bounded_numcodec, fixed_bound
from zarrdist.codecs._numcodecs_calls import get_numcodec, numcodecs_call
from zarrdist.config import config
from zarrdist.errors import CodecError

__all__ = ["OBJECT_CODEC_IDS", "V2Codec"]

_NAME = "v2"
#: numcodecs ids that turn an object array into something storable.
OBJECT_CODEC_IDS = frozenset(
    {"vlen-utf8", "vlen-bytes", "vlen-array", "json2", "msgpack2", "pickle", "categorize"}
)


def _as_config(item: dict[str, Any] | Numcodec) -> dict[str, Any]:
    return dict(item) if isinstance(item, dict) else dict(item.get_config())


def _memory_bytes(arr: np.ndarray[Any, Any]) -> Encoded:
    """The bytes of ``arr`` in its memory order (F-ordered arrays stay F), like numcodecs."""
    if not (arr.flags.c_contiguous or arr.flags.f_contiguous):
        arr = np.ascontiguousarray(arr)
    return arr.reshape(-1, order="A").view(np.uint8).data


@dataclass(frozen=True, init=False)
class V2Codec(ArrayBytesCodec):
    """Encode chunks as zarr v2 does.

    Parameters
    ----------
    filters : sequence of dict (or numcodecs codecs), or None
        numcodecs configs (with ``id``) applied in order on encode.
    compressor : dict (or numcodecs codec), or None
        numcodecs config of the compressor.
    order : {"C", "F"}
        Memory layout of the chunk before filters and compression.

    Raises
    ------
    UnknownCodecError
        If a filter or compressor is not installed, or unpickles and is not allowed.
    CodecError
        If a configuration is invalid.
    """

    filters: tuple[dict[str, Any], ...] | None = None
    """numcodecs filter configs, in encode order."""
    compressor: dict[str, Any] | None = None
    """numcodecs compressor config."""
    order: Literal["C", "F"] = "C"
    """Memory layout of the chunk's bytes."""
    _filters: tuple[Numcodec, ...] = field(init=False, repr=False, compare=False)
    _compressor: Numcodec | None = field(init=False, repr=False, compare=False)

    v3_name: ClassVar[str] = _NAME

    def __init__(
        self,
        filters: Sequence[dict[str, Any] | Numcodec] | None = None,
        compressor: dict[str, Any] | Numcodec | None = None,
        order: Literal["C", "F"] = "C",
    ) -> None:
        filters = None if not filters else tuple(_as_config(f) for f in filters)
        compressor = None if compressor is None else _as_config(compressor)
        if order not in ("C", "F"):
            raise CodecError(f"order must be 'C' or 'F', got {order!r}", codec=_NAME)
        object.__setattr__(self, "order", order)
        built = tuple(get_numcodec(f) for f in filters or ())
        built_compressor = None if compressor is None else get_numcodec(compressor)
        object.__setattr__(self, "_filters", built)
        object.__setattr__(self, "_compressor", built_compressor)
        # Keep the full get_config() forms, so equal chains compare equal however
        # they were spelled ({"id": "zstd"} == {"id": "zstd", "level": 0, ...}).
        compressor = None if built_compressor is None else dict(built_compressor.get_config())
        object.__setattr__(self, "filters", tuple(dict(f.get_config()) for f in built) or None)
        object.__setattr__(self, "compressor", compressor)

    def __hash__(self) -> int:
        state = [self.filters, self.compressor, self.order]
        return hash(json.dumps(state, sort_keys=True, default=str))

    @classmethod
    def from_json(cls, configuration: dict[str, Any]) -> V2Codec:
        """Build from ``{"filters": [...] | null, "compressor": {...} | null, "order": ...}``."""
        config = check_configuration(_NAME, configuration, ("filters", "compressor", "order"))
        return cls(
            filters=tuple(config.get("filters") or ()) or None,
            compressor=config.get("compressor"),
            order=config.get("order", "C"),
        )

    def to_json(self) -> dict[str, Any]:
        """This chain as a configuration object (not a v3 metadata entry)."""
        filters, compressor = self.filters_json(), self.compressor_json()
        config = {"filters": filters, "compressor": compressor, "order": self.order}
        return {"name": _NAME, "configuration": config}

    @property
    def numcodecs_filters(self) -> tuple[Numcodec, ...]:
        """The filters as numcodecs codec objects, in encode order."""
        return self._filters

    @property
    def numcodecs_compressor(self) -> Numcodec | None:
        """The compressor as a numcodecs codec object, or None."""
        return self._compressor

    def filters_json(self) -> list[dict[str, Any]] | None:
        """The ``.zarray`` ``filters`` value: each filter's numcodecs ``get_config()``."""
        return [dict(f.get_config()) for f in self._filters] or None

    def compressor_json(self) -> dict[str, Any] | None:
        """The ``.zarray`` ``compressor`` value: numcodecs ``get_config()``, or None."""
        if self._compressor is None:
            return None
        config = dict(self._compressor.get_config())
        # zarr-python 3.1.5 drops a false zstd "checksum" so that numcodecs releases
        # before the key existed can read the array (zarr-python issue #2647).
        if config["id"] == "zstd" and not config.get("checksum", False):
            config.pop("checksum", None)
        return config

    def encode(self, chunk: Any, spec: ArraySpec) -> Encoded:
        """Stored dtype in ``order``, then the filters, then the compressor.

        Raises
        ------
        CodecError
            If a filter or the compressor fails, or an object array reaches the
            compressor without an object codec among the filters.
        """
        arr = spec.prototype.to_host(chunk)
        if arr.shape != spec.shape:
            raise CodecError(f"chunk has shape {arr.shape}, expected {spec.shape}", codec=_NAME)
        dtype = np.dtype(object) if spec.dtype.kind == "T" else spec.dtype
        data: Any = arr.astype(dtype, order=self.order, copy=False)
        for f in self._filters:
            data = numcodecs_call(f.codec_id, f.encode, data)
        if ensure_ndarray_like(data).dtype == object:
            raise CodecError(
                f"an object array ({spec.dtype}) needs an object codec among the filters, "
                f"one of {sorted(OBJECT_CODEC_IDS)}",
                codec=_NAME,
            )
        if self._compressor is not None:
            data = numcodecs_call(self._compressor.codec_id, self._compressor.encode, data)
        if isinstance(data, bytes | bytearray | memoryview):
            return data
        return _memory_bytes(np.asarray(data))

    def _decode_limit(self, spec: ArraySpec) -> int:
        """The most bytes the compressor may decode to: the chunk's size (filters
        may widen items, up to 8x), or ``codecs.max_vlen_chunk_bytes`` for objects."""
        fixed = fixed_bound(spec)
        if fixed is None or any(f.codec_id in OBJECT_CODEC_IDS for f in self._filters):
            return int(config.get("codecs.max_vlen_chunk_bytes"))
        return fixed * (8 if self._filters else 1) + FRAMING

    def decode(self, data: Encoded, spec: ArraySpec) -> Any:
        """Invert :meth:`encode`: an array of ``spec.shape`` laid out in ``order``.

        Raises
        ------
        CodecError
            If decompression or a filter fails, or the result does not fit the spec.
        """
        chunk: Any = data
        if self._compressor is not None:
            compressor = self._compressor
            chunk = bounded_numcodec(
                compressor.codec_id, compressor, chunk, self._decode_limit(spec), numcodecs_call
            )
        for f in reversed(self._filters):
            chunk = numcodecs_call(f.codec_id, f.decode, chunk)
        arr = ensure_ndarray_like(chunk)
        if spec.dtype.kind == "O" and arr.dtype != object:
            raise CodecError("object array decoded without an object codec", codec=_NAME)
        if arr.dtype == object and spec.dtype.kind != "O":
            arr = arr.astype(spec.dtype)
        elif arr.dtype != spec.dtype:
            if arr.nbytes % max(spec.dtype.itemsize, 1):
                raise CodecError(
                    f"decoded {arr.nbytes} bytes, not a multiple of the item size of {spec.dtype}",
                    codec=_NAME,
                )
            arr = arr.reshape(-1, order="A").view(spec.dtype)
        count = int(np.prod(spec.shape, dtype=np.int64))
        if arr.size != count:
            raise CodecError(
                f"decoded {arr.size} items of {spec.dtype}, expected {count} for shape "
                f"{spec.shape}",
                codec=_NAME,
            )
        return arr.reshape(-1, order="A").reshape(spec.shape, order=self.order)
