"""Booleans, integers, floats and complex numbers: the Zarr v3 core numeric types.

TensorStore's extra float types (``bfloat16``, ``float8_*``) are supported when
``ml_dtypes`` is installed (TensorStore depends on it); they are little-endian
and have no NumPy byte order, so v2 names them by their plain name, as
TensorStore does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any, ClassVar, Literal

import numpy as np

from zarrdist.dtype._base import (
    JSON,
    NATIVE_ENDIANNESS,
    DataType,
    Endianness,
    HasEndianness,
    HasItemSize,
    ZarrFormat,
    bad_fill,
    float_from_json,
    float_to_json,
)
from zarrdist.errors import UnknownDataTypeError

__all__ = [
    "EXTENSION_FLOAT_NAMES",
    "NUMERIC_CODES",
    "NUMERIC_TYPES",
    "Bool",
    "Complex64",
    "Complex128",
    "Float16",
    "Float32",
    "Float64",
    "Int8",
    "Int16",
    "Int32",
    "Int64",
    "NumericType",
    "UInt8",
    "UInt16",
    "UInt32",
    "UInt64",
    "extension_float_dtype",
    "numeric_type",
]

#: v3 name -> NumPy type code.
NUMERIC_CODES: dict[str, str] = {
    "bool": "?",
    "int8": "i1",
    "int16": "i2",
    "int32": "i4",
    "int64": "i8",
    "uint8": "u1",
    "uint16": "u2",
    "uint32": "u4",
    "uint64": "u8",
    "float16": "f2",
    "float32": "f4",
    "float64": "f8",
    "complex64": "c8",
    "complex128": "c16",
}

#: Float types TensorStore writes that live in ``ml_dtypes``.
EXTENSION_FLOAT_NAMES: tuple[str, ...] = (
    "bfloat16",
    "float8_e3m4",
    "float8_e4m3fn",
    "float8_e4m3fnuz",
    "float8_e4m3b11fnuz",
    "float8_e5m2",
    "float8_e5m2fnuz",
    "float8_e8m0fnu",
)

Category = Literal["bool", "int", "uint", "float", "complex"]


@cache
def extension_float_dtype(name: str) -> np.dtype[Any] | None:
    """The ``ml_dtypes`` dtype named ``name``, or None if it (or ml_dtypes) is missing."""
    if name not in EXTENSION_FLOAT_NAMES:
        return None
    try:
        import ml_dtypes
    except ImportError:
        return None
    scalar_type = getattr(ml_dtypes, name, None)
    return None if scalar_type is None else np.dtype(scalar_type)


@dataclass(frozen=True)
class NumericType(DataType):
    """A boolean, integer, float or complex type: one subclass per name (:class:`Int32`).

    Build one by name with :func:`numeric_type`.

    Attributes
    ----------
    endianness : {"little", "big"} or None
        Byte order of stored values (native unless given); None for one-byte types.
    """

    endianness: Endianness | None = None
    #: The v3 name (``"int32"``, ``"float64"``, ``"bfloat16"``), set by each subclass.
    name: ClassVar[str] = ""  # type: ignore[misc]

    def __post_init__(self) -> None:
        base = self._base_dtype()
        if base.itemsize == 1 or self.name in EXTENSION_FLOAT_NAMES:
            object.__setattr__(self, "endianness", None)
        elif self.endianness is None:
            object.__setattr__(self, "endianness", NATIVE_ENDIANNESS)
        elif self.endianness not in ("little", "big"):
            raise UnknownDataTypeError(
                f"endianness of {self.name} must be 'little' or 'big', got {self.endianness!r}"
            )

    def _base_dtype(self) -> np.dtype[Any]:
        code = NUMERIC_CODES.get(self.name)
        if code is not None:
            return np.dtype(code)
        ext = extension_float_dtype(self.name)
        if ext is None:
            raise UnknownDataTypeError(f"unknown numeric data type {self.name!r}")
        return ext

    @property
    def category(self) -> Category:
        """``bool``, ``int``, ``uint``, ``float`` or ``complex``."""
        if self.name in EXTENSION_FLOAT_NAMES:
            return "float"
        kinds: dict[str, Category] = {
            "b": "bool",
            "i": "int",
            "u": "uint",
            "f": "float",
            "c": "complex",
        }
        return kinds[self._base_dtype().kind]

    def __repr__(self) -> str:
        """``Int32(endianness='little')``; ``Int8()`` for types without a byte order."""
        shown = "" if self.endianness is None else f"endianness={self.endianness!r}"
        return f"{type(self).__name__}({shown})"

    def with_endianness(self, endianness: Endianness | None) -> NumericType:
        """The same type with byte order ``endianness``."""
        return type(self)(endianness)

    def to_native(self) -> np.dtype[Any]:
        """The NumPy dtype, in this type's byte order."""
        base = self._base_dtype()
        if self.endianness is None:
            return base
        return base.newbyteorder("<" if self.endianness == "little" else ">")

    def metadata_json(self, zarr_format: ZarrFormat) -> str:
        """``"int32"`` in v3; the NumPy dtype string (``"<i4"``) in v2."""
        if zarr_format == 3 or self.name in EXTENSION_FLOAT_NAMES:
            return self.name
        return self.to_native().str

    def default_fill_value(self) -> Any:
        """Zero (``False`` for bool)."""
        return self._scalar(0)

    def _scalar(self, value: Any) -> Any:
        return np.array(value, dtype=self._base_dtype())[()]

    def cast_fill_value(self, value: Any) -> Any:
        """``value`` as a NumPy scalar of this type (integers are range-checked).

        Raises
        ------
        MetadataError
            If ``value`` does not fit the type.
        """
        if isinstance(value, np.generic) and value.dtype == self._base_dtype():
            # Already the right scalar: keep its exact bits (NaN payloads, -0.0).
            return value
        if isinstance(value, np.ndarray) and value.ndim == 0:
            value = value[()]
        if isinstance(value, np.generic) and value.dtype.kind in "biufc":
            value = value.item()
        return self._casters[self.category](self, value)

    def _cast_bool(self, value: Any) -> Any:
        # Any object, by its truth value (NumPy's and zarr-python's rule: "false" is true).
        try:
            return self._scalar(bool(value))
        except ValueError as exc:  # arrays of several elements have no truth value
            raise bad_fill(value, self, "expected true or false") from exc

    def _cast_float(self, value: Any) -> Any:
        if isinstance(value, str) or (
            isinstance(value, int | float) and not isinstance(value, bool)
        ):
            return float_from_json(value, self, 3)
        raise bad_fill(value, self, "expected a real number")

    def _cast_complex(self, value: Any) -> Any:
        if isinstance(value, list | tuple) and len(value) == 2:
            return self.fill_value_from_json(list(value), 3)
        if isinstance(value, complex | int | float) and not isinstance(value, bool):
            return self._scalar(value)
        raise bad_fill(value, self, "expected a complex number")

    def _cast_int(self, value: Any) -> Any:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        elif isinstance(value, str):
            try:
                value = int(value)
            except ValueError as exc:
                raise bad_fill(value, self, "not an integer") from exc
        if not isinstance(value, int):
            raise bad_fill(value, self, "expected an integer")
        info = np.iinfo(self._base_dtype())
        if not info.min <= value <= info.max:
            raise bad_fill(value, self, f"out of range [{info.min}, {info.max}]")
        return self._scalar(value)

    _casters: ClassVar[dict[str, Callable[[NumericType, Any], Any]]] = {
        "bool": _cast_bool,
        "int": _cast_int,
        "uint": _cast_int,
        "float": _cast_float,
        "complex": _cast_complex,
    }

    def _fill_to_json(self, value: Any, zarr_format: ZarrFormat) -> JSON:
        """``false``/``0``/``1.5``/``"NaN"``/``"0x7fc00001"``/``[re, im]``."""
        scalar = self.cast_fill_value(value)
        category = self.category
        if category == "bool":
            return bool(scalar)
        if category in ("int", "uint"):
            return int(scalar)
        if category == "float":
            return float_to_json(scalar, zarr_format)
        part = np.dtype(f"f{self._base_dtype().itemsize // 2}")
        return [
            float_to_json(np.array(scalar.real, dtype=part)[()], zarr_format),
            float_to_json(np.array(scalar.imag, dtype=part)[()], zarr_format),
        ]

    def _fill_from_json(self, data: JSON, zarr_format: ZarrFormat) -> Any:
        """Read any encoding the specs allow (and zarr-python's lenient ones)."""
        category = self.category
        if category == "bool":
            if not isinstance(data, bool):
                raise bad_fill(data, self, "expected true or false")
            return self._scalar(data)
        if category in ("int", "uint"):
            if isinstance(data, bool):
                raise bad_fill(data, self, "expected an integer")
            return self._cast_int(data)
        if category == "float":
            return float_from_json(data, self, zarr_format)
        if not (isinstance(data, list | tuple) and len(data) == 2):
            raise bad_fill(data, self, "expected [real, imaginary]")
        part_type = numeric_type(f"float{self._base_dtype().itemsize * 4}")
        real = float_from_json(data[0], part_type, zarr_format)
        imag = float_from_json(data[1], part_type, zarr_format)
        out = np.empty((), dtype=self._base_dtype())
        out.real, out.imag = real, imag
        return out[()]


