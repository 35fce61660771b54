"""zarr-python's data type registry, over zarrdist's data type classes.

A registry maps a v3 name to a data type class and resolves a NumPy dtype or a JSON
document to an instance of the one registered class that claims it. The classes share
one parser (:mod:`zarrdist.dtype._parse`); each claims only what parses to its own
class (or, for a user's subclass, to the class it extends).

>>> import numpy as np
>>> data_type_registry.match_dtype(np.dtype(">i2"))
Int16(endianness='big')
"""

from __future__ import annotations

import warnings
from importlib.metadata import entry_points
from typing import Any

import numpy as np

from zarrdist.dtype._base import JSON, DataType, ZarrFormat
from zarrdist.dtype._numeric import NUMERIC_TYPES
from zarrdist.dtype._parse import parse_data_type
from zarrdist.dtype._strings import (
    FixedUTF32Type,
    NullTerminatedBytesType,
    RawBytesType,
    VariableBytesType,
    VariableStringType,
)
from zarrdist.dtype._structured import StructuredType
from zarrdist.dtype._time import DateTime64, TimeDelta64
from zarrdist.errors import UnknownDataTypeError, UnstableSpecificationWarning

__all__ = [
    "ENTRY_POINT_GROUP",
    "DataTypeRegistry",
    "data_type_registry",
    "get_data_type_from_json",
    "get_data_type_from_native_dtype",
    "parse_dtype",
]

#: The entry-point group zarr-python loads data type classes from.
ENTRY_POINT_GROUP = "zarr.data_type"


class DataTypeRegistry:
    """v3 name -> data type class, with resolution of dtypes and JSON to instances.

    Attributes
    ----------
    contents : dict
        The registered classes by v3 name, in registration order.
    """

    def __init__(self) -> None:
        self.contents: dict[str, type[DataType]] = {}
        self._entry_points_loaded = False

    def register(self, key: str, cls: type[DataType]) -> None:
        """Register ``cls`` under ``key``, replacing what was there."""
        self.contents[key] = cls

    def unregister(self, key: str) -> None:
        """Remove the class registered under ``key``.

        Raises
        ------
        KeyError
            If nothing is registered under ``key``.
        """
        if key not in self.contents:
            raise KeyError(f"no data type is registered under {key!r}")
        del self.contents[key]

    def get(self, key: str) -> type[DataType]:
        """The class registered under ``key`` (KeyError if none)."""
        return self.contents[key]

    def _lazy_load(self) -> None:
        """Register the classes of the ``zarr.data_type`` entry points (once)."""
        if self._entry_points_loaded:
            return
        for entry in entry_points(group=ENTRY_POINT_GROUP):
            cls = entry.load()
            self.register(cls._zarr_v3_name, cls)
        self._entry_points_loaded = True

    def match_dtype(self, dtype: np.dtype[Any]) -> DataType:
        """The instance of the registered class that claims NumPy dtype ``dtype``.

        Raises
        ------
        ValueError
            If no registered class claims it (object dtypes are ambiguous).
        """
        if dtype == np.dtype("O"):
            raise ValueError(
                "Zarr data type resolution from object failed: the NumPy object dtype is "
                "ambiguous; use dtype=str (strings) or dtype=bytes (bytes)"
            )
        for cls in reversed(self.contents.values()):
            if cls._check_native_dtype(dtype):
                return cls.from_native_dtype(dtype)
        raise ValueError(f"No Zarr data type found that matches dtype '{dtype!r}'")

    def match_json(self, data: JSON, zarr_format: ZarrFormat) -> DataType:
        """The instance of the registered class that claims data type JSON ``data``.

        Raises
        ------
        ValueError
            If no registered class claims it.
        """
        for cls in reversed(self.contents.values()):
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", UnstableSpecificationWarning)
                    return cls.from_json(data, zarr_format=zarr_format)
            except UnknownDataTypeError:
                continue
        raise ValueError(f"No Zarr data type found that matches {data!r}")


def _default_registry() -> DataTypeRegistry:
    registry = DataTypeRegistry()
    classes: list[type[DataType]] = [NUMERIC_TYPES[n] for n in _ZARR_PYTHON_NUMERIC]
    classes += [FixedUTF32Type, VariableStringType, NullTerminatedBytesType, RawBytesType]
    classes += [VariableBytesType, StructuredType, DateTime64, TimeDelta64]
    for cls in classes:
        registry.register(cls._zarr_v3_name, cls)  # type: ignore[attr-defined]
    return registry


_ZARR_PYTHON_NUMERIC = (
    "bool",
    "int8",
    "int16",
    "int32",
    "int64",
    "uint8",
    "uint16",
    "uint32",
    "uint64",
    "float16",
    "float32",
    "float64",
    "complex64",
    "complex128",
)

#: The registry zarr-python's functions use: zarr-python 3.1.5's data types.
data_type_registry = _default_registry()


def get_data_type_from_native_dtype(dtype: Any) -> DataType:
    """The data type of a NumPy dtype (or anything ``numpy.dtype`` accepts), byte order kept.

    Raises
    ------
    ValueError
        If no registered data type claims it.
    """
    data_type_registry._lazy_load()
    return data_type_registry.match_dtype(np.dtype(dtype))


def get_data_type_from_json(data: JSON, *, zarr_format: ZarrFormat) -> DataType:
    """The data type a v3 ``data_type`` or a v2 dtype JSON names.

    Raises
    ------
    ValueError
        If no registered data type claims it.
    """
    data_type_registry._lazy_load()
    return data_type_registry.match_json(data, zarr_format=zarr_format)


def parse_dtype(dtype_spec: Any, *, zarr_format: ZarrFormat = 3) -> DataType:
    """The data type a ``dtype=`` argument names (NumPy dtype, string, JSON, DataType).

    zarr-python's name (also ``parse_data_type``): in both formats the byte order
    of a NumPy dtype is kept, as zarr-python keeps it in the data type.

    Raises
    ------
    UnknownDataTypeError
        If ``dtype_spec`` names no data type (a ``ValueError``).
    """
    if isinstance(dtype_spec, DataType):
        return dtype_spec
    return parse_data_type(dtype_spec, zarr_format, keep_byte_order=True)
