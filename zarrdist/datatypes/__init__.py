"""Zarr data types: names in v2 and v3 metadata, in-memory dtypes, fill-value JSON.

zarr-python's names for them (``zarr.dtype``) are the thin view :mod:`zarrdist.dtype`.

>>> from zarrdist.datatypes import parse_data_type
>>> dt = parse_data_type(">i4", zarr_format=2)
>>> dt.to_json(2), dt.to_json(3), dt.fill_value_to_json(7, 3)
('>i4', 'int32', 7)
>>> parse_data_type("float32").fill_value_to_json(float("nan"), 3)
'NaN'
>>> parse_data_type("U5").to_json(3)
{'name': 'fixed_length_utf32', 'configuration': {'length_bytes': 20}}
"""

from __future__ import annotations

from zarrdist.datatypes._base import (
    NATIVE_ENDIANNESS,
    DataType,
    Endianness,
    ZarrFormat,
    endianness_of,
)
from zarrdist.datatypes._numeric import EXTENSION_FLOAT_NAMES, NUMERIC_CODES, NumericType
from zarrdist.datatypes._parse import (
    data_type_from_json,
    data_type_from_native,
    fill_value_equal,
    parse_data_type,
)
from zarrdist.datatypes._strings import (
    FixedUTF32Type,
    NullTerminatedBytesType,
    RawBytesType,
    VariableBytesType,
    VariableStringType,
)
from zarrdist.datatypes._structured import StructField, StructuredType
from zarrdist.datatypes._time import TIME_UNITS, TimeType

__all__ = [
    "EXTENSION_FLOAT_NAMES",
    "NATIVE_ENDIANNESS",
    "NUMERIC_CODES",
    "TIME_UNITS",
    "DataType",
    "Endianness",
    "FixedUTF32Type",
    "NullTerminatedBytesType",
    "NumericType",
    "RawBytesType",
    "StructField",
    "StructuredType",
    "TimeType",
    "VariableBytesType",
    "VariableStringType",
    "ZarrFormat",
    "data_type_from_json",
    "data_type_from_native",
    "endianness_of",
    "fill_value_equal",
    "parse_data_type",
]
