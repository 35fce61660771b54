"""``cast_value``: store the values converted to another numeric data type.

Spec: https://github.com/zarr-developers/zarr-extensions/tree/main/codecs/cast_value

v3 name ``cast_value`` (zarr-python 3.3+, which needs the ``cast-value-rs`` package;
zarrdist does it with NumPy). Array -> array: encoding converts each value to
``data_type`` and decoding converts it back, rounding as ``rounding`` says, and a
value outside the target's range is an error unless ``out_of_range`` is ``"clamp"``
(to the nearest end of an integer range; the infinity of that sign for a float
target, as cast-value-rs, zarr-python's backend, does) or ``"wrap"`` (modulo,
integer targets only). ``scalar_map``
pairs map particular values (``"NaN"`` for instance) explicitly, per direction.

>>> from zarrdist.codecs.cast_value import CastValueCodec
>>> CastValueCodec(data_type="uint8", out_of_range="clamp").to_json()
{'name': 'cast_value', 'configuration': {'data_type': 'uint8', 'out_of_range': 'clamp'}}
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from zarrdist.codecs._base import ArrayArrayCodec, ArraySpec, check_configuration
from zarrdist.codecs.registry import register_codec
from zarrdist.codecs.scale_offset import json_scalar
from zarrdist.errors import CodecError

__all__ = ["CastValue", "CastValueCodec"]

_NAME = "cast_value"
_INTS = {f"{p}int{n}": np.dtype(f"{p}int{n}") for p in ("", "u") for n in (8, 16, 32, 64)}
_FLOATS = {f"float{n}": np.dtype(f"float{n}") for n in (16, 32, 64)}
_TYPES = {**_INTS, **_FLOATS}
_ROUNDING = ("nearest-even", "towards-zero", "towards-positive", "towards-negative", "nearest-away")
_OUT_OF_RANGE = (None, "clamp", "wrap")
_DIRECTIONS = ("encode", "decode")


def _round(values: np.ndarray[Any, Any], mode: str) -> np.ndarray[Any, Any]:
    rounding = {
        "nearest-even": np.rint,
        "towards-zero": np.trunc,
        "towards-positive": np.ceil,
        "towards-negative": np.floor,
    }.get(mode)
    out: np.ndarray[Any, Any] = (
        rounding(values)
        if rounding is not None
        else np.sign(values) * np.floor(np.abs(values) + 0.5)
    )
    return out


def _parse_map(scalar_map: Any) -> dict[str, tuple[tuple[Any, Any], ...]]:
    if scalar_map is None:
        return {}
    if not isinstance(scalar_map, Mapping) or set(scalar_map) - set(_DIRECTIONS):
        raise CodecError(
            f"scalar_map must be an object with 'encode' and/or 'decode', got {scalar_map!r}",
            codec=_NAME,
        )
    out: dict[str, tuple[tuple[Any, Any], ...]] = {}
    for direction, entries in scalar_map.items():
        pairs = entries.items() if isinstance(entries, Mapping) else entries
        try:
            out[direction] = tuple((k, v) for k, v in pairs)
        except (TypeError, ValueError) as exc:
            raise CodecError(
                f"scalar_map.{direction} must be a list of [from, to] pairs, got {entries!r}",
                codec=_NAME,
            ) from exc
    return out


@dataclass(frozen=True, init=False)
class CastValueCodec(ArrayArrayCodec):
    """Value conversion to ``data_type`` (an integer or floating-point type).

    Parameters
    ----------
    data_type : str
        The stored type, a v3 name (``"uint8"``, ``"float32"``, ...).
    rounding : str
        ``"nearest-even"`` (default), ``"towards-zero"``, ``"towards-positive"``,
        ``"towards-negative"`` or ``"nearest-away"``.
    out_of_range : {None, "clamp", "wrap"}
        None (default): a value the target cannot hold is an error.
    scalar_map : mapping, optional
        ``{"encode": [[from, to], ...], "decode": [[from, to], ...]}``.
    """

    data_type: str
    rounding: str
    out_of_range: str | None
    scalar_map: dict[str, tuple[tuple[Any, Any], ...]]

    v3_name: ClassVar[str] = _NAME
    is_fixed_size: ClassVar[bool] = True
    #: The serializer after it is evolved for the stored type (``bytes`` of a
    #: uint8 target has no endian), as zarr-python 3.4 writes it.
    evolves_later_codecs: ClassVar[bool] = True

    def __init__(
        self,
        *,
        data_type: str,
        rounding: str = "nearest-even",
        out_of_range: str | None = None,
        scalar_map: Any = None,
    ) -> None:
        if data_type not in _TYPES:
            raise CodecError(
                f"data_type must be an integer or floating-point type, got {data_type!r}",
                codec=_NAME,
            )
        if rounding not in _ROUNDING:
            raise CodecError(
                f"rounding must be one of {list(_ROUNDING)}, got {rounding!r}", codec=_NAME
            )
        if out_of_range not in _OUT_OF_RANGE:
            raise CodecError(
                f"out_of_range must be null, 'clamp' or 'wrap', got {out_of_range!r}", codec=_NAME
            )
        if out_of_range == "wrap" and data_type not in _INTS:
            raise CodecError("out_of_range='wrap' needs an integer data_type", codec=_NAME)
        object.__setattr__(self, "data_type", data_type)
        object.__setattr__(self, "rounding", rounding)
        object.__setattr__(self, "out_of_range", out_of_range)
        object.__setattr__(self, "scalar_map", _parse_map(scalar_map))

    @classmethod
    def from_json(cls, configuration: dict[str, Any]) -> CastValueCodec:
        """Build from the configuration object (``data_type`` required)."""
        keys = ("data_type", "rounding", "out_of_range", "scalar_map")
        config = check_configuration(_NAME, configuration, keys)
        if "data_type" not in config:
            raise CodecError("configuration needs 'data_type'", codec=_NAME)
        return cls(**config)

    def to_json(self) -> dict[str, Any]:
        """Defaults left out, as zarr-python writes them."""
        config: dict[str, Any] = {"data_type": self.data_type}
        if self.rounding != "nearest-even":
            config["rounding"] = self.rounding
        if self.out_of_range is not None:
            config["out_of_range"] = self.out_of_range
        if self.scalar_map:
            config["scalar_map"] = {d: [list(p) for p in v] for d, v in self.scalar_map.items()}
        return {"name": _NAME, "configuration": config}

    def validate(self, spec: ArraySpec) -> None:
        """The array's type must be an integer or float type; the map must fit both types."""
        source = np.dtype(spec.dtype).newbyteorder("=")
        if source not in _TYPES.values():
            raise CodecError(
                f"the array's data type must be an integer or floating-point type, got {spec.dtype}",
                codec=_NAME,
            )
        self._map(source, "encode")
        self._map(source, "decode")

    def _map(self, source: np.dtype[Any], direction: str) -> list[tuple[Any, Any]]:
        target = _TYPES[self.data_type]
        key_t, val_t = (source, target) if direction == "encode" else (target, source)
        return [
            (
                json_scalar(k, key_t, codec=_NAME, what=f"scalar_map.{direction} key"),
                json_scalar(v, val_t, codec=_NAME, what=f"scalar_map.{direction} value"),
            )
            for k, v in self.scalar_map.get(direction, ())
        ]

    def resolve_spec(self, spec: ArraySpec) -> ArraySpec:
        """The stored type, with the fill value cast like any element."""
        target = _TYPES[self.data_type]
        fill = spec.fill_value
        if fill is not None:
            source = np.asarray(fill, dtype=spec.dtype).reshape(1)
            fill = self._cast(source, target, "encode")[0]
        return spec.evolve(dtype=target, fill_value=fill)

    def encode(self, chunk: Any, spec: ArraySpec) -> Any:
        """Values converted to ``data_type``."""
        return self._cast(np.asarray(chunk), _TYPES[self.data_type], "encode")

    def decode(self, chunk: Any, spec: ArraySpec) -> Any:
        """Values converted back to the array's type."""
        return self._cast(np.asarray(chunk), np.dtype(spec.dtype), "decode")

    def _cast(
        self, values: np.ndarray[Any, Any], target: np.dtype[Any], direction: str
    ) -> np.ndarray[Any, Any]:
        values = values.astype(values.dtype.newbyteorder("="), copy=False)
        mapped = np.zeros(values.shape, dtype=bool)
        out = np.empty(values.shape, dtype=target.newbyteorder("="))
        # The map's types are the array's (source) type and data_type, either way round.
        source = values.dtype if direction == "encode" else target.newbyteorder("=")
        for key, value in self._map(source, direction):
            hit = np.isnan(values) if _isnan(key) else values == key
            hit &= ~mapped
            out[hit] = value
            mapped |= hit
        rest = ~mapped
        if target.kind == "f":
            out[rest] = self._to_float(values[rest], target)
        else:
            out[rest] = self._to_int(values[rest], target)
        return out.astype(target, copy=False)

    def _to_float(self, values: np.ndarray[Any, Any], target: np.dtype[Any]) -> Any:
        if values.dtype.kind == "f" and values.dtype.itemsize > target.itemsize:
            if self.rounding != "nearest-even":
                raise CodecError(
                    f"rounding={self.rounding!r} to a narrower float type is not supported "
                    f"by zarrdist ({values.dtype} -> {target})",
                    codec=_NAME,
                )
            finite = np.isfinite(values)
            top = float(np.finfo(target).max)
            over = finite & (np.abs(values) > top)
            # Beyond the target's finite range: an error, or (clamp) the infinity of
            # that sign, which is what cast-value-rs (zarr-python's backend) gives.
            if np.any(over) and self.out_of_range != "clamp":
                raise self._range_error(values[over], target)
        with np.errstate(over="ignore"):
            return values.astype(target)

    def _to_int(self, values: np.ndarray[Any, Any], target: np.dtype[Any]) -> Any:
        info = np.iinfo(target)
        if values.dtype.kind == "f":
            if not np.all(np.isfinite(values)):
                bad = values[~np.isfinite(values)]
                raise CodecError(
                    f"{bad[0]} cannot be cast to {target}; map it with scalar_map", codec=_NAME
                )
            values = _round(values, self.rounding)
            if values.size and float(np.abs(values).max()) < 2.0**62:
                wide: Any = values.astype(np.int64)
            else:  # beyond int64: exact Python integers
                wide = np.array([int(v) for v in values.ravel()], dtype=object)
                wide = wide.reshape(values.shape)
        else:
            wide = values.astype(object) if values.dtype.itemsize >= 8 else values.astype(np.int64)
        lo, hi = int(info.min), int(info.max)
        if wide.size and (int(wide.min()) < lo or int(wide.max()) > hi):
            if self.out_of_range is None:
                over = (wide < lo) | (wide > hi)
                raise self._range_error(np.asarray(wide)[over], target)
            if self.out_of_range == "clamp":
                wide = np.clip(wide, lo, hi)
            else:
                span = hi - lo + 1
                wide = (wide - lo) % span + lo
        return np.asarray(wide).astype(target)

    def _range_error(self, bad: Any, target: np.dtype[Any]) -> CodecError:
        return CodecError(
            f"{len(bad)} value(s) such as {bad.ravel()[0]} are outside the range of {target}; "
            "set out_of_range to 'clamp' or 'wrap'",
            codec=_NAME,
        )

    def compute_encoded_size(self, input_size: int, spec: ArraySpec) -> int:
        """Elements times the stored item size."""
        return input_size // max(spec.dtype.itemsize, 1) * _TYPES[self.data_type].itemsize


def _isnan(value: Any) -> bool:
    return isinstance(value, float | np.floating) and math.isnan(value)


#: zarr-python 3.4's name for the codec (``zarr.codecs.CastValue``).
CastValue = CastValueCodec

register_codec(CastValueCodec)
