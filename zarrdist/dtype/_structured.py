"""Structured (record) types: NumPy dtypes with named fields.

v2 writes them as a list of ``[name, dtype]`` (or ``[name, dtype, shape]`` for
sub-array fields) pairs; zarr-python 3.1.5 writes v3 as
``{"name": "structured", "configuration": {"fields": [[name, v3 data type], ...]}}``,
which has no place for sub-array shapes. Fill values are base64 of the record's
bytes. zarr-python 3.4 writes the zarr-extensions ``struct`` type instead:
``{"name": "struct", "configuration": {"fields": [{"name": ..., "data_type": ...}]}}``
with the fill value as an object of field values; a type read under that name is
written back under it (``StructuredType(..., name="struct")``), so either zarr-python
reads what zarrdist rewrites.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from zarrdist.dtype._base import (
    JSON,
    DataType,
    Endianness,
    HasItemSize,
    ZarrFormat,
    b64_decode,
    b64_encode,
    bad_fill,
)
from zarrdist.errors import MetadataError, UnknownDataTypeError

__all__ = ["StructField", "Structured", "StructuredType"]


@dataclass(frozen=True)
class StructField:
    """One field of a structured type.

    Attributes
    ----------
    name : str
    data_type : DataType
        A fixed-size type.
    shape : tuple of int
        Sub-array shape; ``()`` for a scalar field.
    """

    name: str
    data_type: DataType
    shape: tuple[int, ...] = ()

    def __repr__(self) -> str:
        """``('a', Float64(...))`` as zarr-python shows a field (the shape only if any)."""
        if self.shape:
            return repr((self.name, self.data_type, self.shape))
        return repr((self.name, self.data_type))


@dataclass(frozen=True)
class Structured(DataType):
    """A record of named fixed-size fields, packed without padding.

    Attributes
    ----------
    fields : tuple of StructField
        Given as StructFields or as ``(name, data type)`` pairs.
    """

    fields: tuple[StructField, ...]
    name: str = field(default="structured", repr=False, compare=False)
    _zarr_v3_name: ClassVar[str] = "structured"
    unstable_in_v3: ClassVar[bool] = True

    def __post_init__(self) -> None:
        if self.name not in ("structured", "struct"):
            raise UnknownDataTypeError(
                f"a structured type is 'structured' or 'struct', not {self.name!r}"
            )
        if not self.fields:
            # zarr-python's wording, which callers match.
            raise UnknownDataTypeError(
                f"a structured data type must have at least one field. Got {self.fields!r}"
            )
        # zarr-python's form, (name, data type) pairs, is accepted too.
        as_fields = tuple(f if isinstance(f, StructField) else StructField(*f) for f in self.fields)
        object.__setattr__(self, "fields", as_fields)
        names = [f.name for f in self.fields]
        if len(set(names)) != len(names):
            raise UnknownDataTypeError(f"structured data type has duplicate field names {names}")
        for f in self.fields:
            if f.data_type.is_variable_length:
                raise UnknownDataTypeError(
                    f"field {f.name!r} of a structured data type cannot be variable-length"
                )

    def with_endianness(self, endianness: Endianness | None) -> StructuredType:
        """Every field in byte order ``endianness``."""
        return StructuredType(
            tuple(
                StructField(f.name, f.data_type.with_endianness(endianness), f.shape)
                for f in self.fields
            ),
            self.name,
        )

    def _v3_representable(self) -> bool:
        return all(not f.shape and f.data_type._v3_representable() for f in self.fields)

    def metadata_json(self, zarr_format: ZarrFormat) -> JSON:
        """The v2 field list, or zarr-python's v3 ``structured`` configuration.

        Raises
        ------
        MetadataError
            For v3, if a field has a sub-array shape (v3 cannot express it).
        """
        if zarr_format == 2:
            out: list[list[Any]] = []
            for f in self.fields:
                entry: list[Any] = [f.name, f.data_type.metadata_json(2)]
                if f.shape:
                    entry.append(list(f.shape))
                out.append(entry)
            return out
        if not self._v3_representable():
            raise MetadataError(
                "a structured data type with sub-array fields has no Zarr v3 form; "
                "use zarr_format=2"
            )
        if self.name == "struct":
            named = [
                {"name": f.name, "data_type": f.data_type.metadata_json(3)} for f in self.fields
            ]
            return {"name": self.name, "configuration": {"fields": named}}
        fields = [[f.name, f.data_type.metadata_json(3)] for f in self.fields]
        return {"name": self.name, "configuration": {"fields": fields}}

    def to_native(self) -> np.dtype[Any]:
        """The packed NumPy structured dtype."""
        return np.dtype(
            [
                (f.name, f.data_type.to_native(), f.shape)
                if f.shape
                else (f.name, f.data_type.to_native())
                for f in self.fields
            ]
        )

    def default_fill_value(self) -> Any:
        """The integer 0 cast to the record, as zarr-python 3.1.5 does.

        Numeric fields are zero; string and bytes fields hold the text ``"0"``.
        Odd, but it is what zarr-python writes, and equal metadata is the contract.
        """
        return np.array([0]).astype(self.to_native())[0]

    def cast_fill_value(self, value: Any) -> Any:
        """Bytes of the record's size, a tuple of field values, ``np.void``, or ``0``."""
        dtype = self.to_native()
        if isinstance(value, np.void):
            value = value.tobytes()
        if isinstance(value, bytes | bytearray):
            if len(value) != dtype.itemsize:
                raise bad_fill(value, self, f"expected {dtype.itemsize} bytes")
            return np.frombuffer(bytes(value), dtype=dtype)[0]
        if isinstance(value, list | tuple):
            try:
                return np.array([tuple(value)], dtype=dtype)[0]
            except (ValueError, TypeError) as exc:
                raise bad_fill(value, self, str(exc)) from exc
        if isinstance(value, int) and not isinstance(value, bool):
            try:
                return np.array([value]).astype(dtype)[0]
            except (ValueError, OverflowError) as exc:
                raise bad_fill(value, self, str(exc)) from exc
        raise bad_fill(value, self, "expected bytes, a tuple of field values, or an integer")

    def _fill_to_json(self, value: Any, zarr_format: ZarrFormat) -> JSON:
        """Base64 of the record's bytes; v3 ``struct``: an object of field values."""
        record = self.cast_fill_value(value)
        if zarr_format == 3 and self.name == "struct":
            return {
                f.name: f.data_type._fill_to_json(record[f.name], zarr_format) for f in self.fields
            }
        return b64_encode(record.tobytes())

    def _fill_from_json(self, data: JSON, zarr_format: ZarrFormat) -> Any:
        """Decode base64, or (``struct``) an object of field values, missing ones zero."""
        if isinstance(data, dict):
            unknown = set(data) - {f.name for f in self.fields}
            if unknown:
                raise bad_fill(data, self, f"unknown fields {sorted(unknown)}")
            record = np.zeros((), dtype=self.to_native())
            for f in self.fields:
                if f.name in data:
                    record[f.name] = f.data_type._fill_from_json(data[f.name], zarr_format)
            return record[()]
        return self.cast_fill_value(b64_decode(data, self))


HasItemSize.register(Structured)

#: zarrdist's earlier name of :class:`Structured`.
StructuredType = Structured
