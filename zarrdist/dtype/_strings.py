"""Strings and bytes, fixed- and variable-length.

Names follow zarr-python 3.1.5, which defines these types for v3 (zarr-extensions):

=====================  ==========================================  ===================
in memory              v3 ``data_type``                            v2 ``dtype``
=====================  ==========================================  ===================
``StringDType()``      ``"string"``                                ``"|O"`` + vlen-utf8
``object`` (bytes)     ``"variable_length_bytes"``                 ``"|O"`` + vlen-bytes
``<U5``                ``fixed_length_utf32`` {length_bytes: 20}   ``"<U5"``
``S5``                 ``null_terminated_bytes`` {length_bytes: 5}  ``"|S5"``
``V4``                 ``raw_bytes`` {length_bytes: 4}, or ``r32``  ``"|V4"``
=====================  ==========================================  ===================

Byte fill values are base64 strings, as zarr-python and TensorStore write them;
fixed-length bytes keep their null padding so that TensorStore can read them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal, Self

import numpy as np

from zarrdist.dtype._base import (
    JSON,
    NATIVE_ENDIANNESS,
    DataType,
    Endianness,
    HasEndianness,
    HasItemSize,
    HasLength,
    HasObjectCodec,
    ZarrFormat,
    b64_decode,
    b64_encode,
    bad_fill,
)
from zarrdist.errors import UnknownDataTypeError

__all__ = [
    "FixedLengthUTF32",
    "FixedUTF32Type",
    "NullTerminatedBytes",
    "NullTerminatedBytesType",
    "RawBytes",
    "RawBytesType",
    "VariableBytesType",
    "VariableLengthBytes",
    "VariableLengthUTF8",
    "VariableStringType",
]


def _check_length(length: object, name: str) -> None:
    if not isinstance(length, int) or isinstance(length, bool) or length < 1:
        # zarr-python's wording, which callers match.
        raise UnknownDataTypeError(f"{name}: length must be >= 1, got {length!r}.")


def _named(name: str, length_bytes: int) -> dict[str, Any]:
    return {"name": name, "configuration": {"length_bytes": length_bytes}}


@dataclass(frozen=True)
class VariableLengthUTF8(DataType):
    """Variable-length UTF-8 strings (``"string"``; v2 ``"|O"`` with ``vlen-utf8``)."""

    name: str = field(default="string", init=False, repr=False)
    is_variable_length: ClassVar[bool] = True
    _zarr_v3_name: ClassVar[str] = "string"

    @property
    def object_codec_id(self) -> str:
        """``"vlen-utf8"``."""
        return "vlen-utf8"

    def metadata_json(self, zarr_format: ZarrFormat) -> str:
        """``"string"`` (v3) or ``"|O"`` (v2)."""
        return "string" if zarr_format == 3 else "|O"

    def to_native(self) -> np.dtype[Any]:
        """NumPy's variable-width ``StringDType``, as zarr-python 3.1.5 returns."""
        return np.dtypes.StringDType()

    def default_fill_value(self) -> str:
        """The empty string."""
        return ""

    def cast_fill_value(self, value: Any) -> str:
        """``value`` as a ``str`` (bytes are decoded as UTF-8)."""
        if isinstance(value, bytes | np.bytes_):
            try:
                return bytes(value).decode("utf-8")
            except UnicodeDecodeError as exc:
                raise bad_fill(value, self, "bytes are not UTF-8") from exc
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            return str(value)
        raise bad_fill(value, self, "expected a string")

    def _fill_to_json(self, value: Any, zarr_format: ZarrFormat) -> JSON:
        """The string itself."""
        return self.cast_fill_value(value)

    def _fill_from_json(self, data: JSON, zarr_format: ZarrFormat) -> str:
        """A string; numbers are accepted as zarr-python 2 wrote ``0`` for strings."""
        return self.cast_fill_value(data)

    def fill_value_bytes(self, value: Any) -> bytes:
        """UTF-8 bytes of the value."""
        return b"" if value is None else self.cast_fill_value(value).encode("utf-8")


