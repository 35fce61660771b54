"""``scale_offset``: store ``(x - offset) * scale``, read back ``x / scale + offset``.

Spec: https://github.com/zarr-developers/zarr-extensions/tree/main/codecs/scale_offset

v3 name ``scale_offset`` (zarr-python 3.3+; no v2 id). Array -> array, same data
type: the arithmetic runs in the array's own type, and a value it cannot represent
(integer overflow, an integer division with a remainder) is an error, never a
silent wrap. Floats follow IEEE rules (overflow gives inf, as NumPy does).

>>> from zarrdist.codecs.scale_offset import ScaleOffsetCodec
>>> ScaleOffsetCodec(offset=1.5, scale=4).to_json()
{'name': 'scale_offset', 'configuration': {'offset': 1.5, 'scale': 4}}
>>> ScaleOffsetCodec().to_json()
{'name': 'scale_offset'}
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from zarrdist.codecs._base import ArrayArrayCodec, ArraySpec, check_configuration
from zarrdist.codecs.registry import register_codec
from zarrdist.errors import CodecError

__all__ = ["ScaleOffset", "ScaleOffsetCodec", "json_scalar"]

_NAME = "scale_offset"
_SPECIAL = {"NaN": np.nan, "Infinity": np.inf, "-Infinity": -np.inf}


def json_scalar(value: Any, dtype: np.dtype[Any], *, codec: str, what: str) -> Any:
    """``value`` (a v3 JSON scalar) as a scalar of ``dtype``, or a CodecError naming it.

    Integers must be integral and in range; floats accept numbers, ``"NaN"``,
    ``"Infinity"``, ``"-Infinity"`` and ``"0x..."`` bit patterns.
    """
    dtype = np.dtype(dtype)
    if isinstance(value, bool):
        raise CodecError(f"{what} {value!r} is not a number", codec=codec)
    if dtype.kind in "iu":
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if not isinstance(value, int):
            raise CodecError(f"{what} {value!r} is not an integer of {dtype}", codec=codec)
        info = np.iinfo(dtype)
        if not info.min <= value <= info.max:
            raise CodecError(f"{what} {value!r} is out of the range of {dtype}", codec=codec)
        return dtype.type(value)
    if dtype.kind == "f":
        if isinstance(value, str):
            if value in _SPECIAL:
                return dtype.type(_SPECIAL[value])
            if value.startswith("0x"):
                raw = int(value, 16).to_bytes(dtype.itemsize, "big")
                return np.frombuffer(raw, dtype=dtype.newbyteorder(">"))[0].astype(dtype)
            raise CodecError(f"{what} {value!r} is not a number", codec=codec)
        if not isinstance(value, int | float):
            raise CodecError(f"{what} {value!r} is not a number", codec=codec)
        return dtype.type(value)
    raise CodecError(
        f"only integer and floating-point data types are supported, got {dtype}", codec=codec
    )


def _check_number(value: Any, what: str) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise CodecError(f"{what} must be a number or string, got {value!r}", codec=_NAME)
    return value


def _wide(arr: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """``arr`` in a type its arithmetic with same-typed parameters cannot overflow.

    int64 holds any difference times any scale of types up to 16 bits and of int32;
    uint32 and 64-bit values need Python integers (slow, but exact).
    """
    small = arr.dtype.itemsize <= 2 or arr.dtype == np.int32
    return arr.astype(np.int64 if small else object)


def _int_result(values: Any, dtype: np.dtype[Any]) -> np.ndarray[Any, Any]:
    """Widened results back in ``dtype``, refusing any out of range."""
    out = np.asarray(values)
    if out.size:
        info = np.iinfo(dtype)
        lo, hi = out.min(), out.max()
        if int(lo) < int(info.min) or int(hi) > int(info.max):
            raise CodecError(
                f"a value is outside the range of {dtype} [{info.min}, {info.max}]", codec=_NAME
            )
    return out.astype(dtype)


@dataclass(frozen=True, init=False)
class ScaleOffsetCodec(ArrayArrayCodec):
    """Linear transform of the values, in the array's own data type.

    Parameters
    ----------
    offset : int, float or str
        Subtracted before scaling (JSON form kept for round trips). Default 0.
    scale : int, float or str
        Multiplied after the offset; decoding divides by it. Default 1.
    """

    offset: int | float | str
    scale: int | float | str

    v3_name: ClassVar[str] = _NAME
    is_fixed_size: ClassVar[bool] = True

    def __init__(self, *, offset: float | str = 0, scale: float | str = 1) -> None:
        object.__setattr__(self, "offset", _check_number(offset, "offset"))
        object.__setattr__(self, "scale", _check_number(scale, "scale"))

    @classmethod
    def from_json(cls, configuration: dict[str, Any]) -> ScaleOffsetCodec:
        """Build from ``{"offset": ..., "scale": ...}`` (both optional)."""
        config = check_configuration(_NAME, configuration or {}, ("offset", "scale"))
        return cls(**config)

    def to_json(self) -> dict[str, Any]:
        """Only the members that differ from the defaults, as zarr-python writes them."""
        config: dict[str, Any] = {}
        if self.offset != 0:
            config["offset"] = self.offset
        if self.scale != 1:
            config["scale"] = self.scale
        if not config:
            return {"name": _NAME}
        return {"name": _NAME, "configuration": config}

    def _params(self, dtype: np.dtype[Any]) -> tuple[Any, Any]:
        offset = json_scalar(self.offset, dtype, codec=_NAME, what="offset")
        scale = json_scalar(self.scale, dtype, codec=_NAME, what="scale")
        return offset, scale

    def validate(self, spec: ArraySpec) -> None:
        """Refuse non-numeric types, unrepresentable parameters and a zero scale."""
        if spec.dtype.kind not in "iuf":
            raise CodecError(
                f"only integer and floating-point data types are supported, got {spec.dtype}",
                codec=_NAME,
            )
        _, scale = self._params(spec.dtype)
        if scale == 0:
            raise CodecError("scale must be non-zero", codec=_NAME)

    def resolve_spec(self, spec: ArraySpec) -> ArraySpec:
        """The same type; the fill value is encoded like any element."""
        if spec.fill_value is None:
            return spec
        fill = self.encode(np.asarray(spec.fill_value, dtype=spec.dtype), spec)
        return spec.evolve(fill_value=fill.reshape(()).item())

    def encode(self, chunk: Any, spec: ArraySpec) -> Any:
        """``(x - offset) * scale``; integer overflow is an error."""
        arr = np.asarray(chunk)
        offset, scale = self._params(arr.dtype)
        native = arr.astype(arr.dtype.newbyteorder("="), copy=False)
        if native.dtype.kind == "f":
            return ((native - offset) * scale).astype(arr.dtype, copy=False)
        wide = _wide(native)
        return _int_result((wide - int(offset)) * int(scale), native.dtype).astype(arr.dtype)

    def decode(self, chunk: Any, spec: ArraySpec) -> Any:
        """``x / scale + offset``; an integer division must be exact."""
        arr = np.asarray(chunk)
        offset, scale = self._params(arr.dtype)
        native = arr.astype(arr.dtype.newbyteorder("="), copy=False)
        if native.dtype.kind == "f":
            return (native / scale + offset).astype(arr.dtype, copy=False)
        if native.size and np.any(native % scale):
            raise CodecError(
                f"a stored value is not divisible by scale={self.scale!r}: the result is not "
                f"representable in {arr.dtype}",
                codec=_NAME,
            )
        wide = _wide(native)
        return _int_result(wide // int(scale) + int(offset), native.dtype).astype(arr.dtype)

    def compute_encoded_size(self, input_size: int, spec: ArraySpec) -> int:
        """The type does not change, so neither does the size."""
        return input_size


#: zarr-python 3.4's name for the codec (``zarr.codecs.ScaleOffset``).
ScaleOffset = ScaleOffsetCodec

register_codec(ScaleOffsetCodec)
