"""Applying projections to arrays, and NumPy's broadcasting rules for assigned values."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from zarrdist.errors import ValueShapeError

if TYPE_CHECKING:
    from zarrdist.chunking.indexing._core import ChunkProjection

__all__ = [
    "apply_chunk_selection",
    "assign_chunk_selection",
    "broadcast_value",
    "check_value_shape",
    "copy_to_chunk",
    "copy_to_output",
    "selection_axes",
]


def apply_chunk_selection(chunk: Any, chunk_selection: tuple[Any, ...]) -> Any:
    """The values a projection takes from a decoded chunk (numpy or cupy).

    Always an array, never a NumPy scalar (a point selection gives a 0-d array, and
    object-dtype elements stay wrapped); it may be a view of ``chunk``.

    Examples
    --------
    >>> chunk = np.arange(6).reshape(2, 3)
    >>> apply_chunk_selection(chunk, (1, 2)).shape
    ()
    """
    # A trailing Ellipsis makes NumPy return a 0-d array for integer-only indices and
    # leaves the placement of advanced-index axes unchanged.
    return chunk[(*chunk_selection, Ellipsis)]


def assign_chunk_selection(chunk: Any, chunk_selection: tuple[Any, ...], values: Any) -> None:
    """Write ``values`` (shaped like the selected part, or broadcastable) into ``chunk``.

    With repeated indices (coordinate or orthogonal), the last value wins, as in
    NumPy's assignment.

    Examples
    --------
    >>> chunk = np.zeros((2, 3), dtype=int)
    >>> assign_chunk_selection(chunk, (slice(0, 2, 1), 1), np.array([5, 6]))
    >>> chunk[:, 1].tolist()
    [5, 6]
    """
    chunk[chunk_selection] = values


def copy_to_output(out: Any, chunk: Any, projection: ChunkProjection) -> None:
    """Read direction: place a chunk's selected values into the output array."""
    out[projection.out_selection] = apply_chunk_selection(chunk, projection.chunk_selection)


def copy_to_chunk(chunk: Any, value: Any, projection: ChunkProjection) -> None:
    """Write direction: take a projection's values from ``value`` (already broadcast to
    the indexer's shape, see :func:`broadcast_value`) into a chunk."""
    assign_chunk_selection(chunk, projection.chunk_selection, value[projection.out_selection])


def selection_axes(chunk_selection: tuple[Any, ...]) -> tuple[Any, ...]:
    """An orthogonal projection's chunk selection with ``np.ix_``-shaped arrays made 1-D.

    The result (ints, slices, 1-D int arrays) can be passed to
    :func:`zarrdist.chunking.indexing.orthogonal_indexer` to re-project it onto a finer grid,
    for example the inner chunks of a shard. Only meaningful for projections of a
    basic or orthogonal indexer (``indexer.kind`` is ``"basic"`` or ``"orthogonal"``).

    Examples
    --------
    >>> ix = np.ix_([0, 2], [1])
    >>> [a.tolist() for a in selection_axes(ix)]
    [[0, 2], [1]]
    """
    return tuple(
        entry.reshape(-1) if isinstance(entry, np.ndarray) and entry.ndim > 1 else entry
        for entry in chunk_selection
    )


def check_value_shape(value_shape: Any, selection_shape: Any) -> tuple[int, ...]:
    """Check that a value of ``value_shape`` can be assigned to a selection.

    NumPy's rules: leading length-1 axes of a value with more dimensions than the
    selection are dropped, then the value broadcasts (right-aligned; each axis equal
    or 1). The write path calls this before any byte is written.

    Returns
    -------
    tuple of int
        The shape the value broadcasts to (``selection_shape``).

    Raises
    ------
    ValueShapeError
        Naming both shapes, with NumPy's wording.

    Examples
    --------
    >>> check_value_shape((1, 3), (4, 3))
    (4, 3)
    >>> check_value_shape((2,), (4, 3))
    Traceback (most recent call last):
    ...
    zarrdist.errors.ValueShapeError: could not broadcast input array from shape (2,) into shape (4, 3)
    """
    value = tuple(int(n) for n in value_shape)
    target = tuple(int(n) for n in selection_shape)
    trimmed = value
    while len(trimmed) > len(target) and trimmed[0] == 1:
        trimmed = trimmed[1:]
    if len(trimmed) > len(target) or any(
        v not in (1, t) for v, t in zip(reversed(trimmed), reversed(target), strict=False)
    ):
        raise ValueShapeError(
            f"could not broadcast input array from shape {value} into shape {target}"
        )
    return target


def broadcast_value(value: Any, shape: Any, dtype: Any = None) -> Any:
    """``value`` as an array of exactly ``shape`` (a read-only view when it broadcasts).

    Parameters
    ----------
    value
        A scalar, a sequence, or an array (numpy or cupy, used as is).
    shape
        The selection's shape (``Indexer.shape``).
    dtype
        Used when ``value`` is not already an array (pass ``object`` to keep Python
        strings or bytes as they are).

    Raises
    ------
    ValueShapeError
        If the value does not broadcast to ``shape``.

    Examples
    --------
    >>> broadcast_value(np.arange(3), (2, 3)).tolist()
    [[0, 1, 2], [0, 1, 2]]
    """
    array = (
        value
        if hasattr(value, "shape") and hasattr(value, "dtype")
        else np.asarray(value, dtype=dtype)
    )
    target = check_value_shape(array.shape, shape)
    if array.ndim > len(target):
        array = array.reshape(array.shape[array.ndim - len(target) :])
    if tuple(array.shape) == target:
        return array
    return np.broadcast_to(array, target)