@dataclass(frozen=True)
class VariableLengthBytes(DataType):
    """Variable-length bytes (``"variable_length_bytes"``; v2 ``"|O"`` with ``vlen-bytes``)."""

    name: str = field(default="variable_length_bytes", init=False, repr=False)
    is_variable_length: ClassVar[bool] = True
    _zarr_v3_name: ClassVar[str] = "variable_length_bytes"
    unstable_in_v3: ClassVar[bool] = True

    @classmethod
    def from_native_dtype(cls, dtype: Any) -> Self:
        """This type for the NumPy object dtype (which holds the ``bytes``), as zarr-python."""
        if isinstance(dtype, np.dtype) and dtype.kind == "O":
            return cls()
        return super().from_native_dtype(dtype)

    @property
    def object_codec_id(self) -> str:
        """``"vlen-bytes"``."""
        return "vlen-bytes"

    def metadata_json(self, zarr_format: ZarrFormat) -> str:
        """``"variable_length_bytes"`` (v3) or ``"|O"`` (v2)."""
        return "variable_length_bytes" if zarr_format == 3 else "|O"

    def to_native(self) -> np.dtype[Any]:
        """Object arrays of ``bytes``."""
        return np.dtype(object)

    def default_fill_value(self) -> bytes:
        """Empty bytes."""
        return b""

    def cast_fill_value(self, value: Any) -> bytes:
        """``value`` as ``bytes`` (strings are encoded as UTF-8)."""
        if isinstance(value, str):
            return value.encode("utf-8")
        if isinstance(value, bytes | bytearray | memoryview | np.bytes_):
            return bytes(value)
        raise bad_fill(value, self, "expected bytes")

    def _fill_to_json(self, value: Any, zarr_format: ZarrFormat) -> JSON:
        """Base64 of the bytes."""
        return b64_encode(self.cast_fill_value(value))

    def _fill_from_json(self, data: JSON, zarr_format: ZarrFormat) -> bytes:
        """Decode base64."""
        return b64_decode(data, self)

    def fill_value_bytes(self, value: Any) -> bytes:
        """The bytes themselves."""
        return b"" if value is None else self.cast_fill_value(value)


@dataclass(frozen=True)
class FixedLengthUTF32(DataType):
    """Fixed-length UTF-32 strings of ``length`` code points (NumPy ``U``).

    Attributes
    ----------
    length : int
        Code points per element (``length_bytes`` in v3 is 4x this).
    endianness : {"little", "big"}
        Byte order of the code points (native unless given).
    """

    length: int
    endianness: Endianness | None = None
    name: str = field(default="fixed_length_utf32", init=False, repr=False)
    _zarr_v3_name: ClassVar[str] = "fixed_length_utf32"
    unstable_in_v3: ClassVar[bool] = True

    def __post_init__(self) -> None:
        _check_length(self.length, "fixed_length_utf32")
        if self.endianness is None:
            object.__setattr__(self, "endianness", NATIVE_ENDIANNESS)

    def with_endianness(self, endianness: Endianness | None) -> FixedUTF32Type:
        """The same type in another byte order."""
        return FixedUTF32Type(self.length, endianness)

    def metadata_json(self, zarr_format: ZarrFormat) -> JSON:
        """``fixed_length_utf32`` with ``length_bytes`` (v3) or ``"<U5"`` (v2)."""
        if zarr_format == 3:
            return _named(self.name, 4 * self.length)
        return self.to_native().str

    def to_native(self) -> np.dtype[Any]:
        """``<U{length}`` or ``>U{length}``."""
        return np.dtype(f"{'<' if self.endianness == 'little' else '>'}U{self.length}")

    def default_fill_value(self) -> Any:
        """The empty string."""
        return np.str_("")

    def cast_fill_value(self, value: Any) -> Any:
        """``value`` as ``np.str_``; longer than ``length`` is an error, not a truncation."""
        if isinstance(value, bytes | np.bytes_):
            value = bytes(value).decode("utf-8", errors="strict")
        if not isinstance(value, str):
            raise bad_fill(value, self, "expected a string")
        if len(value) > self.length:
            raise bad_fill(value, self, f"longer than {self.length} characters")
        return np.str_(value)

    def _fill_to_json(self, value: Any, zarr_format: ZarrFormat) -> JSON:
        """The string itself."""
        return str(self.cast_fill_value(value))

    def _fill_from_json(self, data: JSON, zarr_format: ZarrFormat) -> Any:
        """A plain JSON string."""
        return self.cast_fill_value(data)


@dataclass(frozen=True)
class NullTerminatedBytes(DataType):
    """Fixed-length, null-padded bytes (NumPy ``S``).

    Attributes
    ----------
    length : int
        Bytes per element.
    """

    length: int
    name: str = field(default="null_terminated_bytes", init=False, repr=False)
    _zarr_v3_name: ClassVar[str] = "null_terminated_bytes"
    unstable_in_v3: ClassVar[bool] = True

    def __post_init__(self) -> None:
        _check_length(self.length, "null_terminated_bytes")

    def metadata_json(self, zarr_format: ZarrFormat) -> JSON:
        """``null_terminated_bytes`` with ``length_bytes`` (v3) or ``"|S5"`` (v2)."""
        return _named(self.name, self.length) if zarr_format == 3 else f"|S{self.length}"

    def to_native(self) -> np.dtype[Any]:
        """``S{length}``."""
        return np.dtype(f"S{self.length}")

    def default_fill_value(self) -> Any:
        """Empty bytes (all zero)."""
        return np.bytes_(b"")

    def cast_fill_value(self, value: Any) -> Any:
        """``value`` as ``np.bytes_``, cut to ``length`` bytes as NumPy (and zarr-python)
        cut a longer value assigned to an ``S`` array."""
        if isinstance(value, str):
            try:
                value = value.encode("ascii")
            except UnicodeEncodeError as exc:
                raise bad_fill(value, self, "strings must be ASCII") from exc
        if not isinstance(value, bytes | bytearray | np.bytes_):
            raise bad_fill(value, self, "expected bytes")
        return np.bytes_(bytes(value)[: self.length].rstrip(b"\0"))

    def _fill_to_json(self, value: Any, zarr_format: ZarrFormat) -> JSON:
        """Base64 of all ``length`` bytes, null padding included.

        zarr-python 3.1.5 strips the padding (``"YWI="`` for ``b"ab"`` in ``S4``),
        which TensorStore refuses; the padded form (``"YWIAAA=="``) reads the same
        in zarr-python and also in TensorStore.
        """
        return b64_encode(bytes(self.cast_fill_value(value)).ljust(self.length, b"\0"))

    def _fill_from_json(self, data: JSON, zarr_format: ZarrFormat) -> Any:
        """Decode base64; more than ``length`` bytes is refused (a corrupt document)."""
        raw = b64_decode(data, self)
        if len(raw.rstrip(b"\0")) > self.length:
            raise bad_fill(data, self, f"longer than {self.length} bytes")
        return self.cast_fill_value(raw)