def _named(v3_name: str, class_name: str) -> type[NumericType]:
    """The subclass of :class:`NumericType` for ``v3_name``."""
    doc = f"The ``{v3_name}`` data type (byte order: native unless given)."
    attrs = {"name": v3_name, "_zarr_v3_name": v3_name, "__doc__": doc, "__module__": __name__}
    return type(class_name, (NumericType,), attrs)


Bool = _named("bool", "Bool")
Int8 = _named("int8", "Int8")
Int16 = _named("int16", "Int16")
Int32 = _named("int32", "Int32")
Int64 = _named("int64", "Int64")
UInt8 = _named("uint8", "UInt8")
UInt16 = _named("uint16", "UInt16")
UInt32 = _named("uint32", "UInt32")
UInt64 = _named("uint64", "UInt64")
Float16 = _named("float16", "Float16")
Float32 = _named("float32", "Float32")
Float64 = _named("float64", "Float64")
Complex64 = _named("complex64", "Complex64")
Complex128 = _named("complex128", "Complex128")

#: v3 name -> its class: zarr-python's 14 numeric types, then TensorStore's extension floats.
NUMERIC_TYPES: dict[str, type[NumericType]] = {
    cls.name: cls
    for cls in (
        *(Bool, Int8, Int16, Int32, Int64, UInt8, UInt16, UInt32, UInt64),
        *(Float16, Float32, Float64, Complex64, Complex128),
    )
}
NUMERIC_TYPES.update(
    (name, _named(name, name.title().replace("_", ""))) for name in EXTENSION_FLOAT_NAMES
)


def numeric_type(name: str, endianness: Endianness | None = None) -> NumericType:
    """The numeric data type named ``name`` (``"int32"``) in byte order ``endianness``.

    Raises
    ------
    UnknownDataTypeError
        If no numeric type has that name.
    """
    cls = NUMERIC_TYPES.get(name)
    if cls is None:
        raise UnknownDataTypeError(f"unknown numeric data type {name!r}")
    return cls(endianness)


HasItemSize.register(NumericType)
HasEndianness.register(NumericType)
