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
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from dask.task_spec import List, Task, TaskRef
from dask.typing import Key

from zarrdist.chunking.fingerprint import (
    element_hashes,
    fingerprintable,
    merge_sums,
    region_sums,
)
from zarrdist.chunking.rechunk import read_amplification
from zarrdist.chunkio.read import read_units
from zarrdist.chunkio.units import ArrayHandle, group_by_unit
from zarrdist.codecs import decode_chunk
from zarrdist.config import config
from zarrdist.errors import CodecError, GraphError
from zarrdist.graphs.copy import values_equal
from zarrdist.graphs.plan import GraphSpec, graph_name, task_key
from zarrdist.indexing import basic_indexer

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
    """(the unit's values clipped to the array, stored?); values None if it does not decode."""
    key = handle.key(unit)
    region = _unit_region(handle, unit)
    local = tuple(slice(0, s.stop - s.start) for s in region)
    data = handle.store.get(key)
    if data is None:
        shape = tuple(s.stop for s in local)
        return np.full(shape, handle.metadata.fill_value, dtype=handle.metadata.dtype), False
    try:
        decoded = decode_chunk(handle.metadata.codec_chain, data, handle.unit_spec)
    except CodecError as error:
        bad.append((key, str(error)))
        return None, True
    return handle.prototype.to_host(decoded[local]), True


def _shifted(region: tuple[slice, ...], offset: Sequence[int]) -> tuple[slice, ...]:
    return tuple(slice(s.start + o, s.stop + o) for s, o in zip(region, offset, strict=True))


def _difference(
    handle: ArrayHandle, unit: tuple[int, ...], ours: Any, theirs: Any
) -> Mismatch | None:
    differ = ~values_equal(ours, theirs)
    if not differ.any():
        return None
    first = np.unravel_index(int(np.argmax(differ)), differ.shape)
    region = _unit_region(handle, unit)
    index = tuple(int(i) + s.start for i, s in zip(first, region, strict=True))
    return Mismatch(handle.key(unit), int(differ.sum()), index)


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
    for unit in units:
        ours, stored = _decode_unit(handle, unit, bad)
        missing += not stored
        if ours is None or against is None:
            continue
        region = _unit_region(handle, unit)
        if mode == "fingerprint":
            start = tuple(s.start for s in region)
            hashes = element_hashes(ours, start, handle.metadata.shape)
            fingerprints.append(region_sums(hashes, start, handle.metadata.chunk_shape))
            continue
        theirs = _read_other(against, _shifted(region, offset), bad)
        mismatch = None if theirs is None else _difference(handle, unit, ours, theirs)
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
        hashes = element_hashes(against.prototype.to_host(values), start, shape)
        parts.append(region_sums(hashes, start, handle.metadata.chunk_shape))
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
        values, _ = _decode_unit(handle, unit, [])
        region = _unit_region(handle, unit)
        reference = _read_other(against, _shifted(region, offset), [])
        if values is None or reference is None:
            continue  # a unit that does not decode is already reported as a bad key
        found = _difference(handle, unit, values, reference)
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
