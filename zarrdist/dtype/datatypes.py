"""Zarr data types: names in v2 and v3 metadata, in-memory dtypes, fill-value JSON.

The interface zarrdist's own modules import; zarr-python's names for the same classes
(``zarr.dtype``) are the package's namespace, :mod:`zarrdist.dtype`.

>>> from zarrdist.dtype.datatypes import parse_data_type
>>> dt = parse_data_type(">i4", zarr_format=2)
>>> dt.metadata_json(2), dt.metadata_json(3), dt.fill_value_to_json(7, 3)
('>i4', 'int32', 7)
>>> parse_data_type("float32").fill_value_to_json(float("nan"), 3)
'NaN'
>>> parse_data_type("U5").metadata_json(3)
{'name': 'fixed_length_utf32', 'configuration': {'length_bytes': 20}}
"""

from __future__ import annotations

from zarrdist.dtype._base import (
    NATIVE_ENDIANNESS,
    DataType,
    Endianness,
    HasEndianness,
    HasItemSize,
    HasLength,
    HasObjectCodec,
    ZarrFormat,
    endianness_of,
)
from zarrdist.dtype._numeric import (
    EXTENSION_FLOAT_NAMES,
    NUMERIC_CODES,
    NUMERIC_TYPES,
    Bool,
    Complex64,
    Complex128,
    Float16,
    Float32,
    Float64,
    Int8,
    Int16,
    Int32,
    Int64,
    NumericType,
    UInt8,
    UInt16,
    UInt32,
    UInt64,
    numeric_type,
)
from zarrdist.dtype._parse import (
    data_type_from_json,
    data_type_from_native,
    fill_value_equal,
    parse_data_type,
)
from zarrdist.dtype._registry import (
    DataTypeRegistry,
    data_type_registry,
    get_data_type_from_json,
    get_data_type_from_native_dtype,
    parse_dtype,
)
from zarrdist.dtype._strings import (
    FixedLengthUTF32,
    FixedUTF32Type,
    NullTerminatedBytes,
    NullTerminatedBytesType,
    RawBytes,
    RawBytesType,
    VariableBytesType,
    VariableLengthBytes,
    VariableLengthUTF8,
    VariableStringType,
)
from zarrdist.dtype._structured import StructField, Structured, StructuredType
from zarrdist.dtype._time import TIME_UNITS, DateTime64, TimeDelta64, TimeType, time_type

__all__ = [
    "Structured",
    "VariableLengthUTF8",
    "VariableLengthBytes",
    "RawBytes",
    "NullTerminatedBytes",
    "FixedLengthUTF32",
    "EXTENSION_FLOAT_NAMES",
    "NATIVE_ENDIANNESS",
    "NUMERIC_CODES",
    "NUMERIC_TYPES",
    "TIME_UNITS",
    "Bool",
    "Complex64",
    "Complex128",
    "DataType",
    "DataTypeRegistry",
    "DateTime64",
    "Endianness",
    "FixedUTF32Type",
    "Float16",
    "Float32",
    "Float64",
    "HasEndianness",
    "HasItemSize",
    "HasLength",
    "HasObjectCodec",
    "Int8",
    "Int16",
    "Int32",
    "Int64",
    "NullTerminatedBytesType",
    "NumericType",
    "RawBytesType",
    "StructField",
    "StructuredType",
    "TimeDelta64",
    "TimeType",
    "UInt8",
    "UInt16",
    "UInt32",
    "UInt64",
    "VariableBytesType",
    "VariableStringType",
    "ZarrFormat",
    "data_type_from_json",
    "data_type_from_native",
    "data_type_registry",
    "endianness_of",
    "fill_value_equal",
    "get_data_type_from_json",
    "get_data_type_from_native_dtype",
    "numeric_type",
    "parse_data_type",
    "parse_dtype",
    "time_type",
]
