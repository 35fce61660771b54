"""NumPy datetime64 and timedelta64, as zarr-python 3.1.5 defines them for v3.

v3: ``{"name": "numpy.datetime64", "configuration": {"unit": "ns", "scale_factor": 1}}``;
v2: ``"<M8[ns]"`` (``"<m8[10s]"`` with a scale factor). Fill values are the
int64 count of units; NaT is the smallest int64, and ``"NaT"`` is accepted.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
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
)
from zarrdist.errors import UnknownDataTypeError

__all__ = ["TIME_UNITS", "DateTime64", "TimeDelta64", "TimeType", "time_type"]

#: Units NumPy accepts for datetime64/timedelta64.
TIME_UNITS = ("Y", "M", "W", "D", "h", "m", "s", "ms", "us", "ns", "ps", "fs", "as", "generic")

_NAT = np.iinfo(np.int64).min
_V3_NAMES = {"datetime": "numpy.datetime64", "timedelta": "numpy.timedelta64"}


@dataclass(frozen=True)
class TimeType(DataType):
    """``numpy.datetime64`` (:class:`DateTime64`) or ``numpy.timedelta64``
    (:class:`TimeDelta64`) with a unit and scale factor.

    Attributes
    ----------
    unit : str
        NumPy time unit (``"ns"``, ``"s"``, ``"D"``, ``"generic"``).
    scale_factor : int
        Units per tick (``10`` for ``M8[10s]``).
    endianness : {"little", "big"}
        Byte order of the int64 values (native unless given).
    """

    unit: str = "generic"
    scale_factor: int = 1
    endianness: Endianness | None = None
    name: str = field(default="", init=False, repr=False)
    #: ``"datetime"`` or ``"timedelta"``, set by each subclass.
    kind: ClassVar[Literal["datetime", "timedelta"]]

    def __post_init__(self) -> None:
        # zarr-python's wording (units listed with its alias "μs"), which callers match.
        if self.unit not in TIME_UNITS:
            units = (*TIME_UNITS[:9], "μs", *TIME_UNITS[9:])
            raise UnknownDataTypeError(f"unit must be one of {units}, got {self.unit!r}.")
        ok_scale = isinstance(self.scale_factor, int) and not isinstance(self.scale_factor, bool)
        if not ok_scale or self.scale_factor < 1:
            raise UnknownDataTypeError(f"scale_factor must be > 0, got {self.scale_factor!r}.")
        if self.scale_factor >= 2**31:
            raise UnknownDataTypeError(
                f"scale_factor must be < {2**31}, got {self.scale_factor!r}."
            )
        object.__setattr__(self, "name", _V3_NAMES[self.kind])
        if self.endianness is None:
            object.__setattr__(self, "endianness", NATIVE_ENDIANNESS)

    @staticmethod
    def from_native(dtype: np.dtype[Any]) -> TimeType:
        """The type of a NumPy ``M8``/``m8`` dtype."""
        unit, scale = np.datetime_data(dtype)
        order: Endianness = "big" if dtype.byteorder == ">" else "little"
        if dtype.byteorder == "=":
            order = NATIVE_ENDIANNESS
        cls = DateTime64 if dtype.kind == "M" else TimeDelta64
        return cls(unit, int(scale), order)

    def __repr__(self) -> str:
        """zarr-python's form: ``DateTime64(endianness='little', scale_factor=1, unit='ns')``."""
        return (
            f"{type(self).__name__}(endianness={self.endianness!r}, "
            f"scale_factor={self.scale_factor!r}, unit={self.unit!r})"
        )

    def with_endianness(self, endianness: Endianness | None) -> TimeType:
        """The same type in another byte order."""
        return type(self)(self.unit, self.scale_factor, endianness)

    def to_native(self) -> np.dtype[Any]:
        """``<M8[10s]`` and the like."""
        code = "M8" if self.kind == "datetime" else "m8"
        if self.unit != "generic":
            scale = "" if self.scale_factor == 1 else str(self.scale_factor)
            code = f"{code}[{scale}{self.unit}]"
        return np.dtype(code).newbyteorder("<" if self.endianness == "little" else ">")

    def metadata_json(self, zarr_format: ZarrFormat) -> JSON:
        """The v3 named configuration, or the NumPy dtype string in v2."""
        if zarr_format == 2:
            return self.to_native().str
        return {
            "name": self.name,
            "configuration": {"unit": self.unit, "scale_factor": self.scale_factor},
        }

    def default_fill_value(self) -> Any:
        """NaT."""
        return self._from_int(_NAT)

    def _from_int(self, count: int) -> Any:
        native = self.to_native().newbyteorder("=")
        return np.array(count, dtype=np.int64).view(native)[()]

    def cast_fill_value(self, value: Any) -> Any:
        """Integers (ticks), ``"NaT"``, ISO strings, ``datetime``/``timedelta`` and NumPy scalars.

        Raises
        ------
        MetadataError
            If ``value`` is none of these or does not convert.
        """
        native = self.to_native().newbyteorder("=")
        if isinstance(value, bool):
            raise bad_fill(value, self, "expected an integer or a time")
        # timedelta64 subclasses np.signedinteger, so time scalars are converted first.
        if isinstance(value, np.datetime64 | np.timedelta64):
            return self._convert(value, native)
        if isinstance(value, int | np.integer):
            if not _NAT <= int(value) <= np.iinfo(np.int64).max:
                raise bad_fill(value, self, "out of int64 range")
            return self._from_int(int(value))
        if value is None or (isinstance(value, str) and value == "NaT"):
            return self.default_fill_value()
        if not isinstance(value, str | _dt.datetime | _dt.date | _dt.timedelta):
            raise bad_fill(value, self, "expected an integer or a time")
        return self._convert(value, native)

    def _convert(self, value: Any, native: np.dtype[Any]) -> Any:
        try:
            return np.array(value).astype(native)[()]
        except (ValueError, TypeError, OverflowError) as exc:
            raise bad_fill(value, self, str(exc)) from exc

    def _fill_to_json(self, value: Any, zarr_format: ZarrFormat) -> JSON:
        """The int64 tick count (NaT is -2**63), as zarr-python writes it."""
        scalar = self.cast_fill_value(value)
        return int(np.asarray(scalar).view(np.int64))

    def _fill_from_json(self, data: JSON, zarr_format: ZarrFormat) -> Any:
        """An integer, or ``"NaT"``."""
        if isinstance(data, bool) or not (isinstance(data, int) or data == "NaT"):
            raise bad_fill(data, self, 'expected an integer or "NaT"')
        return self.cast_fill_value(data)


@dataclass(frozen=True, repr=False)
class DateTime64(TimeType):
    """``numpy.datetime64``: ``{"name": "numpy.datetime64", ...}`` in v3, ``"<M8[ns]"`` in v2."""

    kind: ClassVar[Literal["datetime", "timedelta"]] = "datetime"
    _zarr_v3_name: ClassVar[str] = "numpy.datetime64"


@dataclass(frozen=True, repr=False)
class TimeDelta64(TimeType):
    """``numpy.timedelta64``: ``{"name": "numpy.timedelta64", ...}`` in v3, ``"<m8[ns]"`` in v2."""

    kind: ClassVar[Literal["datetime", "timedelta"]] = "timedelta"
    _zarr_v3_name: ClassVar[str] = "numpy.timedelta64"


def time_type(
    kind: Literal["datetime", "timedelta"],
    unit: str,
    scale_factor: int = 1,
    endianness: Endianness | None = None,
) -> TimeType:
    """A datetime64 or timedelta64 data type."""
    cls = DateTime64 if kind == "datetime" else TimeDelta64
    return cls(unit, scale_factor, endianness)


HasItemSize.register(TimeType)
HasEndianness.register(TimeType)
