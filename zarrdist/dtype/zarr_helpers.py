"""zarr-python's JSON helper functions and type names, over zarrdist's JSON rules.

zarr-python exposes small helpers (``float_to_json_v3``, ``check_json_int``,
``endianness_from_numpy_str``, ...) from ``zarr.core.dtype.npy.common``; code written
for it imports them. Each is a thin call into the float, bytes and byte-order rules
that zarrdist's data types use (:mod:`zarrdist.dtype._base`), so the two cannot
drift apart.

>>> float_to_json_v3(float("inf")), float_from_json_v3("NaN") != float_from_json_v3("NaN")
('Infinity', True)
"""

from __future__ import annotations

import base64
import sys
from collections.abc import Mapping
from typing import Any, Literal, Union, get_args

import numpy as np

from zarrdist.dtype._base import (
    JSON,
    ZarrFormat,
    b64_encode,
    check_zarr_format,
    endianness_of,
    float_from_json,
    float_to_json,
)
from zarrdist.dtype._numeric import NUMERIC_TYPES, Float64
from zarrdist.dtype._strings import (
    FixedUTF32Type,
    NullTerminatedBytesType,
    RawBytesType,
    VariableBytesType,
    VariableStringType,
)
from zarrdist.dtype._structured import StructuredType
from zarrdist.dtype._time import TIME_UNITS, DateTime64, TimeDelta64
from zarrdist.errors import MetadataError

__all__ = [
    "DATETIME_UNIT",
    "ENDIANNESS_STR",
    "NUMPY_ENDIANNESS_STR",
    "NUMPY_SUPPORTS_VLEN_STRING",
    "OBJECT_CODEC_IDS",
    "SPECIAL_FLOAT_STRINGS",
    "AnyDType",
    "DTypeJSON",
    "DTypeSpec_V2",
    "DTypeSpec_V3",
    "DateTimeUnit",
    "EndiannessStr",
    "JSONFloatV2",
    "JSONFloatV3",
    "NumpyEndiannessStr",
    "SpecialFloatStrings",
    "TBaseDType",
    "TBaseScalar",
    "bytes_from_json",
    "bytes_to_json",
    "check_json_bool",
    "check_json_complex_float_v2",
    "check_json_complex_float_v3",
    "check_json_float_v2",
    "check_json_float_v3",
    "check_json_floatish_str",
    "check_json_int",
    "check_json_intish_float",
    "check_json_intish_str",
    "check_json_str",
    "complex_float_from_json_v2",
    "complex_float_from_json_v3",
    "complex_float_to_json_v2",
    "complex_float_to_json_v3",
    "datetime_from_int",
    "endianness_from_numpy_str",
    "endianness_to_numpy_str",
    "float_from_json_v2",
    "float_from_json_v3",
    "float_to_json_v2",
    "float_to_json_v3",
    "unpack_dtype_json",
]

EndiannessStr = Literal["little", "big"]
ENDIANNESS_STR: tuple[str, ...] = get_args(EndiannessStr)
NumpyEndiannessStr = Literal[">", "<", "|", "="]
NUMPY_ENDIANNESS_STR: tuple[str, ...] = get_args(NumpyEndiannessStr)
SpecialFloatStrings = Literal["NaN", "Infinity", "-Infinity"]
SPECIAL_FLOAT_STRINGS: tuple[str, ...] = get_args(SpecialFloatStrings)
JSONFloatV2 = float | SpecialFloatStrings
JSONFloatV3 = float | SpecialFloatStrings | str
DateTimeUnit = Literal[
    "Y", "M", "W", "D", "h", "m", "s", "ms", "us", "μs", "ns", "ps", "fs", "as", "generic"
]  # fmt: skip
DATETIME_UNIT: tuple[str, ...] = get_args(DateTimeUnit)
OBJECT_CODEC_IDS: tuple[str, ...] = ("vlen-utf8", "vlen-bytes", "vlen-array", "json2", "pickle")
#: What a data type wraps: a NumPy dtype; and the scalars of its values.
TBaseDType = np.dtype
TBaseScalar = np.generic | str | bytes
#: zarr-python's names for data type JSON: v2 ``{"name", "object_codec_id"}``, v3 name or object.
DTypeSpec_V2 = Mapping[str, Any]
DTypeSpec_V3 = str | Mapping[str, Any]
DTypeJSON = Any
#: Whether NumPy has the variable-width ``StringDType`` (NumPy 2).
NUMPY_SUPPORTS_VLEN_STRING: bool = hasattr(np.dtypes, "StringDType")

