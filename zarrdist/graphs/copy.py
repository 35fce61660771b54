"""Copy one array into another as a graph: convert, rechunk, reshard, recompress, subset.

The plan comes from :mod:`zarrdist.chunking.rechunk` (pure, no I/O); this module only
turns it into tasks. A task owns a block of whole target units: it reads the
source units its block overlaps one at a time into a block buffer and writes the
target units from it, so tasks never share a key and need no locks. A two-stage
plan writes an intermediate array first (in ``intermediate_store``, by default a
sibling of the target) and deletes it at the end.

The target's metadata is published by the final ``zarrdist-done-<token>`` task,
after every data task, so an interrupted copy never looks complete. Resuming
(``resume=True``) skips every target unit that exists and decodes (and, with
``verify=True``, equals the source); intermediate units are resumed the same way.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from dask.task_spec import List, Task, TaskRef
from dask.typing import Key

from zarrdist.chunking.indexing import basic_indexer
from zarrdist.chunking.rechunk import RechunkPlan, StagePlan, overhead_bytes, plan_rechunk
from zarrdist.chunkio.read import read_units
from zarrdist.chunkio.units import ArrayHandle, group_by_unit, write_units
from zarrdist.codecs import ZstdCodec
from zarrdist.config import config
from zarrdist.errors import CodecError, GraphError, MemoryBudgetError
from zarrdist.graphs.execute import gc_paused, run_graph
from zarrdist.graphs.plan import GraphSpec, task_key
from zarrdist.metadata import ArrayMetadataV3
from zarrdist.stores import MemoryStore, Store, StoreSpec, redact_spec

__all__ = [
    "CopyGraph",
    "CopyStats",
    "copy_array",
    "copy_graph",
    "default_intermediate_store",
    "full_region",
    "plan_copy",
    "values_equal",
]

Region = tuple[slice, ...]
_TMP_SUFFIX = ".zarrdist-tmp"


@dataclass(frozen=True)
class CopyStats:
    """What copy tasks did, summed by the final task.

    Attributes
    ----------
    units_written : int
        Target (or intermediate) units written.
    units_skipped : int
        Units a resumed copy found complete and left alone.
    bytes_copied : int
        Decoded bytes of the regions copied into the target.
    bytes_stored : int
        Encoded bytes of the target units written.
    bytes_kept : int
        Encoded bytes of the units a resumed copy found complete and kept (with
        ``bytes_stored``, what the target holds after a resumed copy).
    """

    units_written: int = 0
    units_skipped: int = 0
    bytes_copied: int = 0
    bytes_stored: int = 0
    bytes_kept: int = 0

    def __add__(self, other: CopyStats) -> CopyStats:
        return CopyStats(
            self.units_written + other.units_written,
            self.units_skipped + other.units_skipped,
            self.bytes_copied + other.bytes_copied,
            self.bytes_stored + other.bytes_stored,
            self.bytes_kept + other.bytes_kept,
        )


@dataclass(frozen=True, repr=False)
class CopyGraph(GraphSpec):
    """A copy graph with its plan; its one output key returns :class:`CopyStats`.

    Attributes
    ----------
    plan : RechunkPlan or None
    intermediate : ArrayHandle or None
        Where the first of two stages writes.
    """

    plan: RechunkPlan | None = field(default=None, compare=False)
    intermediate: ArrayHandle | None = field(default=None, compare=False)


# -- regions and planning ---------------------------------------------------------------


def full_region(shape: Sequence[int]) -> Region:
    """The region covering an array of ``shape``."""
    return tuple(slice(0, int(n)) for n in shape)


def _check_region(source: ArrayHandle, target: ArrayHandle, region: Region | None) -> Region:
    shape = tuple(source.metadata.shape)
    region = full_region(shape) if region is None else tuple(region)
    if len(region) != len(shape):
        raise GraphError(
            f"region {region} has {len(region)} dimensions; array {source.path or '/'!r} has "
            f"{len(shape)}"
        )
    for axis, (sl, n) in enumerate(zip(region, shape, strict=True)):
        if not (0 <= sl.start <= sl.stop <= n) or sl.step not in (None, 1):
            raise GraphError(
                f"region {region} does not fit array {source.path or '/'!r} of shape {shape} "
                f"on axis {axis}"
            )
    sizes = tuple(sl.stop - sl.start for sl in region)
    if sizes != tuple(target.metadata.shape):
        raise GraphError(
            f"the copied region has shape {sizes} but the target {target.path or '/'!r} has "
            f"shape {tuple(target.metadata.shape)}"
        )
    return region


def _itemsize(handle: ArrayHandle) -> int:
    # Variable-length strings have no fixed size; 16 bytes is NumPy's StringDType slot.
    return int(handle.metadata.dtype.itemsize) or 16


def plan_copy(
    source: ArrayHandle,
    target: ArrayHandle,
    region: Region | None = None,
    max_mem: int | None = None,
) -> RechunkPlan:
    """The rechunk plan of copying ``region`` of ``source`` into ``target``.

    ``max_mem`` is the most one task may use (default and cap:
    ``graph.max_task_bytes``). Within it, tasks aim at ``graph.task_bytes`` (or
    what one source and one target unit need, if more), so a large budget still
    gives enough tasks to keep every worker busy.

    Raises
    ------
    MemoryBudgetError
        If no plan fits.
    """
    region = _check_region(source, target, region)
    if source.metadata.is_rectilinear or target.metadata.is_rectilinear:
        # Plans cut the array into blocks of whole regular units on both sides.
        raise GraphError(
            f"a unit-by-unit copy plan needs regular chunk grids; {source.path or '/'!r} or "
            f"{target.path or '/'!r} has a rectilinear grid (write the data with "
            "target[...] = source.to_dask() instead)"
        )
    src_unit = tuple(source.metadata.chunk_shape)
    dst_unit = tuple(target.metadata.chunk_shape)
    itemsize = _itemsize(source)
    cap = int(config.get("graph.max_task_bytes"))
    limit = cap if max_mem is None else min(int(max_mem), cap)
    # Room for a block of a few target units besides the units held while coding.
    floor = 2 * overhead_bytes(src_unit, dst_unit, itemsize)
    aim = min(limit, max(int(config.get("graph.task_bytes")), floor))
    shape = tuple(target.metadata.shape)
    offset = tuple(sl.start for sl in region)
    try:
        return plan_rechunk(shape, itemsize, src_unit, dst_unit, aim, source_offset=offset)
    except MemoryBudgetError:
        if aim >= limit:
            raise
    return plan_rechunk(shape, itemsize, src_unit, dst_unit, limit, source_offset=offset)


def _spec_json(store: Store) -> dict[str, Any]:
    # Without credentials: the token names a stored array, and rotated credentials
    # still reach the same store.
    spec = redact_spec(store.spec.to_json())
    spec.pop("read_only", None)  # the same store opened read-only is the same store
    return spec


def _token(source: ArrayHandle, target: ArrayHandle, region: Region, plan: RechunkPlan) -> str:
    # hashlib, not dask's tokenize: the intermediate's path must be the same in the
    # process that resumes an interrupted copy.
    described = [
        _spec_json(source.store),
        source.path,
        source.metadata.to_json(),
        _spec_json(target.store),
        target.path,
        target.metadata.to_json(),
        [[sl.start, sl.stop] for sl in region],
        plan.intermediate_chunks,
        [s.block for s in plan.stages],
    ]
    text = json.dumps(described, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def default_intermediate_store(target: Store) -> Store:
    """Where a two-stage rechunk into ``target`` keeps its intermediate arrays.

    A sibling ``<root>.zarrdist-tmp`` of a local directory or an object-store prefix,
    so the intermediate never shows inside the destination. A root with no parent in
    its own namespace (a bucket, ``s3://bkt``, or the file system's root) gets a
    prefix inside it instead, ``<root>/.zarrdist-tmp``: the sibling of a bucket is
    another bucket, which may be anyone's. Stores that live in one process (memory,
    zip) get a new MemoryStore.
    """
    spec = target.spec
    if spec.driver == "local":
        root = str(spec.options["root"]).rstrip("/\\")
        if not os.path.basename(root):  # the file system's root
            return StoreSpec("local", {"root": root + "/" + _TMP_SUFFIX, "read_only": False}).open()
        return StoreSpec("local", {"root": root + _TMP_SUFFIX, "read_only": False}).open()
    if spec.driver == "fsspec":
        options = dict(spec.options)
        url = str(options["url"]).rstrip("/")
        scheme, sep, rest = url.partition("://")
        top_level = sep and scheme.lower() not in ("file", "local") and "/" not in rest.strip("/")
        options["url"] = url + ("/" + _TMP_SUFFIX if top_level else _TMP_SUFFIX)
        options["read_only"] = False
        return StoreSpec("fsspec", options).open()
    return MemoryStore()


def _intermediate(source: ArrayHandle, plan: RechunkPlan, store: Store, token: str) -> ArrayHandle:
    assert plan.intermediate_chunks is not None
    base = ArrayMetadataV3(
        shape=plan.shape,
        data_type=source.metadata.data_type,
        chunk_shape=plan.intermediate_chunks,
        fill_value=source.metadata.fill_value,
    )
    # The intermediate lives briefly: a fast compressor keeps its I/O small.
    metadata = ArrayMetadataV3(
        shape=plan.shape,
        data_type=base.data_type,
        chunk_shape=plan.intermediate_chunks,
        codecs=(*base.codecs, ZstdCodec(level=1)),
        fill_value=base.fill_value,
    )
    return ArrayHandle(store, f"rechunk-{token}", metadata)


# -- task bodies ------------------------------------------------------------------------


def _read_region(source: ArrayHandle, region: Region, out: Any) -> None:
    """Fill ``out`` with ``region`` of ``source``, one stored unit at a time (bounded memory)."""
    indexer = basic_indexer(region, source.metadata.shape, source.io_chunk_shape)
    for unit, projections in group_by_unit(source, indexer).items():
        read_units(source, {unit: projections}, out)


def values_equal(a: Any, b: Any) -> Any:
    """Element-wise equality where NaN equals NaN (a boolean array)."""
    a, b = np.asarray(a), np.asarray(b)
    same = np.asarray(a == b)
    if a.dtype.kind in "fc" and b.dtype.kind in "fc":
        same |= np.isnan(a) & np.isnan(b)
    return same


class _Check:
    """Stands in for the output of ``read_units``: compares, or just lets it decode."""

    def __init__(self, expected: Any | None) -> None:
        self.expected = expected
        self.equal = True

    def __setitem__(self, selection: Any, value: Any) -> None:
        if self.expected is not None and self.equal:
            self.equal = bool(np.all(values_equal(self.expected[selection], value)))


def _unit_done(handle: ArrayHandle, unit: tuple[int, ...], projections: Any, expected: Any) -> bool:
    """Whether a resumed copy may skip ``unit``: it exists, decodes, and matches ``expected``."""
    if not handle.store.exists(handle.key(unit)):
        return False
    check = _Check(expected)
    try:
        read_units(handle, {unit: projections}, check)
    except CodecError:
        return False  # corrupt or truncated: write it again
    return check.equal


def _elements(handle: ArrayHandle, units: Iterable[tuple[int, ...]], region: Region) -> int:
    """Elements of ``region`` that lie in ``units`` (what a partly resumed block copies)."""
    total = 0
    for unit in units:
        total += math.prod(
            max(0, min((u + 1) * c, r.stop) - max(u * c, r.start))
            for u, c, r in zip(unit, handle.metadata.chunk_shape, region, strict=True)
        )
    return total


def _copy_block(
    source: ArrayHandle,
    target: ArrayHandle,
    src_region: Region,
    dst_region: Region,
    resume: bool,
    verify: bool,
    *_after: Any,
) -> CopyStats:
    indexer = basic_indexer(dst_region, target.metadata.shape, target.io_chunk_shape)
    units = dict(group_by_unit(target, indexer))
    if not units:
        return CopyStats()
    shape = tuple(sl.stop - sl.start for sl in dst_region)
    buffer: Any = None
    if verify or not resume:
        buffer = source.prototype.empty(shape, source.metadata.dtype)
        _read_region(source, src_region, buffer)
    todo = units
    if resume:
        expected = buffer if verify else None
        todo = {u: ps for u, ps in units.items() if not _unit_done(target, u, ps, expected)}
    kept = sum(target.store.getsize(target.key(u)) or 0 for u in units if u not in todo)
    if not todo:
        return CopyStats(units_skipped=len(units), bytes_kept=kept)
    if buffer is None:
        buffer = source.prototype.empty(shape, source.metadata.dtype)
        _read_region(source, src_region, buffer)
    stored = write_units(target, todo, buffer)
    copied = math.prod(shape) if len(todo) == len(units) else _elements(target, todo, dst_region)
    return CopyStats(
        units_written=len(todo),
        units_skipped=len(units) - len(todo),
        bytes_copied=copied * _itemsize(source),
        bytes_stored=stored,
        bytes_kept=kept,
    )


def _finish(
    target: ArrayHandle,
    intermediate: ArrayHandle | None,
    publish: bool,
    stats: Sequence[CopyStats],
) -> CopyStats:
    if publish:
        for key, document in target.metadata.to_documents().items():
            target.store.set(target.prefix + key, document)
    if intermediate is not None:
        intermediate.store.delete_prefix(intermediate.path)
    total = CopyStats()
    for s in stats:
        total += s
    return total


# -- graph building ---------------------------------------------------------------------


def _shift(region: Region, offset: Sequence[int]) -> Region:
    return tuple(slice(sl.start + o, sl.stop + o) for sl, o in zip(region, offset, strict=True))


def _overlap_ranges(stage: StagePlan, region: Region) -> list[range]:
    """Per axis, the block indices of ``stage`` that overlap ``region``."""
    return [
        range(sl.start // b, -(-sl.stop // b)) for sl, b in zip(region, stage.block, strict=True)
    ]


def _stage_tasks(
    dsk: dict[Key, Any],
    name: str,
    stage: StagePlan,
    handles: tuple[ArrayHandle, ArrayHandle],
    flags: tuple[bool, bool],
    deps: Callable[[Region], tuple[Any, ...]],
) -> list[Key]:
    """Add one stage's tasks to ``dsk``; ``deps(region)`` gives the refs a block waits on."""
    source, target = handles
    keys: list[Key] = []
    for index, region in stage.blocks():
        key = task_key(name, index)
        src_region = _shift(region, stage.source_offset)
        dsk[key] = Task(key, _copy_block, source, target, src_region, region, *flags, *deps(region))
        keys.append(key)
    return keys


