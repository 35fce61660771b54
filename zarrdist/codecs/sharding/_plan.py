"""Planning shard reads and layouts: pure functions, no I/O.

A partial read is *planned* here (which byte ranges, nearby ones coalesced) and
*fetched* by the caller with one ``get_ranges`` call, so the plan can be inspected
and tested without a store.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from typing import Any, Literal

import numpy as np

from zarrdist.codecs.sharding._index import CODEC_NAME, MAX_UINT64
from zarrdist.config import config
from zarrdist.errors import CodecError
from zarrdist.stores._base import RangeByteRequest, SuffixByteRequest

__all__ = [
    "ChunkSlot",
    "RangePlan",
    "c_order",
    "index_byte_request",
    "iter_morton_order",
    "morton_order",
    "plan_shard_read",
]

#: ``(inner_coords, offset_in_range, nbytes)``: where one inner chunk lies in a fetched range.
ChunkSlot = tuple[tuple[int, ...], int, int]
#: One byte range to fetch and the inner chunks it holds.
RangePlan = tuple[RangeByteRequest, list[ChunkSlot]]


def c_order(chunks_per_shard: tuple[int, ...]) -> list[tuple[int, ...]]:
    """Inner chunk coordinates in C (row-major) order."""
    return list(itertools.product(*(range(n) for n in chunks_per_shard)))


@lru_cache(maxsize=64)
def morton_order(chunks_per_shard: tuple[int, ...]) -> tuple[tuple[int, ...], ...]:
    """Inner chunk coordinates in the Morton (Z-curve) order zarr-python lays shards out in.

    Axis ``d`` contributes ``ceil(log2(n_d))`` bits; bit ``b`` of every axis that still
    has bits is interleaved, lowest bit first and axis 0 first within a bit. Sorting
    coordinates by that code gives zarr-python 3.1.5's order for any shape, including
    non-powers of two, which is what makes the shard bytes identical.
    """
    coords = np.array(c_order(chunks_per_shard), dtype=np.int64).reshape(-1, len(chunks_per_shard))
    bits = [max(int(n) - 1, 0).bit_length() for n in chunks_per_shard]
    code = np.zeros(len(coords), dtype=np.int64)
    position = 0
    for bit in range(max(bits, default=0)):
        for axis, nbits in enumerate(bits):
            if bit < nbits:
                code |= ((coords[:, axis] >> bit) & 1) << position
                position += 1
    order = np.argsort(code, kind="stable")
    return tuple(tuple(int(v) for v in coords[i]) for i in order)


def iter_morton_order(chunks_per_shard: Sequence[int]) -> Iterator[tuple[int, ...]]:
    """:func:`morton_order` for any sequence of ints (zarr-python's ``morton_order_iter``
    takes lists too)."""
    return iter(morton_order(tuple(int(n) for n in chunks_per_shard)))


def index_byte_request(
    index_location: Literal["start", "end"], index_size: int
) -> RangeByteRequest | SuffixByteRequest:
    """The byte request that fetches a shard's index without knowing the shard's length."""
    if index_location == "start":
        return RangeByteRequest(0, index_size)
    if index_location == "end":
        return SuffixByteRequest(index_size)
    raise CodecError(
        f"index_location must be 'start' or 'end', not {index_location!r}", codec=CODEC_NAME
    )


def _check_coords(coords: tuple[int, ...], chunks_per_shard: tuple[int, ...]) -> None:
    if len(coords) != len(chunks_per_shard) or not all(
        0 <= c < n for c, n in zip(coords, chunks_per_shard, strict=True)
    ):
        raise CodecError(
            f"inner chunk {coords} is outside a shard of {chunks_per_shard} inner chunks",
            codec=CODEC_NAME,
        )


def plan_shard_read(
    index: np.ndarray[Any, Any],
    needed_inner_coords: Iterable[Sequence[int]],
    max_gap_bytes: int | None = None,
    max_range_bytes: int | None = None,
) -> list[RangePlan]:
    """Plan the byte ranges that fetch the needed inner chunks of one shard.

    Absent inner chunks (``MAX_UINT64`` entries) need no bytes and are left out.
    The rest are sorted by offset and merged into one range while the gap to the
    previous chunk is at most ``max_gap_bytes`` and the merged range stays within
    ``max_range_bytes`` (a single chunk larger than that gets a range of its own).

    Parameters
    ----------
    index : numpy.ndarray
        Decoded shard index, shape ``(*chunks_per_shard, 2)``.
    needed_inner_coords : iterable of tuple of int
        Inner chunks to read; duplicates are read once.
    max_gap_bytes, max_range_bytes : int, optional
        Coalescing limits; config ``io.coalesce_max_gap_bytes`` (0 where that is
        None) and ``io.coalesce_max_bytes`` by default.

    Returns
    -------
    list of (RangeByteRequest, list of (inner_coords, offset_in_range, nbytes))
        Ranges in increasing offset order.

    Raises
    ------
    CodecError
        If a coordinate lies outside the shard.
    """
    if max_gap_bytes is None:
        # None in config means "the store's own gap", which the caller passes; a
        # caller without a store bridges no gaps.
        max_gap_bytes = int(config.get("io.coalesce_max_gap_bytes") or 0)
    if max_range_bytes is None:
        max_range_bytes = int(config.get("io.coalesce_max_bytes"))
    chunks_per_shard = tuple(index.shape[:-1])
    ndim = len(chunks_per_shard)
    given = list(dict.fromkeys(map(tuple, needed_inner_coords)))
    if not given:
        return []
    # Coordinates are converted, checked and looked up through NumPy, once for
    # all of them: planning runs before any byte of a small read is fetched.
    for coords in given:
        if len(coords) != ndim:
            _check_coords(coords, chunks_per_shard)
    grid = np.array(given, dtype=np.int64).reshape(len(given), ndim)
    outside = ((grid < 0) | (grid >= np.array(chunks_per_shard))).any(axis=1)
    if outside.any():
        _check_coords(tuple(grid[int(np.argmax(outside))].tolist()), chunks_per_shard)
    entries = index[tuple(grid.T)]
    stored = np.flatnonzero(entries[:, 0] != MAX_UINT64)
    # Deduplicated again as ints: (1.5, 2) was truncated to (1, 2).
    wanted = sorted(
        dict.fromkeys(
            zip(
                entries[stored, 0].tolist(),
                entries[stored, 1].tolist(),
                map(tuple, grid[stored].tolist()),
                strict=True,
            )
        )
    )

    plans: list[RangePlan] = []
    start = end = 0
    slots: list[tuple[tuple[int, ...], int, int]] = []  # (coords, absolute offset, nbytes)
    for offset, nbytes, coords in wanted:
        merged_end = max(end, offset + nbytes)
        if slots and offset - end <= max_gap_bytes and merged_end - start <= max_range_bytes:
            end = merged_end
        else:
            if slots:
                plans.append(_close(start, end, slots))
            start, end, slots = offset, offset + nbytes, []
        slots.append((coords, offset, nbytes))
    if slots:
        plans.append(_close(start, end, slots))
    return plans


def _close(start: int, end: int, slots: list[tuple[tuple[int, ...], int, int]]) -> RangePlan:
    return RangeByteRequest(start, end), [(c, off - start, n) for c, off, n in slots]
