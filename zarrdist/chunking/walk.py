"""Walking a grid of chunks: the coordinates of each cell, and the region each covers.

Used wherever code visits chunks or shards one by one in C order (``Array``'s
``_iter_chunk_coords`` family, zarr-python's ``zarr.core.indexing._iter_grid`` and
``_iter_regions``). A walk may be restricted to a box of cells given by its first
cell (``origin``) and its extent in cells (``selection_shape``).

>>> list(iter_grid((2, 3), origin=(1, 1)))
[(1, 1), (1, 2)]
>>> list(iter_regions((5,), (2,)))
[(slice(0, 2, 1),), (slice(2, 4, 1),), (slice(4, 5, 1),)]
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from typing import Literal

__all__ = ["GridOrder", "iter_grid", "iter_regions"]

#: The orders a walk can take; only C order (last axis fastest) exists so far.
GridOrder = Literal["lexicographic"]


def _box(
    grid_shape: Sequence[int], origin: Sequence[int] | None, selection_shape: Sequence[int] | None
) -> list[range]:
    """Per axis, the cell indices inside the box (checked against the grid)."""
    ndim = len(grid_shape)
    first = tuple(origin) if origin is not None else (0,) * ndim
    if len(first) != ndim:
        raise ValueError(
            f"origin {tuple(first)} has {len(first)} elements but the grid {tuple(grid_shape)} "
            f"has {ndim} dimensions"
        )
    if selection_shape is None:
        extent = tuple(size - start for start, size in zip(first, grid_shape, strict=True))
    else:
        extent = tuple(selection_shape)
    if len(extent) != ndim:
        raise ValueError(
            f"selection_shape {extent} has {len(extent)} elements but the grid "
            f"{tuple(grid_shape)} has {ndim} dimensions"
        )
    ranges = []
    for axis, (start, count, size) in enumerate(zip(first, extent, grid_shape, strict=True)):
        if start < 0 or count < 0 or start + count > size:
            raise IndexError(
                f"cells {start} to {start + count} (origin {start}, selection shape {count}) "
                f"lie outside the grid's {size} cells on axis {axis}"
            )
        ranges.append(range(start, start + count))
    return ranges


def iter_grid(
    grid_shape: Sequence[int],
    *,
    origin: Sequence[int] | None = None,
    selection_shape: Sequence[int] | None = None,
    order: GridOrder = "lexicographic",
) -> Iterator[tuple[int, ...]]:
    """The coordinates of every cell of a grid (or of a box in it), in C order.

    Raises
    ------
    ValueError
        If ``origin`` or ``selection_shape`` has the wrong number of dimensions, or
        ``order`` is not one this function knows.
    IndexError
        If the box reaches outside the grid.
    """
    if order != "lexicographic":
        raise ValueError(f"unknown grid order {order!r}; the one supported is 'lexicographic'")
    return itertools.product(*_box(grid_shape, origin, selection_shape))


def iter_regions(
    domain_shape: Sequence[int],
    region_shape: Sequence[int],
    *,
    origin: Sequence[int] | None = None,
    selection_shape: Sequence[int] | None = None,
    order: GridOrder = "lexicographic",
    trim_excess: bool = True,
) -> Iterator[tuple[slice, ...]]:
    """The slices each cell covers when ``domain_shape`` is cut into ``region_shape``
    pieces; the last piece on an axis stops at the domain's edge unless ``trim_excess``
    is false. ``origin`` and ``selection_shape`` count cells, as in :func:`iter_grid`."""
    grid = tuple(-(-size // step) for size, step in zip(domain_shape, region_shape, strict=True))
    for cell in iter_grid(grid, origin=origin, selection_shape=selection_shape, order=order):
        yield tuple(
            slice(i * step, min((i + 1) * step, size) if trim_excess else (i + 1) * step, 1)
            for i, step, size in zip(cell, region_shape, domain_shape, strict=True)
        )
