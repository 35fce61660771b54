"""Verify graphs: decode every stored unit (checksums included), or compare two arrays.

A task takes a batch of storage units. Each unit is fetched and decoded whole, so
a bad compressor frame, a failed ``crc32c`` or zstd checksum, or a truncated shard
index is caught and reported with its store key; the task carries on with the
next unit, so one run reports *every* bad key. With ``against``, values are also
compared with another array (NaN equals NaN): directly, region by region, when
the chunkings line up; by chunking-independent fingerprints
(:mod:`zarrdist.chunking.fingerprint`) when they cross, so that each array is read
once; a differing unit is then compared element by element.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from dask.task_spec import List, Task, TaskRef
from dask.typing import Key

from zarrdist.chunking.fingerprint import (
    fingerprintable,
    merge_sums,
    region_fingerprints,
)
from zarrdist.chunking.indexing import basic_indexer
from zarrdist.chunking.rechunk import read_amplification
from zarrdist.chunkio.read import read_units
from zarrdist.chunkio.units import ArrayHandle, group_by_unit
from zarrdist.codecs import decode_chunk
from zarrdist.config import config
from zarrdist.errors import CodecError, GraphError
from zarrdist.graphs.copy import values_equal
from zarrdist.graphs.plan import GraphSpec, graph_name, task_key

__all__ = ["MAX_COUNTED", "Mismatch", "VerifyReport", "comparison_mode", "verify_graph"]


@dataclass(frozen=True)
class Mismatch:
    """A storage unit whose values differ from the other array's.

    Attributes
    ----------
    key : str
        Store key of the unit in the verified array.
    count : int or None
        Elements that differ (None past :data:`MAX_COUNTED` differing units).
    first_index : tuple of int or None
        Array coordinates of the first differing element (C order).
    """

    key: str
    count: int | None
    first_index: tuple[int, ...] | None


@dataclass(frozen=True)
class VerifyReport:
    """What a verify graph found.

    Attributes
    ----------
    path : str
        The verified array's path.
    units_checked : int
        Grid positions checked (stored or not).
    units_missing : int
        Units not stored (they read as the fill value).
    bad_keys : list of (key, message)
        Units that failed to decode, in either array.
    mismatches : list of Mismatch
        Units whose values differ from ``against`` (empty without it).
    """

    path: str
    units_checked: int = 0
    units_missing: int = 0
    bad_keys: list[tuple[str, str]] = field(default_factory=list)
    mismatches: list[Mismatch] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """No bad key and no mismatch."""
        return not self.bad_keys and not self.mismatches

    def __add__(self, other: VerifyReport) -> VerifyReport:
        return VerifyReport(
            self.path,
            self.units_checked + other.units_checked,
            self.units_missing + other.units_missing,
            self.bad_keys + other.bad_keys,
            self.mismatches + other.mismatches,
        )


def _unit_region(handle: ArrayHandle, unit: tuple[int, ...]) -> tuple[slice, ...]:
    shape = handle.metadata.shape
    chunk = handle.metadata.chunk_shape
    return tuple(
        slice(u * c, min((u + 1) * c, n)) for u, c, n in zip(unit, chunk, shape, strict=True)
    )


def _read_other(other: ArrayHandle, region: tuple[slice, ...], report: list[Any]) -> Any:
    """``region`` of ``other``, or None (after recording why) if a unit fails to decode."""
    out = other.prototype.empty(tuple(s.stop - s.start for s in region), other.metadata.dtype)
    indexer = basic_indexer(region, other.metadata.shape, other.io_chunk_shape)
    for unit, projections in group_by_unit(other, indexer).items():
        try:
            read_units(other, {unit: projections}, out)
        except CodecError as error:
            report.append((error.key or other.key(unit), str(error)))
            return None
    return out


def _decode_unit(
    handle: ArrayHandle, unit: tuple[int, ...], bad: list[tuple[str, str]]
) -> tuple[Any, bool]:
    """(the unit's values clipped to the array, stored?); values None if the unit does
    not decode or is not stored (see :func:`_fill_slabs` for those)."""
    key = handle.key(unit)
    region = _unit_region(handle, unit)
    local = tuple(slice(0, s.stop - s.start) for s in region)
    data = handle.store.get(key)
    if data is None:
        return None, False
    try:
        decoded = decode_chunk(handle.metadata.codec_chain, data, handle.unit_spec)
    except CodecError as error:
        bad.append((key, str(error)))
        return None, True
    return handle.prototype.to_host(decoded[local]), True


def _slabs(region: tuple[slice, ...], itemsize: int, limit: int) -> list[tuple[slice, ...]]:
    """``region`` cut into C-order boxes of at most ``limit`` bytes (one element at least)."""
    shape = [s.stop - s.start for s in region]
    axis = 0
    while axis < len(shape) - 1 and math.prod(shape[axis + 1 :]) * itemsize > limit:
        axis += 1
    per = math.prod(shape[axis + 1 :]) * itemsize
    step = max(1, limit // max(per, 1))
    outer = [range(s.start, s.stop) for s in region[:axis]]
    cut = region[axis]
    out = []
    for head in itertools.product(*outer):
        for begin in range(cut.start, cut.stop, step):
            box = [slice(i, i + 1) for i in head]
            box.append(slice(begin, min(begin + step, cut.stop)))
            out.append((*box, *region[axis + 1 :]))
    return out


def _fill_slabs(
    handle: ArrayHandle, unit: tuple[int, ...]
) -> Iterator[tuple[Any, tuple[int, ...]]]:
    """An unwritten unit as fill-value boxes of at most ``graph.task_bytes`` each, and
    where each starts: a huge unwritten shard is compared without allocating all of it."""
    meta = handle.metadata
    limit = int(config.get("graph.task_bytes"))
    for box in _slabs(_unit_region(handle, unit), meta.dtype.itemsize, limit):
        shape = tuple(s.stop - s.start for s in box)
        yield np.full(shape, meta.fill_value, dtype=meta.dtype), tuple(s.start for s in box)


def _shifted(region: tuple[slice, ...], offset: Sequence[int]) -> tuple[slice, ...]:
    return tuple(slice(s.start + o, s.stop + o) for s, o in zip(region, offset, strict=True))


def _box(start: Sequence[int], values: Any) -> tuple[slice, ...]:
    return tuple(slice(b, b + n) for b, n in zip(start, values.shape, strict=True))


def _box_difference(key: str, start: Sequence[int], ours: Any, theirs: Any) -> Mismatch | None:
    differ = ~values_equal(ours, theirs)
    if not differ.any():
        return None
    first = np.unravel_index(int(np.argmax(differ)), differ.shape)
    index = tuple(int(i) + b for i, b in zip(first, start, strict=True))
    return Mismatch(key, int(differ.sum()), index)


def _boxes(handle: ArrayHandle, unit: tuple[int, ...], values: Any) -> Any:
    """(values, start) boxes of a unit: its decoded values, or fill for an unwritten one."""
    if values is not None:
        return [(values, tuple(s.start for s in _unit_region(handle, unit)))]
    return _fill_slabs(handle, unit)


def _compare_unit(
    handle: ArrayHandle,
    unit: tuple[int, ...],
    values: Any,
    against: ArrayHandle,
    offset: Sequence[int],
    bad: list[tuple[str, str]],
) -> Mismatch | None:
    """The unit (``values``, None if unwritten) against the other array, box by box."""
    key = handle.key(unit)
    count, first = 0, None
    for ours, start in _boxes(handle, unit, values):
        theirs = _read_other(against, _shifted(_box(start, ours), offset), bad)
        found = None if theirs is None else _box_difference(key, start, ours, theirs)
        if found is not None:
            count += found.count or 0
            first = first or found.first_index
    return Mismatch(key, count, first) if count else None


def _verify_units(
    handle: ArrayHandle,
    units: Sequence[tuple[int, ...]],
    against: ArrayHandle | None,
    offset: tuple[int, ...],
    mode: str,
) -> tuple[VerifyReport, dict[tuple[int, ...], int]]:
    """Decode ``units``; compare them directly, or fingerprint them (``mode``)."""
    bad: list[tuple[str, str]] = []
    mismatches: list[Mismatch] = []
    fingerprints: list[dict[tuple[int, ...], int]] = []
    missing = 0
    shape, chunks = handle.metadata.shape, handle.metadata.chunk_shape
    for unit in units:
        ours, stored = _decode_unit(handle, unit, bad)
        missing += not stored
        if against is None or (ours is None and stored):
            continue  # decoded (or reported as a bad key): nothing to compare
        if mode == "fingerprint":
            for values, start in _boxes(handle, unit, ours):
                fingerprints.append(region_fingerprints(values, start, shape, chunks))
            continue
        mismatch = _compare_unit(handle, unit, ours, against, offset, bad)
        if mismatch is not None:
            mismatches.append(mismatch)
    report = VerifyReport(handle.path, len(units), missing, bad, mismatches)
    return report, merge_sums(fingerprints)


def _fingerprint_other(
    handle: ArrayHandle,
    against: ArrayHandle,
    units: Sequence[tuple[int, ...]],
    offset: tuple[int, ...],
) -> tuple[list[tuple[str, str]], dict[tuple[int, ...], int]]:
    """Fingerprints of ``against``'s ``units``, by the regions of ``handle``'s units."""
    bad: list[tuple[str, str]] = []
    parts = []
    shape = tuple(handle.metadata.shape)
    for unit in units:
        region = _unit_region(against, unit)
        # The part of the unit that lies over ``handle`` (which starts at ``offset``).
        box = tuple(
            slice(max(r.start, o), min(r.stop, o + n))
            for r, o, n in zip(region, offset, shape, strict=True)
        )
        if any(b.start >= b.stop for b in box):
            continue
        values = _read_other(against, box, bad)
        if values is None:
            continue
        start = tuple(b.start - o for b, o in zip(box, offset, strict=True))
        host = against.prototype.to_host(values)
        parts.append(region_fingerprints(host, start, shape, handle.metadata.chunk_shape))
    return bad, merge_sums(parts)


#: Differing units whose elements are counted; beyond these, units are only named.
MAX_COUNTED = 64


def _compare_fingerprints(
    handle: ArrayHandle,
    against: ArrayHandle,
    offset: tuple[int, ...],
    ours: Sequence[tuple[VerifyReport, dict[tuple[int, ...], int]]],
    theirs: Sequence[tuple[list[tuple[str, str]], dict[tuple[int, ...], int]]],
) -> VerifyReport:
    report = _total(handle.path, [r for r, _ in ours])
    mine = merge_sums(f for _, f in ours)
    other = merge_sums(f for _, f in theirs)
    bad = list(report.bad_keys) + [b for bad, _ in theirs for b in bad]
    broken = {k for k, _ in report.bad_keys}
    mismatches: list[Mismatch] = []
    for unit in sorted(set(mine) | set(other)):
        if mine.get(unit, 0) == other.get(unit, 0) or handle.key(unit) in broken:
            continue
        if len(mismatches) >= MAX_COUNTED:
            mismatches.append(Mismatch(handle.key(unit), None, None))
            continue
        values, stored = _decode_unit(handle, unit, [])
        if values is None and stored:
            continue  # a unit that does not decode is already reported as a bad key
        found = _compare_unit(handle, unit, values, against, offset, [])
        if found is not None:
            mismatches.append(found)
    return VerifyReport(handle.path, report.units_checked, report.units_missing, bad, mismatches)


def _total(path: str, reports: Sequence[VerifyReport]) -> VerifyReport:
    total = VerifyReport(path)
    for report in reports:
        total += report
    return total


def _total_of(path: str, results: Sequence[tuple[VerifyReport, Any]]) -> VerifyReport:
    return _total(path, [report for report, _ in results])


def comparison_mode(handle: ArrayHandle, against: ArrayHandle | None, offset: Sequence[int]) -> str:
    """``decode`` (no other array), ``direct`` or ``fingerprint``.

    ``direct`` reads the other array's region of each unit, which costs little when
    the two chunkings line up; when they cross (time-chunked against
    space-chunked) that would read the other array many times over, so both are
    read once and compared by region fingerprints instead.
    """
    if against is None:
        return "decode"
    ours, theirs = handle.metadata.dtype, against.metadata.dtype
    if ours.newbyteorder("=") != theirs.newbyteorder("=") or not fingerprintable(ours):
        return "direct"
    amplification = read_amplification(
        handle.metadata.shape, handle.metadata.chunk_shape, against.metadata.chunk_shape, offset
    )
    return "direct" if amplification <= 2 else "fingerprint"


def _batches(units: list[tuple[int, ...]], handle: ArrayHandle) -> list[list[tuple[int, ...]]]:
    per_task = max(1, int(config.get("graph.task_bytes")) // max(handle.unit_spec.nbytes, 1))
    return [units[i : i + per_task] for i in range(0, len(units), per_task)]


def _other_units(
    handle: ArrayHandle, against: ArrayHandle, offset: Sequence[int]
) -> list[tuple[int, ...]]:
    """Units of ``against`` that overlap ``handle`` placed at ``offset``."""
    ranges = [
        range(o // c, -(-(o + n) // c))
        for o, n, c in zip(offset, handle.metadata.shape, against.metadata.chunk_shape, strict=True)
    ]
    return [tuple(int(i) for i in u) for u in itertools.product(*ranges)]


def verify_graph(
    handle: ArrayHandle,
    *,
    against: ArrayHandle | None = None,
    offset: Sequence[int] | None = None,
) -> GraphSpec:
    """The graph verifying every unit of ``handle``; its output key gives a VerifyReport.

    With ``against``, element ``i`` of ``handle`` is compared with element
    ``i + offset`` of ``against`` (``offset`` defaults to zeros: equal shapes), see
    :func:`comparison_mode`. Units are batched up to ``graph.task_bytes`` decoded
    bytes per task.

    Raises
    ------
    GraphError
        If ``against`` does not cover ``handle``'s shape at ``offset``, or either
        array has a rectilinear chunk grid.
    """
    shape = tuple(handle.metadata.shape)
    origin = tuple(offset) if offset is not None else (0,) * len(shape)
    for side in (handle, against):
        if side is not None and side.metadata.is_rectilinear:
            # Unit checks and fingerprints assume one unit shape.
            raise GraphError(
                f"verify does not support rectilinear chunk grids yet (array {side.path or '/'!r})"
            )
    if against is not None:
        other = tuple(against.metadata.shape)
        fits = len(other) == len(shape) and all(
            s + o <= n for s, o, n in zip(shape, origin, other, strict=True)
        )
        if not fits or (offset is None and other != shape):
            raise GraphError(
                f"cannot compare array {handle.path or '/'!r} of shape {shape} with "
                f"{against.path or '/'!r} of shape {other} at offset {origin}"
            )
    mode = comparison_mode(handle, against, origin)
    grid = handle.metadata.grid_shape
    units = [tuple(int(i) for i in u) for u in np.ndindex(*grid)] if math.prod(shape) else []
    described = None if against is None else (against.store.spec, against.path, origin)
    name = graph_name("verify", handle, described)
    token = name.rsplit("-", 1)[-1]
    dsk: dict[Key, Any] = {}
    keys: list[Key] = []
    for batch in _batches(units, handle):
        key = task_key(name, batch[0])
        dsk[key] = Task(key, _verify_units, handle, batch, against, origin, mode)
        keys.append(key)
    done = (f"zarrdist-done-{token}",)
    ours = List(*(TaskRef(k) for k in keys))
    if mode == "fingerprint":
        assert against is not None
        other_keys: list[Key] = []
        for batch in _batches(_other_units(handle, against, origin) if units else [], against):
            key = task_key(f"zarrdist-fingerprint-{token}", batch[0])
            dsk[key] = Task(key, _fingerprint_other, handle, against, batch, origin)
            other_keys.append(key)
        theirs = List(*(TaskRef(k) for k in other_keys))
        dsk[done] = Task(done, _compare_fingerprints, handle, against, origin, ours, theirs)
        keys += other_keys
    else:
        dsk[done] = Task(done, _total_of, handle.path, ours)
    stores = [handle.store] + ([against.store] if against is not None else [])
    return GraphSpec(
        op="verify",
        name=name,
        dsk=dsk,
        keys=[done],
        num_tasks=len(keys),
        max_projected_bytes=3 * handle.unit_spec.nbytes,
        local_only=any(not s.supports_multiprocess_writes for s in stores),
    )