_ZARR_PYTHON_CLASSES = (
    *(NUMERIC_TYPES[n] for n in list(NUMERIC_TYPES)[:14]),
    FixedUTF32Type,
    VariableStringType,
    NullTerminatedBytesType,
    RawBytesType,
    VariableBytesType,
    StructuredType,
    DateTime64,
    TimeDelta64,
)
#: The union of zarr-python 3.1.5's data type classes (``typing.get_args`` lists them).
AnyDType = Union[_ZARR_PYTHON_CLASSES]  # type: ignore[valid-type]  # noqa: UP007


def unpack_dtype_json(data: JSON) -> JSON:
    """The ``.zarray`` dtype inside zarr-python's v2 form ``{"name": ..., "object_codec_id": ...}``."""
    if isinstance(data, Mapping) and set(data) == {"name", "object_codec_id"}:
        return data["name"]
    return data


def endianness_from_numpy_str(endianness: str) -> EndiannessStr | None:
    """``"little"``/``"big"``/None for a NumPy byte-order character (``"="`` is native)."""
    if endianness not in NUMPY_ENDIANNESS_STR:
        raise ValueError(
            f"Invalid endianness: {endianness!r}. Expected one of {NUMPY_ENDIANNESS_STR}"
        )
    if endianness == "=":
        return "little" if sys.byteorder == "little" else "big"
    return endianness_of(np.dtype(f"{endianness}i4")) if endianness != "|" else None


def endianness_to_numpy_str(endianness: str | None) -> str:
    """The NumPy byte-order character of ``"little"`` or ``"big"``."""
    if endianness not in ENDIANNESS_STR:
        raise ValueError(f"Invalid endianness: {endianness!r}. Expected one of {ENDIANNESS_STR}")
    return "<" if endianness == "little" else ">"


def _float64(data: Any) -> np.float64:
    return np.float64(data)


def float_to_json_v2(data: float | np.floating[Any]) -> JSONFloatV2:
    """A float's JSON in Zarr v2 (``"NaN"``, ``"Infinity"``, ``"-Infinity"`` or a number)."""
    return float_to_json(_float64(data), 2)  # type: ignore[return-value]


def float_to_json_v3(data: float | np.floating[Any]) -> JSONFloatV3:
    """A float's JSON in Zarr v3 (a NaN with a payload is a hex string)."""
    value = data if isinstance(data, np.floating) else _float64(data)
    return float_to_json(value, 3)


def float_from_json_v2(data: JSONFloatV2) -> float:
    """A float from its v2 JSON.

    Raises
    ------
    ValueError
        If ``data`` is not a number or one of the special strings.
    """
    try:
        return float(float_from_json(data, Float64(), 2))
    except MetadataError as exc:
        raise ValueError(f"could not convert string to float: {data!r}") from exc


def float_from_json_v3(data: JSONFloatV3) -> float:
    """A float from its v3 JSON (a number, a special string or a hex string).

    Raises
    ------
    ValueError
        If ``data`` is none of these (zarr-python's messages).
    """
    try:
        return float(float_from_json(data, Float64(), 3))
    except MetadataError as exc:
        if isinstance(data, str) and data.startswith("0x"):
            raise ValueError(
                f"Invalid hexadecimal float value: {data!r}. "
                "Expected the '0x' prefix to be followed by 4, 8, or 16 numeral characters"
            ) from exc
        raise ValueError(
            f"Invalid float value: {data!r}. Expected a string starting with the hex prefix"
            " '0x', or one of 'NaN', 'Infinity', or '-Infinity'."
        ) from exc


