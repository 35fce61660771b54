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
import warnings
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import fields
from typing import Any, ClassVar, Literal, Self

import numpy as np

from zarrdist.errors import (
    FillValueError,
    MetadataError,
    UnknownDataTypeError,
    UnstableSpecificationWarning,
)

__all__ = [
    "NATIVE_ENDIANNESS",
    "DataType",
    "HasEndianness",
    "HasItemSize",
    "HasLength",
    "HasObjectCodec",
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
_V2_FORM = {"name", "object_codec_id"}


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


def bad_fill(value: object, data_type: DataType, reason: str = "") -> FillValueError:
    """The error for a fill value a data type cannot hold."""
    detail = f": {reason}" if reason else ""
    return FillValueError(
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
    value. Build them with :func:`zarrdist.dtype.datatypes.parse_data_type` or
    :meth:`from_json`.
    """

    #: Name in Zarr v3 metadata (for parametrised types, the ``name`` member).
    name: str
    #: Whether values have no fixed size (variable-length strings and bytes).
    is_variable_length: ClassVar[bool] = False
    #: Whether no Zarr v3 specification defines the type (zarr-python warns on its JSON).
    unstable_in_v3: ClassVar[bool] = False
    #: NumPy dtype -> the data type of it, byte order kept: installed with ``json_parser``.
    native_parser: ClassVar[Callable[[np.dtype[Any]], DataType]]
    #: JSON -> the data type it names, of whatever class: installed by
    #: :mod:`zarrdist.dtype._parse` as it loads. That module imports every data
    #: type class, and so this one; importing it from here would be an import circle.
    json_parser: ClassVar[Callable[..., DataType]]

    def __class_getitem__(cls, params: object) -> type[DataType]:
        """``ZDType[TDType, TScalar]`` in annotations (zarr-python's classes are generic)."""
        return cls

    @property
    def endianness(self) -> Endianness | None:
        """Byte order of stored values; None where it has no meaning (types with one
        keep it in a field of that name)."""
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
    ) -> Self:
        """Parse the ``data_type`` (v3) or ``dtype`` (v2) member of array metadata.

        On a concrete class (``Int32.from_json(...)``) the JSON must name that class's
        type. In v2, zarr-python's ``{"name": <dtype>, "object_codec_id": <id>}``
        form (what :meth:`to_json` gives) is accepted too.

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
            If the value names no known data type, or one of another class.
        """
        source = data
        if zarr_format == 2 and isinstance(data, Mapping) and set(data) == _V2_FORM:
            data, object_codec_id = data["name"], data["object_codec_id"]
        parsed = DataType.json_parser(data, zarr_format, object_codec_id=object_codec_id)
        return cls._adopt(parsed, f"JSON representation {source!r}")

    @classmethod
    def from_native_dtype(cls, dtype: Any) -> Self:
        """The data type of a NumPy dtype, byte order kept (zarr-python's name).

        Raises
        ------
        UnknownDataTypeError
            If ``dtype`` is not a dtype of this class.
        """
        if not isinstance(dtype, np.dtype):
            raise UnknownDataTypeError(f"expected a NumPy dtype, got {dtype!r}")
        return cls._adopt(DataType.native_parser(dtype), f"dtype {dtype!r}")

    @classmethod
    def _check_native_dtype(cls, dtype: Any) -> bool:
        """Whether ``dtype`` is a NumPy dtype of this class."""
        try:
            cls.from_native_dtype(dtype)
        except UnknownDataTypeError:
            return False
        return True

    @classmethod
    def _adopt(cls, parsed: DataType, shown: str) -> Self:
        """``parsed`` as an instance of ``cls``, or the error naming ``shown``."""
        if isinstance(parsed, cls):
            return parsed
        if issubclass(cls, type(parsed)):
            # A user's subclass of a registered type (zarr-python's registry allows it).
            init = {f.name: getattr(parsed, f.name) for f in fields(parsed) if f.init}  # type: ignore[arg-type]
            return cls(**init)
        raise UnknownDataTypeError(f"{shown} is not a {cls.__name__} data type")

    def to_json(self, zarr_format: ZarrFormat) -> JSON:
        """zarr-python's JSON of the type: v3 as :meth:`metadata_json`; v2 as
        ``{"name": <.zarray dtype>, "object_codec_id": <id or None>}``.

        Types no Zarr v3 specification defines give an ``UnstableSpecificationWarning``
        in v3, as zarr-python's do.
        """
        if zarr_format == 2:
            return {"name": self.metadata_json(2), "object_codec_id": self.object_codec_id}
        if self.unstable_in_v3:
            warnings.warn(
                f"The data type {self} has no Zarr v3 specification; other Zarr "
                "implementations may not read arrays of it.",
                UnstableSpecificationWarning,
                stacklevel=2,
            )
        return self.metadata_json(check_zarr_format(zarr_format))

    @abstractmethod
    def metadata_json(self, zarr_format: ZarrFormat) -> JSON:
        """The ``data_type`` member (v3) or the ``dtype`` member (v2) of array metadata."""

    def to_native_dtype(self) -> np.dtype[Any]:
        """The NumPy dtype (zarr-python's name for :meth:`to_native`)."""
        return self.to_native()

    @property
    def dtype_cls(self) -> type[np.dtype[Any]]:
        """The class of the NumPy dtype (``numpy.dtypes.Int32DType``), as zarr-python has it."""
        return type(self.to_native())

    def default_scalar(self) -> Any:
        """The default fill value (zarr-python's name for :meth:`default_fill_value`)."""
        return self.default_fill_value()

    def cast_scalar(self, data: object) -> Any:
        """``data`` as this type's scalar.

        Raises
        ------
        TypeError
            If the type cannot hold ``data`` (zarr-python's error and message).
        """
        try:
            return self.cast_fill_value(data)
        except MetadataError as exc:
            raise TypeError(
                f"Cannot convert object {data!r} with type {type(data)} to a scalar "
                f"compatible with the data type {self}."
            ) from exc

    def _check_scalar(self, data: object) -> bool:
        """Whether ``data`` can be cast to this type's scalar."""
        try:
            self.cast_fill_value(data)
        except MetadataError:
            return False
        return True

    def to_json_scalar(self, data: object, *, zarr_format: ZarrFormat) -> JSON:
        """The JSON of a scalar (zarr-python's name for :meth:`fill_value_to_json`).

        A complex value is a ``(real, imaginary)`` tuple here, as zarr-python returns
        it (metadata documents hold the same pair as a JSON list).
        """
        out = self.fill_value_to_json(data, zarr_format)
        return tuple(out) if isinstance(out, list) and self.to_native().kind == "c" else out

    def from_json_scalar(self, data: JSON, *, zarr_format: ZarrFormat) -> Any:
        """A scalar from its JSON (zarr-python's name for :meth:`fill_value_from_json`).

        Raises
        ------
        TypeError
            If ``data`` is not a JSON encoding of a value of this type.
        """
        try:
            return self.fill_value_from_json(data, zarr_format)
        except MetadataError as exc:
            # "Invalid type: <value>" first: zarr-python's words, which callers match.
            raise TypeError(f"Invalid type: {data}. {exc}") from exc

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
        as_json = self.metadata_json(3) if self._v3_representable() else self.metadata_json(2)
        return as_json if isinstance(as_json, str) else repr(as_json)

    def _v3_representable(self) -> bool:
        return True


class HasLength(ABC):  # noqa: B024 (a marker: classes are registered, nothing is abstract)
    """Marker of data types with a ``length`` (fixed-length strings and bytes)."""


class HasItemSize(ABC):  # noqa: B024
    """Marker of data types whose values have a fixed ``item_size``."""


class HasEndianness(ABC):  # noqa: B024
    """Marker of data types with an ``endianness``."""


class HasObjectCodec(ABC):  # noqa: B024
    """Marker of data types whose v2 arrays need an object codec (``object_codec_id``)."""
