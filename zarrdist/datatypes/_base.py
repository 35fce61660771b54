"""The ``DataType`` base class and the JSON helpers every data type shares.

A data type knows four things: its name in Zarr v3 metadata, its name in Zarr v2
metadata (a NumPy dtype string), the NumPy dtype arrays of it use in memory, and
how its fill values are written as JSON. Fill values compare by their bytes, so
NaN equals NaN and -0.0 differs from 0.0.
"""

from __future__ import annotations

import base64
import binascii
import struct
import sys
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any, ClassVar, Literal

import numpy as np

from zarrdist.errors import MetadataError

__all__ = [
    "NATIVE_ENDIANNESS",
    "DataType",
    "Endianness",
    "JSON",
    "ZarrFormat",
    "b64_decode",
    "b64_encode",
    "bad_fill",
    "check_zarr_format",
    "endianness_of",
    "float_from_json",
    "float_to_json",
]

JSON = Any
ZarrFormat = Literal[2, 3]
Endianness = Literal["little", "big"]
NATIVE_ENDIANNESS: Endianness = "little" if sys.byteorder == "little" else "big"

_SPECIAL_FLOATS = {"NaN": float("nan"), "Infinity": float("inf"), "-Infinity": float("-inf")}
# Hex float literals of other widths are read as that width, then cast (as zarr-python does).
_HEX_WIDTHS = {4: ">e", 8: ">f", 16: ">d"}


def check_zarr_format(zarr_format: object) -> ZarrFormat:
    """``zarr_format`` if it is 2 or 3.

    Raises
    ------
    MetadataError
        For any other value.
    """
    if zarr_format == 2 or zarr_format == 3:
        return zarr_format
    raise MetadataError(f"zarr_format must be 2 or 3, got {zarr_format!r}")


def endianness_of(dtype: np.dtype[Any]) -> Endianness | None:
    """The byte order of ``dtype``: None where it has none (one-byte and non-numeric types)."""
    order = dtype.byteorder
    if order == "|":
        return None
    if order == "=":
        return NATIVE_ENDIANNESS
    return "little" if order == "<" else "big"


def bad_fill(value: object, data_type: DataType, reason: str = "") -> MetadataError:
    """The error for a fill value a data type cannot hold."""
    detail = f": {reason}" if reason else ""
    return MetadataError(
        f"invalid fill value {value!r} for data type {data_type.describe()}{detail}"
    )


def b64_encode(data: bytes) -> str:
    """Standard base64 with padding, as zarr-python and TensorStore write byte fill values."""
    return base64.standard_b64encode(data).decode("ascii")


def b64_decode(text: object, data_type: DataType) -> bytes:
    """Decode a base64 fill value.

    Raises
    ------
    MetadataError
        If ``text`` is not a base64 string.
    """
    if not isinstance(text, str):
        raise bad_fill(text, data_type, "expected a base64 string")
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError) as exc:
        raise bad_fill(text, data_type, "not valid base64") from exc


def _big_endian_bytes(value: np.generic) -> bytes:
    # Scalars are in native order; ml_dtypes types cannot be byte-swapped through
    # numpy's newbyteorder, so reverse the raw bytes instead.
    raw = value.tobytes()
    return raw[::-1] if NATIVE_ENDIANNESS == "little" else raw


def _from_big_endian_bytes(raw: bytes, dtype: np.dtype[Any]) -> Any:
    native = raw[::-1] if NATIVE_ENDIANNESS == "little" else raw
    return np.frombuffer(native, dtype=dtype)[0]


def float_to_json(value: Any, zarr_format: ZarrFormat) -> float | str:
    """JSON for one float scalar (``value`` already has the array's scalar type).

    NaN is ``"NaN"`` when it is the type's default NaN; other NaNs (payload or
    sign bit set) are written as v3 hex strings (``"0x7fc00001"``) so their bits
    survive. Zarr v2 has no hex form, so there every NaN is ``"NaN"``.
    """
    if np.isnan(value):
        if zarr_format == 3:
            canonical = np.array(np.nan, dtype=value.dtype)[()]
            if value.tobytes() != canonical.tobytes():
                return "0x" + _big_endian_bytes(value).hex()
        return "NaN"
    if np.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return float(value)


def float_from_json(data: JSON, data_type: DataType, zarr_format: ZarrFormat) -> Any:
    """A float scalar of ``data_type`` from its JSON form.

    Accepts numbers, ``"NaN"``, ``"Infinity"``, ``"-Infinity"``, numeric strings
    (zarr-python's leniency) and, in v3, hex strings. A hex string with exactly
    two digits per byte of the type is read bit for bit.

    Raises
    ------
    MetadataError
        If ``data`` is none of these.
    """
    dtype = data_type.to_native()
    if isinstance(data, bool):
        raise bad_fill(data, data_type, "expected a number")
    if isinstance(data, int | float):
        return _cast_float(data, dtype)
    if not isinstance(data, str):
        raise bad_fill(data, data_type, "expected a number or a string")
    if data in _SPECIAL_FLOATS:
        return _cast_float(_SPECIAL_FLOATS[data], dtype)
    if data.startswith("0x"):
        if zarr_format == 2:
            raise bad_fill(data, data_type, "hex floats are a Zarr v3 encoding")
        return _float_from_hex(data, data_type, dtype)
    try:
        return _cast_float(float(data), dtype)
    except ValueError as exc:
        raise bad_fill(data, data_type, "not a float") from exc