def _second_stage_deps(
    dsk: dict[Key, Any],
    first: tuple[str, StagePlan, list[Key]],
    second: StagePlan,
    token: str,
) -> Callable[[Region], tuple[Any, ...]]:
    """What a second-stage block waits on: the first-stage blocks it reads, or a barrier."""
    first_name, first_stage, first_keys = first
    edges = sum(
        math.prod(len(r) for r in _overlap_ranges(first_stage, region))
        for _, region in second.blocks()
    )
    if edges > 4 * (first_stage.num_tasks + second.num_tasks):
        # Many-to-many stages (time-to-space): one barrier keeps the graph linear in size.
        barrier = (f"zarrdist-barrier-{token}",)
        dsk[barrier] = Task(barrier, _barrier, List(*(TaskRef(k) for k in first_keys)))
        return lambda region: (TaskRef(barrier),)

    def deps(region: Region) -> tuple[Any, ...]:
        positions = itertools.product(*_overlap_ranges(first_stage, region))
        return tuple(TaskRef((first_name, *p)) for p in positions)

    return deps


def _barrier(*_: Any) -> None:
    return None


def _no_deps(region: Region) -> tuple[Any, ...]:
    return ()


# A million units are millions of surviving young objects: the collector waits (as in reads).
@gc_paused()
def copy_graph(
    source: ArrayHandle,
    target: ArrayHandle,
    *,
    region: Region | None = None,
    max_mem: int | None = None,
    plan: RechunkPlan | None = None,
    intermediate_store: Store | None = None,
    resume: bool = False,
    verify: bool = False,
    publish: bool = True,
) -> CopyGraph:
    """The graph copying ``region`` of ``source`` (default: all of it) into ``target``.

    Parameters
    ----------
    source, target
        ``target``'s metadata sets the format, chunks, shards and codecs; its shape
        must equal the region's. Nothing is read or written while building.
    region
        Step-1 slices of ``source``, one per axis.
    max_mem
        Bytes one task may use (see :func:`plan_copy`).
    plan
        A plan from :func:`plan_copy`, to reuse one already inspected.
    intermediate_store
        Where a two-stage plan writes its intermediate array
        (default: :func:`default_intermediate_store`).
    resume
        Skip target units that exist and decode.
    verify
        With ``resume``, skip only units equal to the source.
    publish
        Write the target's metadata in the final task (after all data).

    Raises
    ------
    GraphError
        If the region does not fit the source or its shape is not the target's.
    MemoryBudgetError
        If no plan fits the memory budget.
    """
    region = _check_region(source, target, region)
    plan = plan if plan is not None else plan_copy(source, target, region, max_mem)
    token = _token(source, target, region, plan)
    flags = (resume, verify)
    dsk: dict[Key, Any] = {}
    middle = None
    copy_name = f"zarrdist-copy-{token}"
    if plan.intermediate_chunks is None:
        (stage,) = plan.stages
        keys = _stage_tasks(dsk, copy_name, stage, (source, target), flags, _no_deps)
    else:
        store = intermediate_store or default_intermediate_store(target.store)
        middle = _intermediate(source, plan, store, token)
        first, second = plan.stages
        first_name = f"zarrdist-rechunk-{token}"
        # Intermediate units are resumed on existence and decoding alone.
        first_keys = _stage_tasks(
            dsk, first_name, first, (source, middle), (resume, False), _no_deps
        )
        deps = _second_stage_deps(dsk, (first_name, first, first_keys), second, token)
        keys = _stage_tasks(dsk, copy_name, second, (middle, target), flags, deps)
    done = (f"zarrdist-done-{token}",)
    # The final stage's stats are the copy's; the first stage's tasks are its inputs.
    dsk[done] = Task(done, _finish, target, middle, publish, List(*(TaskRef(k) for k in keys)))
    stores = [source.store, target.store] + ([middle.store] if middle is not None else [])
    return CopyGraph(
        op="copy",
        name=copy_name,
        dsk=dsk,
        keys=[done],
        num_tasks=plan.num_tasks,
        max_projected_bytes=plan.max_task_bytes,
        local_only=any(not s.supports_multiprocess_writes for s in stores),
        plan=plan,
        intermediate=middle,
    )


def copy_array(source: ArrayHandle, target: ArrayHandle, **options: Any) -> CopyStats:
    """Build :func:`copy_graph` (same keywords) and run it on the active scheduler."""
    graph = copy_graph(source, target, **options)
    (stats,) = run_graph(
        graph.dsk, graph.keys, num_tasks=max(graph.num_tasks, 2), local_only=graph.local_only
    )
    assert isinstance(stats, CopyStats)
    return stats
