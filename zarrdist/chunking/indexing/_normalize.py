"""Selection entries checked and put in canonical form, with NumPy's rules and messages.

After :func:`expand_selection`, a selection is a list with one entry per output slot:
``None`` (a new axis), a ``slice`` (checked, not yet bound to an extent), a Python
``int`` (not yet bound-checked), an ``int64`` array, or a ``bool`` array (which covers
as many array axes as it has dimensions). Ellipsis is gone.
"""

from __future__ import annotations

import operator
from types import EllipsisType
from typing import Any, NamedTuple

import numpy as np

from zarrdist.errors import BoundsCheckError, SelectionError

__all__ = [
    "Entry",
    "Expanded",
    "advanced_adjacent",
    "as_entry",
    "axes_consumed",
    "expand_selection",
    "normalize_int",
    "normalize_int_array",
    "check_bool_array",
]

Entry = None | slice | int | np.ndarray[Any, Any]


def _describe(value: Any) -> str:
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{text} ({type(value).__name__})"


def _as_index(value: Any, what: str) -> int:
    try:
        return operator.index(value)
    except TypeError:
        raise SelectionError(f"{what} must be an integer or None, got {_describe(value)}") from None


def _check_slice(entry: slice) -> slice:
    start = None if entry.start is None else _as_index(entry.start, "slice start")
    stop = None if entry.stop is None else _as_index(entry.stop, "slice stop")
    step = None if entry.step is None else _as_index(entry.step, "slice step")
    if step == 0:
        raise SelectionError(f"slice step cannot be zero: {entry!r}")
    return slice(start, stop, step)


def _as_array_entry(entry: Any) -> np.ndarray[Any, Any] | int:
    if isinstance(entry, list) and len(entry) == 0:
        # NumPy reads an empty list as an empty integer index.
        return np.zeros(0, dtype=np.int64)
    try:
        array = np.asarray(entry)
    except (TypeError, ValueError) as exc:
        raise SelectionError(f"cannot use {_describe(entry)} as an index array: {exc}") from None
    if array.dtype == np.bool_:
        if array.ndim == 0:
            raise SelectionError(
                "a 0-d boolean index (True/False) is not supported; use np.newaxis or a "
                "boolean array with one entry per element"
            )
        return array
    if array.dtype.kind not in "iu":
        raise SelectionError(
            f"index arrays must hold integers or booleans, got dtype {array.dtype} "
            f"from {_describe(entry)}"
        )
    if array.ndim == 0:
        # A 0-d integer array is an integer to NumPy (the result is a scalar).
        return int(array)
    if array.dtype == np.uint64 and array.size and int(array.max()) > np.iinfo(np.int64).max:
        raise SelectionError(f"index {int(array.max())} does not fit in int64")
    return array.astype(np.int64, copy=False)


def as_entry(entry: Any) -> Entry | EllipsisType:
    """One selection entry in canonical form (Ellipsis passes through).

    Raises
    ------
    SelectionError
        For booleans used as scalars, floats, strings and other non-index objects.
    """
    if entry is None or isinstance(entry, EllipsisType):
        return entry
    if isinstance(entry, slice):
        return _check_slice(entry)
    if isinstance(entry, bool | np.bool_):
        raise SelectionError(
            f"a boolean scalar ({entry!r}) is not a valid index; use an integer or a boolean array"
        )
    if isinstance(entry, int):
        return entry
    if isinstance(entry, np.integer):
        return int(entry)
    if isinstance(entry, np.ndarray | list | tuple) or hasattr(entry, "__array__"):
        return _as_array_entry(entry)
    if isinstance(entry, str | bytes):
        raise SelectionError(
            f"cannot index with {_describe(entry)}: field names are selected with "
            "'fields=' or by the array API, not inside an index"
        )
    return _as_index(entry, "an index")


def axes_consumed(entry: Entry) -> int:
    """How many array axes an entry indexes."""
    if entry is None:
        return 0
    if isinstance(entry, np.ndarray) and entry.dtype == np.bool_:
        return entry.ndim
    return 1