def _float_from_hex(data: str, data_type: DataType, dtype: np.dtype[Any]) -> Any:
    digits = data[2:]
    try:
        raw = bytes.fromhex(digits)
    except ValueError as exc:
        raise bad_fill(data, data_type, "not a hex number") from exc
    if len(raw) == dtype.itemsize:
        return _from_big_endian_bytes(raw, dtype)
    code = _HEX_WIDTHS.get(len(digits))
    if code is None:
        raise bad_fill(data, data_type, f"expected {2 * dtype.itemsize} hex digits")
    return _cast_float(struct.unpack(code, raw)[0], dtype)


def _cast_float(value: float, dtype: np.dtype[Any]) -> Any:
    # Large values overflow to infinity as the JSON number would in any reader.
    with np.errstate(over="ignore"):
        return np.array(value, dtype=dtype)[()]


class DataType(ABC):
    """A Zarr data type: names in both formats, in-memory dtype, fill-value JSON.

    Subclasses are frozen dataclasses, so data types are hashable and compare by
    value. Build them with :func:`zarrdist.datatypes.parse_data_type` or
    :meth:`from_json`.
    """

    #: Name in Zarr v3 metadata (for parametrised types, the ``name`` member).
    name: str
    #: Whether values have no fixed size (variable-length strings and bytes).
    is_variable_length: ClassVar[bool] = False
    #: JSON -> the data type it names, of whatever class: installed by
    #: :mod:`zarrdist.datatypes._parse` as it loads. That module imports every data
    #: type class, and so this one; importing it from here would be an import circle.
    json_parser: ClassVar[Callable[..., DataType]]

    @property
    def endianness(self) -> Endianness | None:
        """Byte order of stored values; None where it has no meaning."""
        return None

    def with_endianness(self, endianness: Endianness | None) -> DataType:
        """The same type with another byte order (a no-op for types without one)."""
        return self

    @property
    def item_size(self) -> int | None:
        """Bytes per element; None for variable-length types."""
        return None if self.is_variable_length else self.to_native().itemsize

    @property
    def object_codec_id(self) -> str | None:
        """The numcodecs object codec a v2 array of this type needs (``vlen-utf8``), if any."""
        return None

    @classmethod
    def from_json(
        cls, data: JSON, zarr_format: ZarrFormat, *, object_codec_id: str | None = None
    ) -> DataType:
        """Parse the ``data_type`` (v3) or ``dtype`` (v2) member of array metadata.

        Parameters
        ----------
        data
            The JSON value.
        zarr_format
            2 or 3.
        object_codec_id
            For v2 ``"|O"``: the id of the object codec among the array's filters
            or compressor (``vlen-utf8``, ``vlen-bytes``).

        Raises
        ------
        UnknownDataTypeError
            If the value names no known data type.
        """
        return DataType.json_parser(data, zarr_format, object_codec_id=object_codec_id)

    @abstractmethod
    def to_json(self, zarr_format: ZarrFormat) -> JSON:
        """The ``data_type`` member (v3) or the ``dtype`` member (v2)."""

    @abstractmethod
    def to_native(self) -> np.dtype[Any]:
        """The NumPy dtype of arrays of this type in memory."""

    @abstractmethod
    def default_fill_value(self) -> Any:
        """The fill value used when none is given (zero, empty, or NaT)."""

    @abstractmethod
    def cast_fill_value(self, value: Any) -> Any:
        """``value`` as this type's fill-value scalar.

        Raises
        ------
        MetadataError
            If the type cannot hold ``value``.
        """

    def fill_value_to_json(self, value: Any, zarr_format: ZarrFormat) -> JSON:
        """The JSON encoding of a fill value.

        ``None`` is written as ``null``, which only v2 allows ("no fill value").

        Raises
        ------
        MetadataError
            If the type cannot hold ``value``, or ``value`` is None in v3.
        """
        if value is None:
            if zarr_format == 2:
                return None
            raise bad_fill(value, self, "Zarr v3 requires a fill value")
        return self._fill_to_json(value, zarr_format)

    def fill_value_from_json(self, data: JSON, zarr_format: ZarrFormat) -> Any:
        """A fill-value scalar from any JSON encoding the specs (or zarr-python) allow.

        ``null`` gives None in v2 (readers then use :meth:`default_fill_value`).

        Raises
        ------
        MetadataError
            If ``data`` is not a valid encoding for this type, or is null in v3.
        """
        if data is None:
            if zarr_format == 2:
                return None
            raise bad_fill(data, self, "Zarr v3 requires a fill value")
        try:
            return self._fill_from_json(data, zarr_format)
        except MetadataError as exc:
            if repr(data) in str(exc):
                raise
            # A decoded value was refused (base64 of the wrong length): name the JSON.
            raise bad_fill(data, self, str(exc.args[0]).split(": ", 1)[-1]) from exc

    @abstractmethod
    def _fill_to_json(self, value: Any, zarr_format: ZarrFormat) -> JSON:
        """Encode a (non-None) fill value."""

    @abstractmethod
    def _fill_from_json(self, data: JSON, zarr_format: ZarrFormat) -> Any:
        """Decode a (non-null) fill value."""

    def fill_value_bytes(self, value: Any) -> bytes:
        """The bytes a fill value compares by (NaN == NaN, -0.0 != 0.0)."""
        if value is None:
            return b""
        return np.asarray(self.cast_fill_value(value), dtype=self.to_native()).tobytes()

    def describe(self) -> str:
        """A short human-readable name for messages (``int32``, ``|S5``)."""
        as_json = self.to_json(3) if self._v3_representable() else self.to_json(2)
        return as_json if isinstance(as_json, str) else repr(as_json)

    def _v3_representable(self) -> bool:
        return True
