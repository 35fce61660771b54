"""zarr-python's ``zarr.dtype`` names over zarrdist's data types.

This module exists because ``zarr.dtype`` is a path user code imports (``import
zarrdist as zarr; zarr.dtype.Int32()``); the data types themselves live in
:mod:`zarrdist.datatypes`, which is what zarrdist's own modules import.

``ZDType`` is :class:`zarrdist.datatypes.DataType`; the type names
(``Int32()``, ``FixedLengthUTF32(length=5)``, ``DateTime64(unit="ns")``, ...)
build zarrdist data types with zarr-python's keywords, and ``parse_dtype``
accepts what ``create_array(dtype=...)`` accepts.

>>> from zarrdist.dtype import Int32, parse_dtype
>>> Int32() == parse_dtype("int32", zarr_format=3)
True
"""

from __future__ import annotations

from typing import Any, Literal

from zarrdist.datatypes import (
    DataType,
    FixedUTF32Type,
    NullTerminatedBytesType,
    NumericType,
    RawBytesType,
    StructField,
    StructuredType,
    TimeType,
    VariableBytesType,
    VariableStringType,
    parse_data_type,
)
from zarrdist.errors import UnknownDataTypeError

__all__ = [
    "Bool",
    "Complex64",
    "Complex128",
    "DataTypeValidationError",
    "DateTime64",
    "FixedLengthUTF32",
    "Float16",
    "Float32",
    "Float64",
    "Int8",
    "Int16",
    "Int32",
    "Int64",
    "NullTerminatedBytes",
    "RawBytes",
    "Structured",
    "TimeDelta64",
    "UInt8",
    "UInt16",
    "UInt32",
    "UInt64",
    "VariableLengthBytes",
    "VariableLengthUTF8",
    "ZDType",
    "parse_data_type",
    "parse_dtype",
]

Endian = Literal["little", "big"] | None

#: zarr-python's base class of data types.
ZDType = DataType
#: zarr-python's error for an unknown or invalid data type.
DataTypeValidationError = UnknownDataTypeError
#: Variable-length UTF-8 strings (``dtype=str``).
VariableLengthUTF8 = VariableStringType
#: Variable-length bytes (``dtype=bytes``).
VariableLengthBytes = VariableBytesType


def parse_dtype(dtype_spec: Any, *, zarr_format: Literal[2, 3] = 3) -> DataType:
    """The data type a ``dtype=`` argument names (NumPy dtype, string, JSON, DataType)."""
    if isinstance(dtype_spec, DataType):
        return dtype_spec
    return parse_data_type(dtype_spec, zarr_format)


def _numeric(name: str) -> Any:
    def make(endianness: Endian = None) -> NumericType:
        return NumericType(name, endianness)

    make.__name__ = make.__qualname__ = name.capitalize().replace("Uint", "UInt")
    make.__doc__ = f"The ``{name}`` data type (byte order: native unless given)."
    return make


Bool = _numeric("bool")
Int8 = _numeric("int8")
Int16 = _numeric("int16")
Int32 = _numeric("int32")
Int64 = _numeric("int64")
UInt8 = _numeric("uint8")
UInt16 = _numeric("uint16")
UInt32 = _numeric("uint32")
UInt64 = _numeric("uint64")
Float16 = _numeric("float16")
Float32 = _numeric("float32")
Float64 = _numeric("float64")
Complex64 = _numeric("complex64")
Complex128 = _numeric("complex128")


def FixedLengthUTF32(length: int, endianness: Endian = None) -> FixedUTF32Type:
    """Fixed-length UTF-32 strings of ``length`` code points (NumPy ``U``)."""
    return FixedUTF32Type(length, endianness)


def NullTerminatedBytes(length: int) -> NullTerminatedBytesType:
    """Fixed-length, null-padded bytes (NumPy ``S``)."""
    return NullTerminatedBytesType(length)


def RawBytes(length: int) -> RawBytesType:
    """Fixed-length raw bytes (NumPy ``V``)."""
    return RawBytesType(length)


def DateTime64(unit: str = "generic", scale_factor: int = 1, endianness: Endian = None) -> TimeType:
    """``numpy.datetime64`` with a unit and scale factor."""
    return TimeType("datetime", unit, scale_factor, endianness)


def TimeDelta64(
    unit: str = "generic", scale_factor: int = 1, endianness: Endian = None
) -> TimeType:
    """``numpy.timedelta64`` with a unit and scale factor."""
    return TimeType("timedelta", unit, scale_factor, endianness)


def Structured(fields: Any) -> StructuredType:
    """A structured type from ``(name, data type)`` pairs (data types as ``parse_dtype``)."""
    return StructuredType(
        tuple(
            f if isinstance(f, StructField) else StructField(f[0], parse_dtype(f[1]))
            for f in fields
        )
    )