class Expanded(NamedTuple):
    """A selection with its Ellipsis expanded (see :func:`expand_selection`)."""

    entries: list[Entry]
    had_ellipsis: bool
    gap: int | None
    """Where an Ellipsis that stood for no axis was (it still separates advanced
    indices in NumPy), as a position in ``entries``; None otherwise."""


def expand_selection(selection: Any, ndim: int) -> Expanded:
    """Canonical entries with Ellipsis replaced by full slices (and missing axes added).

    Parameters
    ----------
    selection
        Anything NumPy accepts as an index (a tuple is one entry per axis; a list is
        an index array).
    ndim
        Number of dimensions of the array being indexed.

    Returns
    -------
    Expanded
        ``entries`` (canonical, see the module docstring), ``had_ellipsis`` (then
        NumPy never returns a scalar) and ``gap``.

    Raises
    ------
    SelectionError
        Too many indices, more than one Ellipsis, or an invalid entry.
    """
    raw = selection if isinstance(selection, tuple) else (selection,)
    converted = [as_entry(entry) for entry in raw]
    marks = [i for i, entry in enumerate(converted) if isinstance(entry, EllipsisType)]
    if len(marks) > 1:
        raise SelectionError("a selection can only have a single Ellipsis ('...')")
    entries: list[Entry] = [e for e in converted if not isinstance(e, EllipsisType)]
    used = sum(axes_consumed(entry) for entry in entries)
    if used > ndim:
        raise SelectionError(
            f"too many indices for array: array is {ndim}-dimensional, but {used} were indexed"
        )
    fill: list[Entry] = [slice(None)] * (ndim - used)
    if not marks:
        return Expanded(entries + fill, False, None)
    at = marks[0]
    return Expanded(entries[:at] + fill + entries[at:], True, None if fill else at)


def advanced_adjacent(entries: list[Entry], gap: int | None = None) -> bool:
    """Whether NumPy keeps the advanced entries' axes in place (they are adjacent).

    Advanced entries are arrays and, beside any array, integers. An Ellipsis that
    expanded to no axis still separates them in NumPy (``gap``).
    """
    advanced = [i for i, e in enumerate(entries) if isinstance(e, int | np.ndarray)]
    if not advanced:
        return True
    if advanced[-1] - advanced[0] != len(advanced) - 1:
        return False
    return gap is None or not advanced[0] < gap <= advanced[-1]


def normalize_int(index: int, extent: int, axis: int) -> int:
    """``index`` wrapped (negative counts from the end) and bound-checked.

    Raises
    ------
    SelectionError
        If the index is outside ``[-extent, extent)``.
    """
    if index < 0:
        if index < -extent:
            raise BoundsCheckError(
                f"index {index} is out of bounds for axis {axis} with size {extent}"
            )
        return index + extent
    if index >= extent:
        raise BoundsCheckError(f"index {index} is out of bounds for axis {axis} with size {extent}")
    return index


def normalize_int_array(
    array: np.ndarray[Any, Any], extent: int, axis: int
) -> np.ndarray[Any, Any]:
    """An int64 index array wrapped and bound-checked (a new array when it wraps).

    Raises
    ------
    SelectionError
        Naming the first index outside ``[-extent, extent)``.
    """
    if array.size == 0:
        return array
    low, high = int(array.min()), int(array.max())
    if low < -extent or high >= extent:
        bad = low if low < -extent else high
        raise BoundsCheckError(f"index {bad} is out of bounds for axis {axis} with size {extent}")
    if low < 0:
        return np.where(array < 0, array + extent, array)
    return array


def check_bool_array(
    array: np.ndarray[Any, Any], extents: tuple[int, ...], first_axis: int
) -> None:
    """Refuse a boolean index whose shape differs from the axes it covers.

    Raises
    ------
    SelectionError
        Naming the axis and both sizes, as NumPy does.
    """
    for offset, (size, extent) in enumerate(zip(array.shape, extents, strict=True)):
        if size != extent:
            raise SelectionError(
                f"boolean index did not match indexed array along axis {first_axis + offset}; "
                f"size of axis is {extent} but size of corresponding boolean axis is {size}"
            )