def complex_float_to_json_v2(data: complex | np.complexfloating[Any, Any]) -> tuple[Any, Any]:
    """``(real, imaginary)`` JSON of a complex number in Zarr v2."""
    return float_to_json_v2(data.real), float_to_json_v2(data.imag)


def complex_float_to_json_v3(data: complex | np.complexfloating[Any, Any]) -> tuple[Any, Any]:
    """``(real, imaginary)`` JSON of a complex number in Zarr v3."""
    return float_to_json_v3(data.real), float_to_json_v3(data.imag)


def complex_float_from_json_v2(data: Any) -> complex:
    """A complex number from its v2 ``[real, imaginary]`` JSON."""
    return complex(float_from_json_v2(data[0]), float_from_json_v2(data[1]))


def complex_float_from_json_v3(data: Any) -> complex:
    """A complex number from its v3 ``[real, imaginary]`` JSON."""
    return complex(float_from_json_v3(data[0]), float_from_json_v3(data[1]))


def check_json_float_v2(data: JSON) -> bool:
    """Whether ``data`` is a v2 JSON float: a number or a special string."""
    return data in SPECIAL_FLOAT_STRINGS or (
        isinstance(data, int | float) and not isinstance(data, bool)
    )


def check_json_float_v3(data: JSON) -> bool:
    """Whether ``data`` is a v3 JSON float: as v2, or a hex string."""
    return check_json_float_v2(data) or (isinstance(data, str) and data.startswith("0x"))


def check_json_complex_float_v2(data: JSON) -> bool:
    """Whether ``data`` is ``[real, imaginary]`` of v2 JSON floats."""
    return isinstance(data, list | tuple) and len(data) == 2 and all(map(check_json_float_v2, data))


def check_json_complex_float_v3(data: JSON) -> bool:
    """Whether ``data`` is ``[real, imaginary]`` of v3 JSON floats."""
    return isinstance(data, list | tuple) and len(data) == 2 and all(map(check_json_float_v3, data))


def check_json_int(data: JSON) -> bool:
    """Whether ``data`` is a JSON integer (not a bool)."""
    return isinstance(data, int) and not isinstance(data, bool)


def check_json_intish_float(data: JSON) -> bool:
    """Whether ``data`` is a float with an integer value (``1.0``)."""
    return isinstance(data, float) and data.is_integer()


def check_json_intish_str(data: JSON) -> bool:
    """Whether ``data`` is a string that spells an integer (``"42"``)."""
    if not isinstance(data, str):
        return False
    try:
        int(data)
    except ValueError:
        return False
    return True


def check_json_floatish_str(data: JSON) -> bool:
    """Whether ``data`` is a string that Python reads as a float (``"3.14"``, ``"NaN"``)."""
    if not isinstance(data, str):
        return False
    try:
        float(data)
    except ValueError:
        return False
    return True


def check_json_str(data: JSON) -> bool:
    """Whether ``data`` is a string."""
    return isinstance(data, str)


def check_json_bool(data: JSON) -> bool:
    """Whether ``data`` is ``true`` or ``false``."""
    return isinstance(data, bool)


def bytes_to_json(data: bytes, *, zarr_format: ZarrFormat) -> str:
    """Base64 of ``data``, as byte fill values are written in both formats."""
    check_zarr_format(zarr_format)
    return b64_encode(data)


def bytes_from_json(data: str, *, zarr_format: ZarrFormat) -> bytes:
    """The bytes of a base64 string (lenient, as zarr-python reads it)."""
    check_zarr_format(zarr_format)
    return base64.b64decode(data.encode("ascii"))


def datetime_from_int(data: int, *, unit: str, scale_factor: int) -> np.datetime64:
    """The datetime64 ``data`` ticks of ``scale_factor`` ``unit`` after the epoch."""
    if unit not in TIME_UNITS and unit != "μs":
        raise ValueError(f"unknown time unit {unit!r}")
    unit = "us" if unit == "μs" else unit
    return np.int64(data).view(np.dtype(f"M8[{scale_factor}{unit}]"))  # type: ignore[no-any-return]