@dataclass(frozen=True)
class RawBytes(DataType):
    """Opaque fixed-size bytes: zarr-python's ``raw_bytes`` or the v3 core ``r<bits>``.

    Attributes
    ----------
    length : int
        Bytes per element.
    spelling : {"raw_bytes", "r"}
        How v3 metadata names it: ``{"name": "raw_bytes", ...}`` (zarr-python) or
        ``"r32"`` (the core spec, TensorStore). Both are NumPy ``V{length}``.
    """

    length: int
    spelling: Literal["raw_bytes", "r"] = field(default="raw_bytes", repr=False)
    name: str = field(default="raw_bytes", init=False, repr=False)
    _zarr_v3_name: ClassVar[str] = "raw_bytes"
    unstable_in_v3: ClassVar[bool] = True

    def __post_init__(self) -> None:
        _check_length(self.length, "raw_bytes")
        if self.spelling == "r":
            object.__setattr__(self, "name", f"r{8 * self.length}")

    def metadata_json(self, zarr_format: ZarrFormat) -> JSON:
        """``raw_bytes`` with ``length_bytes`` or ``"r32"`` (v3); ``"|V4"`` (v2)."""
        if zarr_format == 2:
            return f"|V{self.length}"
        return _named("raw_bytes", self.length) if self.spelling == "raw_bytes" else self.name

    def to_native(self) -> np.dtype[Any]:
        """``V{length}``."""
        return np.dtype(f"V{self.length}")

    def default_fill_value(self) -> Any:
        """All zero bytes."""
        return np.zeros((), dtype=self.to_native())[()]

    def cast_fill_value(self, value: Any) -> Any:
        """``value`` (bytes, or a list of byte values) as ``np.void``: shorter bytes are
        padded with zeros and longer ones cut, as NumPy casts them to ``V{length}`` (and
        zarr-python with it)."""
        if isinstance(value, np.void):
            value = value.tobytes()
        elif isinstance(value, list | tuple):
            if not all(isinstance(v, int) and 0 <= v < 256 for v in value):
                raise bad_fill(value, self, "expected byte values 0..255")
            value = bytes(value)
        if not isinstance(value, bytes | bytearray):
            raise bad_fill(value, self, "expected bytes")
        return np.array(bytes(value)).astype(self.to_native())[()]

    def _fill_to_json(self, value: Any, zarr_format: ZarrFormat) -> JSON:
        """Base64 of the bytes."""
        return b64_encode(self.cast_fill_value(value).tobytes())

    def _fill_from_json(self, data: JSON, zarr_format: ZarrFormat) -> Any:
        """Base64, or (v3 core ``r<bits>``) a list of byte values, of exactly ``length``
        bytes (a document's fill value is not cast: one of another length is an error)."""
        raw = bytes(data) if isinstance(data, list) else b64_decode(data, self)
        if isinstance(data, list) and not all(isinstance(v, int) and 0 <= v < 256 for v in data):
            raise bad_fill(data, self, "expected byte values 0..255")
        if len(raw) != self.length:
            raise bad_fill(data, self, f"expected exactly {self.length} bytes")
        return self.cast_fill_value(raw)


# zarrdist's earlier names of the classes above (zarr-python's names are the classes').
FixedUTF32Type = FixedLengthUTF32
NullTerminatedBytesType = NullTerminatedBytes
RawBytesType = RawBytes
VariableBytesType = VariableLengthBytes
VariableStringType = VariableLengthUTF8

for _cls in (FixedUTF32Type, NullTerminatedBytesType, RawBytesType):
    HasLength.register(_cls)
    HasItemSize.register(_cls)
HasEndianness.register(FixedUTF32Type)
HasObjectCodec.register(VariableStringType)
HasObjectCodec.register(VariableBytesType)
