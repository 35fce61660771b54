"""The objects every indexer produces: one projection per touched chunk, and the protocol."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple, Protocol, runtime_checkable

from zarrdist.errors import MetadataError

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["ChunkProjection", "Indexer", "check_chunk_shape"]


class ChunkProjection(NamedTuple):
    """How one chunk takes part in a selection.

    A named tuple, not a dataclass: a full-array read makes one per chunk, and a
    tuple is built several times faster than a frozen dataclass.

    Both selections are *direct* NumPy indices: no caller ever has to choose between
    plain, orthogonal (``np.ix_``) or pointwise application. For a read::

        out[p.out_selection] = chunk[p.chunk_selection]

    and for a write, with ``value`` already broadcast to the selection's shape::

        chunk[p.chunk_selection] = value[p.out_selection]

    :func:`zarrdist.chunking.indexing.apply_chunk_selection` and
    :func:`zarrdist.chunking.indexing.assign_chunk_selection` do exactly that (and keep a 0-d
    result an array, not a NumPy scalar).
    """

    chunk_coords: tuple[int, ...]
    """Grid position of the chunk (chunk ``(i, j)`` starts at ``(i * c0, j * c1)``)."""

    chunk_selection: tuple[Any, ...]
    """Selection inside the chunk, one entry per chunk axis.

    Entries are Python ``int`` (the axis is dropped), ``slice`` with a positive step,
    or 1-D ``int64`` arrays. Where an orthogonal selection has more than one array
    entry (or an array with integers on both sides of a slice), every non-integer
    entry is an ``np.ix_``-shaped array so that plain indexing is still orthogonal;
    :func:`zarrdist.chunking.indexing.selection_axes` turns it back into 1-D entries. A
    coordinate (pointwise) selection holds 1-D arrays of equal length, one per axis
    that the points address.
    """

    out_selection: tuple[Any, ...]
    """Where the chunk's values go in the output array (shape ``Indexer.shape``).

    Slices (any step: a negative step places values reversed), ``0`` for an axis
    added by ``np.newaxis``, or int arrays (unsorted coordinates carry the inverse
    permutation here). ``()`` for a 0-d output.
    """

    is_complete_chunk: bool
    """The selection covers every element of the chunk (clipped to the array), so a
    write can encode the new values without reading the chunk first."""


@runtime_checkable
class Indexer(Protocol):
    """A selection projected onto a chunk grid.

    Attributes
    ----------
    shape : tuple of int
        Shape of the result, exactly ``numpy_array[selection].shape``.
    drop_axes : tuple of int
        Array axes indexed by a scalar integer (absent from the result).
    kind : str
        ``"basic"``, ``"orthogonal"`` or ``"vectorized"`` (pointwise): how the
        projections' selections were built.
    is_scalar : bool
        NumPy would return a scalar, not a 0-d array (every axis indexed by an
        integer and no Ellipsis): the caller unwraps ``out[()]``.
    array_shape, chunk_shape : tuple of int
        The array and chunk shapes the selection was projected onto.
    """

    shape: tuple[int, ...]
    drop_axes: tuple[int, ...]
    is_scalar: bool
    kind: str
    array_shape: tuple[int, ...]
    chunk_shape: tuple[int, ...]

    def __iter__(self) -> Iterator[ChunkProjection]:
        """Every touched chunk, once, with its selections."""
        ...

    def chunk_coords(self) -> Iterator[tuple[int, ...]]:
        """Grid positions of the touched chunks, in ``__iter__`` order, cheaply."""
        ...

    @property
    def nchunks_touched(self) -> int:
        """How many chunks ``__iter__`` yields."""
        ...

    @property
    def region(self) -> tuple[slice, ...]:
        """Bounding box of the selected elements in array coordinates (step-1 slices)."""
        ...


def check_chunk_shape(shape: tuple[int, ...], chunk_shape: tuple[int, ...]) -> None:
    """Refuse a chunk shape that cannot describe a grid over ``shape``.

    Raises
    ------
    MetadataError
        If the ranks differ or a chunk extent is not a positive integer.
    """
    if len(chunk_shape) != len(shape):
        raise MetadataError(
            f"chunk shape {tuple(chunk_shape)} has {len(chunk_shape)} dimensions but the "
            f"array shape {tuple(shape)} has {len(shape)}"
        )
    for axis, extent in enumerate(chunk_shape):
        if type(extent) is not int:
            continue  # a rectilinear axis (VaryingAxis) checks its edges itself
        if extent < 1:
            raise MetadataError(
                f"chunk shape {tuple(chunk_shape)}: extent {extent} on axis {axis} must be >= 1"
            )
