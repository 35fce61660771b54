"""``bytes``: serialise a fixed-size chunk as its raw elements in C order.

Spec: https://zarr-specs.readthedocs.io/en/latest/v3/codecs/bytes/index.html

v3 name ``bytes`` (no v2 id: v2 chunks are raw bytes without a codec entry).

Configuration, as zarr-python 3.1.5 writes it:

>>> from zarrdist.codecs.bytes import BytesCodec
>>> BytesCodec(endian="little").to_json()
{'name': 'bytes', 'configuration': {'endian': 'little'}}
>>> BytesCodec(endian=None).to_json()
{'name': 'bytes'}
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass, replace
from enum import Enum
from functools import cached_property, lru_cache
from typing import Any, ClassVar, Literal

import numpy as np

from zarrdist.chunkio.buffers import copy_rows
from zarrdist.codecs._base import ArrayBytesCodec, ArraySpec, Encoded, check_configuration
from zarrdist.codecs.registry import register_codec
from zarrdist.errors import CodecError

__all__ = ["NATIVE_ENDIAN", "BytesCodec", "Endian", "has_endianness"]


class Endian(Enum):
    """Byte order of multi-byte elements in the stored chunk."""

    big = "big"
    little = "little"


_NAME = "bytes"
#: A NumPy byte-order character.
ByteOrder = Literal["<", ">"]
_ORDER_CHAR: dict[Endian, ByteOrder] = {Endian.little: "<", Endian.big: ">"}
#: The machine's byte order: zarr-python's default when no endian is given.
NATIVE_ENDIAN = Endian(sys.byteorder)


def has_endianness(dtype: np.dtype[Any]) -> bool:
    """Whether the stored bytes of ``dtype`` depend on byte order.

    Mirrors zarr-python 3.1.5: multi-byte numbers, datetimes and fixed-length UTF-32
    strings do; bool, bytes, void and structured types do not (a structured type
    keeps the byte order of its fields as declared).
    """
    return dtype.kind in "iufcmMU" and dtype.itemsize > 1


def _parse_endian(value: Endian | str | None) -> Endian | None:
    if value is None or isinstance(value, Endian):
        return value
    try:
        return Endian(value)
    except ValueError:
        raise CodecError(
            f"endian must be 'little', 'big' or null, got {value!r}", codec=_NAME
        ) from None


@dataclass(frozen=True, init=False)
class BytesCodec(ArrayBytesCodec):
    """Raw elements in C order, in the configured byte order.

    Parameters
    ----------
    endian : Endian, {"little", "big"} or None
        Byte order of the stored elements; None only for types without one
        (1-byte types, bytes, structured). Defaults to the machine's order, as in
        zarr-python.
    """

    endian: Endian | None = NATIVE_ENDIAN
    """Stored byte order (None when the data type has none)."""

    v3_name: ClassVar[str] = _NAME
    is_fixed_size: ClassVar[bool] = True

    def __init__(self, *, endian: Endian | str | None = NATIVE_ENDIAN) -> None:
        object.__setattr__(self, "endian", _parse_endian(endian))

    @classmethod
    def from_json(cls, configuration: dict[str, Any]) -> BytesCodec:
        """Build from ``{"endian": ...}``; a missing endian means the machine's order."""
        config = check_configuration(_NAME, configuration, ("endian",))
        return cls(endian=config.get("endian", NATIVE_ENDIAN))

    def to_json(self) -> dict[str, Any]:
        """``{"name": "bytes", "configuration": {"endian": ...}}``, or no configuration."""
        if self.endian is None:
            return {"name": _NAME}
        return {"name": _NAME, "configuration": {"endian": self.endian.value}}

    def evolve_from_array_spec(self, spec: ArraySpec) -> BytesCodec:
        """Drop the endian for types without byte order, as zarr-python does."""
        if not has_endianness(spec.dtype) and self.endian is not None:
            return replace(self, endian=None)
        return self

    def validate(self, spec: ArraySpec) -> None:
        """Refuse variable-length types and a missing endian for multi-byte types."""
        if spec.dtype.kind in "OT":
            raise CodecError(
                f"cannot serialise variable-length dtype {spec.dtype}; use vlen-utf8 or vlen-bytes",
                codec=_NAME,
            )
        if self.endian is None and has_endianness(spec.dtype):
            raise CodecError(f"endian must be set for dtype {spec.dtype}", codec=_NAME)

    @cached_property
    def _order_char(self) -> ByteOrder | None:
        # A str, not the Endian: the dtype cache hashes it on every chunk, and an
        # enum member hashes in Python.
        return None if self.endian is None else _ORDER_CHAR[self.endian]

    def encode(self, chunk: Any, spec: ArraySpec) -> Encoded:
        """The chunk's bytes in C order; a view, not a copy, when no swap is needed."""
        arr = chunk if isinstance(chunk, np.ndarray) else spec.prototype.to_host(chunk)
        if arr.dtype.kind in "OT":
            raise CodecError(f"cannot serialise variable-length dtype {arr.dtype}", codec=_NAME)
        if arr.shape != spec.shape:
            raise CodecError(f"chunk has shape {arr.shape}, expected {spec.shape}", codec=_NAME)
        stored = _stored_dtype(self._order_char, arr.dtype)
        if stored != arr.dtype:
            # One pass both swaps bytes and lays the result out in C order.
            arr = arr.astype(stored, order="C")
        elif not arr.flags.c_contiguous:
            arr = _c_order_copy(arr)
        return arr.reshape(-1).view(np.uint8).data

    def stores_native(self, spec: ArraySpec) -> bool:
        """Whether a chunk's bytes are its elements exactly as a host array holds them
        (no byte swap, no Python objects), so they can be copied as they are."""
        return (
            not spec.prototype.is_device
            and not spec.dtype.hasobject
            and _stored_dtype(self._order_char, spec.dtype) == spec.dtype
        )

    def decode(self, data: Encoded, spec: ArraySpec) -> Any:
        """A (read-only) view of ``data`` as ``spec.shape``, byte-swapped to native if needed."""
        stored = _stored_dtype(self._order_char, spec.dtype)
        expected = math.prod(spec.shape) * stored.itemsize
        size = len(data) if type(data) is bytes else memoryview(data).nbytes
        if size != expected:
            raise CodecError(
                f"chunk has {size} bytes, expected {expected} for "
                f"shape {spec.shape} and dtype {spec.dtype}",
                codec=_NAME,
            )
        arr = np.frombuffer(data, dtype=stored).reshape(spec.shape)
        if stored is not spec.dtype and stored != spec.dtype:
            arr = arr.astype(spec.dtype)
        if spec.prototype.is_device:
            return spec.prototype.asarray(arr)
        return arr

    def compute_encoded_size(self, input_size: int, spec: ArraySpec) -> int:
        """The encoded size equals the decoded size."""
        return input_size


def _c_order_copy(arr: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """``arr.copy(order="C")``, rows copied as single elements where ``arr``'s rows are
    contiguous (:func:`~zarrdist.chunkio.buffers.copy_rows`; the same bytes)."""
    if type(arr) is np.ndarray:
        out = np.empty(arr.shape, arr.dtype)
        if not copy_rows(out, arr):
            out[...] = arr
        return out
    return arr.copy(order="C")


@lru_cache(maxsize=512)
def _stored_dtype(order_char: ByteOrder | None, dtype: np.dtype[Any]) -> np.dtype[Any]:
    """The dtype of the stored bytes; cached, since every chunk encode and decode asks."""
    if order_char is None or not has_endianness(dtype):
        return dtype
    return dtype.newbyteorder(order_char)


register_codec(BytesCodec)
