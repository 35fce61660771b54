"""Turning user input and metadata JSON into :class:`DataType` objects."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, Literal

import numpy as np

from zarrdist.dtype._base import (
    JSON,
    NATIVE_ENDIANNESS,
    DataType,
    ZarrFormat,
    check_zarr_format,
    endianness_of,
)
from zarrdist.dtype._numeric import (
    EXTENSION_FLOAT_NAMES,
    NUMERIC_CODES,
    extension_float_dtype,
    numeric_type,
)
from zarrdist.dtype._strings import (
    FixedUTF32Type,
    NullTerminatedBytesType,
    RawBytesType,
    VariableBytesType,
    VariableStringType,
)
from zarrdist.dtype._structured import StructField, StructuredType
from zarrdist.dtype._time import TimeType, time_type
from zarrdist.errors import UnknownDataTypeError

__all__ = [
    "data_type_from_json",
    "data_type_from_native",
    "fill_value_equal",
    "parse_data_type",
]

_RAW_BITS = re.compile(r"^r([1-9][0-9]*)$")
_STRING_ALIASES = ("string", "str", "variable_length_utf8")
_BYTES_ALIASES = ("bytes", "variable_length_bytes")
_OBJECT_NAMES = ("O", "|O", "object")
_AMBIGUOUS_OBJECT = (
    "Zarr data type resolution from object failed. The NumPy object dtype is ambiguous: use dtype=str for variable-length strings or "
    "dtype=bytes for variable-length bytes"
)


def _unknown(data: object, detail: str = "") -> UnknownDataTypeError:
    suffix = f": {detail}" if detail else ""
    return UnknownDataTypeError(f"unknown data type {data!r}{suffix}")


def data_type_from_native(
    dtype: np.dtype[Any], zarr_format: ZarrFormat = 3, *, zero_length_is_variable: bool = True
) -> DataType:
    """The data type of a NumPy dtype.

    Parameters
    ----------
    dtype
        Any NumPy dtype zarrdist supports.
    zarr_format
        For 3, the result uses native byte order (v3 keeps byte order in the
        ``bytes`` codec); for 2 it keeps the dtype's byte order.
    zero_length_is_variable
        Read ``U0`` / ``S0`` (what ``np.dtype(str)`` / ``np.dtype(bytes)`` give) as
        variable-length strings / bytes.

    Raises
    ------
    UnknownDataTypeError
        For object dtypes (ambiguous) and dtypes Zarr cannot store.
    """
    out = _from_native(dtype, zero_length_is_variable)
    return out.with_endianness(NATIVE_ENDIANNESS) if zarr_format == 3 else out


def _from_native(dtype: np.dtype[Any], zero_length_is_variable: bool) -> DataType:
    if dtype.name in EXTENSION_FLOAT_NAMES and extension_float_dtype(dtype.name) == dtype:
        return numeric_type(dtype.name)
    kind = dtype.kind
    if kind == "O":
        raise UnknownDataTypeError(_AMBIGUOUS_OBJECT)
    if kind in "US" and dtype.itemsize == 0:
        if not zero_length_is_variable:
            raise _unknown(dtype.str, "zero-length strings cannot be stored")
        return VariableStringType() if kind == "U" else VariableBytesType()
    if kind == "V" and dtype.fields is not None:
        return _structured_from_native(dtype)
    if kind == "V" and (dtype.subdtype is not None or dtype.itemsize == 0):
        raise _unknown(dtype)
    make = _BY_KIND.get(kind)
    if make is None:
        raise _unknown(dtype)
    return make(dtype)


_BY_KIND: dict[str, Callable[[np.dtype[Any]], DataType]] = {
    "b": lambda d: numeric_type(d.name, endianness_of(d)),
    "i": lambda d: numeric_type(d.name, endianness_of(d)),
    "u": lambda d: numeric_type(d.name, endianness_of(d)),
    "f": lambda d: numeric_type(d.name, endianness_of(d)),
    "c": lambda d: numeric_type(d.name, endianness_of(d)),
    "U": lambda d: FixedUTF32Type(d.itemsize // 4, endianness_of(d)),
    "S": lambda d: NullTerminatedBytesType(d.itemsize),
    "V": lambda d: RawBytesType(d.itemsize),
    "M": TimeType.from_native,
    "m": TimeType.from_native,
    "T": lambda d: VariableStringType(),
}


def _structured_from_native(dtype: np.dtype[Any]) -> StructuredType:
    fields = []
    offset = 0
    assert dtype.names is not None
    assert dtype.fields is not None
    for name in dtype.names:
        sub, field_offset = dtype.fields[name][:2]
        if field_offset != offset:
            raise _unknown(dtype, "structured dtypes with padding or overlapping fields")
        base, shape = sub.subdtype if sub.subdtype is not None else (sub, ())
        fields.append(StructField(name, _from_native(base, False), tuple(shape)))
        offset += sub.itemsize
    if offset != dtype.itemsize:
        raise _unknown(dtype, "structured dtypes with trailing padding")
    return StructuredType(tuple(fields))


def data_type_from_json(
    data: JSON, zarr_format: ZarrFormat, *, object_codec_id: str | None = None
) -> DataType:
    """Parse the v3 ``data_type`` or v2 ``dtype`` member of array metadata.

    Parameters
    ----------
    data
        The JSON value.
    zarr_format
        2 or 3.
    object_codec_id
        v2 only: the object codec (``vlen-utf8``, ``vlen-bytes``) an ``"|O"`` array
        names in its filters or compressor.

    Raises
    ------
    UnknownDataTypeError
        If the value names no data type zarrdist knows.
    """
    zarr_format = check_zarr_format(zarr_format)
    if zarr_format == 3:
        return _from_json_v3(data)
    return _from_json_v2(data, object_codec_id)


def _from_json_v3(data: JSON) -> DataType:
    if isinstance(data, str):
        if data in NUMERIC_CODES or extension_float_dtype(data) is not None:
            return numeric_type(data)
        if data in ("string", "variable_length_utf8"):
            return VariableStringType()
        if data in _BYTES_ALIASES:
            return VariableBytesType()
        match = _RAW_BITS.match(data)
        if match and int(match.group(1)) % 8 == 0:
            return RawBytesType(int(match.group(1)) // 8, "r")
        raise _unknown(data)
    if not isinstance(data, Mapping) or not isinstance(data.get("name"), str):
        raise _unknown(data, "expected a name or an object with a 'name' member")
    extra = set(data) - {"name", "configuration", "must_understand"}
    config = data.get("configuration", {})
    if extra or not isinstance(config, Mapping):
        raise _unknown(data, "unexpected members")
    try:
        return _named_v3(data["name"], config)
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, UnknownDataTypeError):
            raise
        raise _unknown(data, f"bad configuration ({exc})") from exc


def _named_v3(name: str, config: Mapping[str, Any]) -> DataType:
    def length(key: str = "length_bytes") -> int:
        value = config[key]
        if not isinstance(value, int) or isinstance(value, bool):
            raise TypeError(f"{key} must be an integer")
        return value

    if name == "fixed_length_utf32":
        if length() % 4:
            raise ValueError("length_bytes must be a multiple of 4")
        return FixedUTF32Type(length() // 4)
    if name == "null_terminated_bytes":
        return NullTerminatedBytesType(length())
    if name == "raw_bytes":
        return RawBytesType(length())
    if name in ("numpy.datetime64", "numpy.timedelta64"):
        kind: Literal["datetime", "timedelta"] = (
            "datetime" if name == "numpy.datetime64" else "timedelta"
        )
        return time_type(kind, config["unit"], config["scale_factor"])
    if name in ("structured", "struct"):
        entries = config["fields"]
        if not isinstance(entries, list):
            raise TypeError("fields must be a list")
        return StructuredType(tuple(_v3_field(entry) for entry in entries), name)
    if not config:
        try:
            return _from_json_v3(name)
        except UnknownDataTypeError:
            pass  # reported below with the whole object
    raise _unknown({"name": name, "configuration": dict(config)} if config else {"name": name})


def _v3_field(entry: Any) -> StructField:
    if isinstance(entry, Mapping) and set(entry) == {"name", "data_type"}:
        if not isinstance(entry["name"], str):
            raise TypeError(f"struct field name {entry['name']!r} is not a string")
        return StructField(entry["name"], _from_json_v3(entry["data_type"]))
    if not (isinstance(entry, list) and len(entry) == 2 and isinstance(entry[0], str)):
        raise TypeError(f"structured field {entry!r} is not [name, data_type]")
    return StructField(entry[0], _from_json_v3(entry[1]))


def _from_json_v2(data: JSON, object_codec_id: str | None) -> DataType:
    if isinstance(data, list):
        return StructuredType(tuple(_v2_field(entry) for entry in data))
    if not isinstance(data, str):
        raise _unknown(data, "expected a NumPy dtype string or a list of fields")
    if data in _OBJECT_NAMES:
        if object_codec_id == "vlen-utf8":
            return VariableStringType()
        if object_codec_id == "vlen-bytes":
            return VariableBytesType()
        if object_codec_id is None:
            raise _unknown(data, "an object array needs a vlen-utf8 or vlen-bytes filter")
        raise _unknown(data, f"object arrays encoded with {object_codec_id!r} are not supported")
    if extension_float_dtype(data) is not None:
        return numeric_type(data)
    try:
        dtype = np.dtype(data)
    except (TypeError, ValueError) as exc:
        raise _unknown(data) from exc
    return _from_native(dtype, zero_length_is_variable=False)


def _v2_field(entry: Any) -> StructField:
    ok = isinstance(entry, list | tuple) and len(entry) in (2, 3) and isinstance(entry[0], str)
    if not ok:
        raise _unknown(entry, "a structured field is [name, dtype] or [name, dtype, shape]")
    shape: tuple[int, ...] = ()
    if len(entry) == 3:
        if not isinstance(entry[2], list | tuple) or not all(
            isinstance(n, int) and n >= 0 for n in entry[2]
        ):
            raise _unknown(entry, "a field shape is a list of integers")
        shape = tuple(entry[2])
    field_type = _from_json_v2(entry[1], None)
    return StructField(entry[0], field_type, shape)


def parse_data_type(
    dtype_like: Any, zarr_format: ZarrFormat = 3, *, keep_byte_order: bool = False
) -> DataType:
    """The data type a user means by ``dtype_like``.

    Accepts a :class:`DataType`, a NumPy dtype or scalar type, ``str`` / ``bytes``
    (variable-length strings / bytes), names such as ``"float32"``, ``"<f4"``,
    ``"string"``, ``"r16"``, ``"M8[ns]"``, v3 JSON objects, v2 structured lists and,
    for v2, zarr-python's ``{"name": "|O", "object_codec_id": "vlen-utf8"}`` form.

    Parameters
    ----------
    dtype_like
        What the user passed as ``dtype``.
    zarr_format
        The format the array is for. In v3 the result has native byte order
        (byte order belongs to the ``bytes`` codec there); in v2 it is kept.
    keep_byte_order
        Keep the byte order of ``dtype_like`` in v3 too (zarr-python's
        ``parse_dtype`` does).

    Raises
    ------
    UnknownDataTypeError
        Naming ``dtype_like``, when it is not a data type zarrdist supports.
    """
    zarr_format = check_zarr_format(zarr_format)
    result = _parse(dtype_like, zarr_format)
    if zarr_format == 2 or keep_byte_order:
        return result
    return result.with_endianness(NATIVE_ENDIANNESS)


def _parse(dtype_like: Any, zarr_format: ZarrFormat) -> DataType:
    if isinstance(dtype_like, DataType):
        return dtype_like
    alias = _alias(dtype_like)
    if alias is not None:
        return alias
    if isinstance(dtype_like, Mapping):
        return _from_mapping(dtype_like, zarr_format)
    if isinstance(dtype_like, list) and all(isinstance(e, list) for e in dtype_like):
        return _from_json_v2(dtype_like, None)
    if isinstance(dtype_like, str):
        try:
            return _from_json_v3(dtype_like)
        except UnknownDataTypeError:
            pass  # not a v3 name: try it as a NumPy dtype string below
    try:
        dtype = np.dtype(dtype_like)
    except (TypeError, ValueError) as exc:
        raise _unknown(dtype_like) from exc
    return _from_native(dtype, zero_length_is_variable=True)


def _from_mapping(data: Mapping[str, Any], zarr_format: ZarrFormat) -> DataType:
    """A v3 ``data_type`` object, or zarr-python 3.1.5's v2 dtype JSON.

    The v2 form is ``{"name": <.zarray dtype>, "object_codec_id": <id or None>}``:
    an ``"|O"`` array means strings or bytes only with its object codec.
    """
    codec_id = data.get("object_codec_id")
    v2_form = set(data) == {"name", "object_codec_id"} and (
        codec_id is None or isinstance(codec_id, str)
    )
    if zarr_format == 2 and v2_form:
        return _from_json_v2(data["name"], codec_id)
    return _from_json_v3(data)


def _alias(dtype_like: Any) -> DataType | None:
    """``str``/``bytes`` and their names; object dtypes are refused as ambiguous."""
    name = dtype_like if isinstance(dtype_like, str) else None
    if dtype_like is str or name in _STRING_ALIASES:
        return VariableStringType()
    if dtype_like is bytes or name in _BYTES_ALIASES:
        return VariableBytesType()
    if dtype_like is object or name in _OBJECT_NAMES:
        raise UnknownDataTypeError(_AMBIGUOUS_OBJECT)
    return None


def fill_value_equal(a: Any, b: Any, data_type: DataType) -> bool:
    """Whether two fill values of ``data_type`` are the same bytes.

    NaN equals NaN (the same NaN), ``-0.0`` differs from ``0.0``; ``None`` (a v2
    ``null`` fill value) equals only ``None``.

    Raises
    ------
    MetadataError
        If either value cannot be a fill value of ``data_type``.
    """
    if a is None or b is None:
        return a is None and b is None
    return data_type.fill_value_bytes(a) == data_type.fill_value_bytes(b)


DataType.json_parser = data_type_from_json
DataType.native_parser = lambda dtype: _from_native(dtype, zero_length_is_variable=False)
