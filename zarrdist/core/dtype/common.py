"""zarr-python's ``zarr.core.dtype.common`` path (re-exports only). See :mod:`zarrdist.zarr_paths`."""

from zarrdist.dtype import (
    DataTypeValidationError,
)
from zarrdist.dtype.datatypes import (
    HasEndianness,
    HasItemSize,
    HasLength,
    HasObjectCodec,
)
from zarrdist.dtype.zarr_helpers import (
    ENDIANNESS_STR,
    OBJECT_CODEC_IDS,
    SPECIAL_FLOAT_STRINGS,
    DTypeJSON,
    DTypeSpec_V2,
    DTypeSpec_V3,
    EndiannessStr,
    JSONFloatV2,
    JSONFloatV3,
    SpecialFloatStrings,
    unpack_dtype_json,
)
from zarrdist.errors import (
    UnstableSpecificationWarning,
)

__all__ = [
    "DTypeJSON",
    "DTypeSpec_V2",
    "DTypeSpec_V3",
    "DataTypeValidationError",
    "ENDIANNESS_STR",
    "EndiannessStr",
    "HasEndianness",
    "HasItemSize",
    "HasLength",
    "HasObjectCodec",
    "JSONFloatV2",
    "JSONFloatV3",
    "OBJECT_CODEC_IDS",
    "SPECIAL_FLOAT_STRINGS",
    "SpecialFloatStrings",
    "UnstableSpecificationWarning",
    "unpack_dtype_json",
]
