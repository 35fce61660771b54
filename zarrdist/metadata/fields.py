"""Checks of single metadata fields as user code passes them: shapes, node names,
memory orders, access modes. Each returns the value normalised or raises an error
naming what was wrong (zarr-python 3's ``zarr.core.common`` parse functions raise the
same exception types, with messages its tests match).

>>> parse_shapelike([3, 4])
(3, 4)
>>> product((2, 3, 4))
24
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable
from typing import Any, Literal

from zarrdist.errors import MetadataError, NodeTypeValidationError

__all__ = [
    "AccessModeLiteral",
    "ceildiv",
    "parse_dimension_names",
    "parse_indexing_order",
    "parse_name",
    "parse_node_type",
    "parse_node_type_array",
    "parse_shapelike",
    "parse_zarr_format",
    "parse_zarr_format_v2",
    "product",
]

#: How a store or node may be opened: read, read-write, append, overwrite, create.
AccessModeLiteral = Literal["r", "r+", "a", "w", "w-"]


def product(values: Iterable[int]) -> int:
    """The product of ``values`` (1 for none): the element count of a shape."""
    return math.prod(values)


def ceildiv(a: float, b: float) -> int:
    """``a / b`` rounded up: the number of size-``b`` pieces covering ``a`` (0 for an
    empty extent, whatever ``b`` is)."""
    if a == 0:
        return 0
    return math.ceil(a / b)


def _is_int(value: Any) -> bool:
    return isinstance(value, numbers.Integral)


def parse_shapelike(data: Any) -> tuple[int, ...]:
    """A shape as a tuple of non-negative ints, from an int or an iterable of ints.

    Raises
    ------
    TypeError
        If ``data`` is neither an int nor an iterable of ints.
    ValueError
        If a value is negative.
    """
    if _is_int(data):
        if data < 0:
            raise ValueError(f"shape {data!r}: Expected a non-negative integer.")
        return (int(data),)
    if not isinstance(data, Iterable):
        raise TypeError(
            f"shape {data!r} is a {type(data).__name__}: "
            "Expected an integer or an iterable of integers."
        )
    values = tuple(data)
    if isinstance(data, str | bytes) or not all(_is_int(v) for v in values):
        raise TypeError(f"shape {data!r}: Expected an iterable of integers.")
    if any(v < 0 for v in values):
        raise ValueError(f"shape {values}: Expected all values to be non-negative.")
    return tuple(int(v) for v in values)


def parse_name(data: Any, expected: str | None = None) -> str:
    """A name (of a codec, a chunk grid...) that must be a string, and ``expected``
    when given.

    Raises
    ------
    TypeError
        If ``data`` is not a string.
    ValueError
        If it is not ``expected``.
    """
    if not isinstance(data, str):
        raise TypeError(f"Expected a string, got an instance of {type(data)}.")
    if expected is not None and data != expected:
        raise ValueError(f"Expected '{expected}'. Got {data} instead.")
    return data


def parse_indexing_order(data: Any) -> Literal["C", "F"]:
    """A memory order, "C" (last axis fastest) or "F" (first axis fastest).

    Raises
    ------
    ValueError
        For anything else.
    """
    if data == "C" and isinstance(data, str):
        return "C"
    if data == "F" and isinstance(data, str):
        return "F"
    raise ValueError(f"memory order {data!r} is not valid: Expected one of ('C', 'F').")


def parse_zarr_format(data: Any, expected: Literal[2, 3] = 3) -> Literal[2, 3]:
    """A document's ``zarr_format``, which must be ``expected``.

    Raises
    ------
    MetadataError
        For any other value (``"3"`` included: the member is a JSON number).
    """
    if data == expected and _is_int(data) and not isinstance(data, bool):
        return expected
    if expected == 2:
        raise MetadataError(f"Invalid value. Expected 2. Got {data}.")  # zarr-python's words
    raise MetadataError("zarr_format", str(expected), data)


def parse_zarr_format_v2(data: Any) -> Literal[2]:
    """A v2 document's ``zarr_format``, which must be 2 (:func:`parse_zarr_format`)."""
    parse_zarr_format(data, expected=2)
    return 2


def parse_node_type(data: Any) -> Literal["array", "group"]:
    """A ``zarr.json``'s ``node_type``: ``"array"`` or ``"group"``.

    Raises
    ------
    MetadataError
        For anything else.
    """
    if data == "array" or data == "group":
        return "array" if data == "array" else "group"
    raise MetadataError("node_type", "array' or 'group", data)


def parse_node_type_array(data: Any) -> Literal["array"]:
    """An array document's ``node_type``, which must be ``"array"``.

    Raises
    ------
    NodeTypeValidationError
        For anything else.
    """
    if data == "array":
        return "array"
    raise NodeTypeValidationError("node_type", "array", data)


def parse_dimension_names(data: Any) -> tuple[str | None, ...] | None:
    """``dimension_names`` as a tuple of names (str or None), or None.

    Raises
    ------
    TypeError
        If ``data`` is neither None nor an iterable of str/None.
    """
    if data is None:
        return None
    if isinstance(data, Iterable) and not isinstance(data, str | bytes | dict):
        names = tuple(data)
        if all(n is None or isinstance(n, str) for n in names):
            return names
    raise TypeError(f"Expected either None or iterable of str, got {data!r}")
