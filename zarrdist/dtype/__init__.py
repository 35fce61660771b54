"""Zarr data types. This package's own namespace is zarr-python's ``zarr.dtype``.

``zarr.dtype`` is a path user code imports (``import zarrdist as zarr;
zarr.dtype.Int32()``), so this ``__init__`` holds zarr-python's names; the rules live
in the package's modules, and zarrdist's own modules import them through
:mod:`zarrdist.dtype.datatypes` (names in v2 and v3 metadata, in-memory dtypes,
fill-value JSON).

Each of zarr-python's data type classes is zarrdist's own (``Int32`` is
:class:`zarrdist.dtype.datatypes.Int32`, ``FixedLengthUTF32`` is
:class:`zarrdist.dtype.datatypes.FixedLengthUTF32`, ...), so zarr-python's methods
(``from_native_dtype``, ``to_json``, ``cast_scalar``, ...) and zarrdist's metadata
code share one set of rules. ``ZDType`` is their base class.

>>> from zarrdist.dtype import Int32, parse_dtype
>>> Int32() == parse_dtype("int32", zarr_format=3)
True
"""

from __future__ import annotations

from zarrdist.dtype.datatypes import (
    Bool,
    Complex64,
    Complex128,
    DataType,
    DataTypeRegistry,
    DateTime64,
    FixedLengthUTF32,
    Float16,
    Float32,
    Float64,
    Int8,
    Int16,
    Int32,
    Int64,
    NullTerminatedBytes,
    RawBytes,
    Structured,
    TimeDelta64,
    UInt8,
    UInt16,
    UInt32,
    UInt64,
    VariableLengthBytes,
    VariableLengthUTF8,
    data_type_registry,
    get_data_type_from_json,
    get_data_type_from_native_dtype,
    parse_dtype,
)
from zarrdist.errors import UnknownDataTypeError

__all__ = [
    "Bool",
    "Complex64",
    "Complex128",
    "DataTypeRegistry",
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
    "data_type_registry",
    "get_data_type_from_json",
    "get_data_type_from_native_dtype",
    "parse_data_type",
    "parse_dtype",
]

#: zarr-python's base class of data types.
ZDType = DataType
#: zarr-python's error for an unknown or invalid data type.
DataTypeValidationError = UnknownDataTypeError
#: zarr-python's other name for :func:`parse_dtype`.
parse_data_type = parse_dtype
