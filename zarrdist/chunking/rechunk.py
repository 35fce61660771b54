"""Bounded-memory rechunk planning: pure integer arithmetic, no dask and no I/O.

A copy from an array stored in units of ``source_chunks`` to one stored in units
of ``target_chunks`` runs as tasks that each own a *block*: a box of the target
made of whole target units, so no two tasks ever write the same store key. A task
reads the source units its block overlaps, one at a time, into a buffer the size
of the block and writes the target units from it. Its projected peak memory is::

    itemsize * (block + READ_COPIES * source_unit + WRITE_COPIES * target_unit)

(the block buffer; one source unit encoded and decoded; one target unit copied,
encoded and concatenated).

The planner picks, under ``max_mem`` bytes per task:

1. **One aligned stage** when a block that is a multiple of the target unit *and*
   of the source unit (or spans the whole axis) fits: every source unit is read
   exactly once.
2. Otherwise, when source and target chunks cross badly (a time-chunked source to
   a space-chunked target), **two stages through an intermediate array** whose
   chunks are chosen so that both stages are aligned, as large as memory allows.
   Per axis the intermediate extent is a divisor of ``lcm(source, target)`` or the
   whole axis, which is what keeps both stages aligned.
3. A **single unaligned stage** (blocks of target units only; source units that
   straddle blocks are read more than once) when it reads each source unit at most
   ``max_read_amplification`` times on average, or when no intermediate fits.

Within a stage the block is grown by whole multiples of its aligned base to the
fewest tasks that fit (ties: less memory, then the smaller block), by an exact
search whose result the tests compare with brute force.

>>> plan = plan_rechunk((365, 100, 100), 4, (1, 100, 100), (365, 10, 10), 2**20)
>>> plan.intermediate_chunks, [s.num_tasks for s in plan.stages]
((5, 20, 20), [19, 25])
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import reduce

from zarrdist.errors import GraphError, MemoryBudgetError

__all__ = [
    "READ_COPIES",
    "WRITE_COPIES",
    "RechunkPlan",
    "StagePlan",
    "aligned_extent",
    "axis_block_candidates",
    "choose_intermediate",
    "grow_block",
    "intermediate_candidates",
    "overhead_bytes",
    "plan_rechunk",
    "read_amplification",
    "task_bytes",
]

#: Copies of a source unit a task holds while reading it (encoded, decoded).
READ_COPIES = 2
#: Copies of a target unit a task holds while writing it (copy, encoded, joined).
WRITE_COPIES = 3

Shape = tuple[int, ...]


def _prod(values: Iterable[int]) -> int:
    return reduce(lambda a, b: a * b, values, 1)


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def _check_shape(values: Sequence[int], what: str, ndim: int, minimum: int) -> Shape:
    out = tuple(int(v) for v in values)
    if len(out) != ndim:
        raise GraphError(f"{what} {out} has {len(out)} dimensions; the array has {ndim}")
    if any(v < minimum for v in out):
        raise GraphError(f"{what} {out}: every extent must be >= {minimum}")
    return out


def overhead_bytes(source_unit: Sequence[int], target_unit: Sequence[int], itemsize: int) -> int:
    """Bytes a copy task holds besides its block buffer: units being decoded and encoded."""
    return itemsize * (READ_COPIES * _prod(source_unit) + WRITE_COPIES * _prod(target_unit))


def task_bytes(
    block: Sequence[int], source_unit: Sequence[int], target_unit: Sequence[int], itemsize: int
) -> int:
    """Projected peak bytes of one copy task over ``block`` (see the module docstring)."""
    return itemsize * _prod(block) + overhead_bytes(source_unit, target_unit, itemsize)


def aligned_extent(extent: int, source: int, target: int) -> int:
    """The smallest block extent along one axis that is a multiple of ``target`` and
    starts and ends on ``source`` unit boundaries (or spans the whole axis)."""
    return min(math.lcm(source, target), extent)


def _align_unit(source: int, offset: int) -> int:
    # A source read at an offset that is not a multiple of its unit cannot be aligned
    # on that axis; such axes only constrain by the target unit.
    return source if offset % source == 0 else 1


def axis_block_candidates(extent: int, base: int) -> list[tuple[int, int]]:
    """``(block extent, blocks along the axis)`` for multiples of ``base``, ascending.

    Only the smallest multiple giving each distinct block count is listed: a larger
    one costs memory and saves no task. Extents are clipped to the axis.
    """
    groups = _ceil_div(extent, base)
    if groups == 0:
        return [(0, 0)]
    out: list[tuple[int, int]] = []
    multiple = 1
    while True:
        count = _ceil_div(groups, multiple)
        out.append((min(multiple * base, extent), count))
        if count == 1:
            return out
        multiple = _ceil_div(groups, count - 1)


def grow_block(shape: Sequence[int], base: Sequence[int], max_elements: int) -> Shape | None:
    """The block of whole multiples of ``base`` with the fewest tasks within
    ``max_elements`` elements (ties: fewer elements, then the smaller block).

    ``base`` extents are clipped to ``shape``. Returns None if ``base`` itself does
    not fit. Exact: for each choice on the leading axes, the last axis takes the
    largest extent that fits, which minimises its block count.
    """
    shape = tuple(shape)
    base = tuple(min(b, n) for b, n in zip(base, shape, strict=True))
    if _prod(base) > max_elements:
        return None
    if not shape:
        return ()
    candidates = [axis_block_candidates(n, b) for n, b in zip(shape, base, strict=True)]
    last_extents = [e for e, _ in candidates[-1]]
    # Smallest product the remaining axes can add, for pruning.
    rest_min = [1] * (len(shape) + 1)
    for axis in range(len(shape) - 1, -1, -1):
        rest_min[axis] = rest_min[axis + 1] * candidates[axis][0][0]
    best: tuple[int, int, Shape] | None = None

    def visit(axis: int, chosen: Shape, elements: int, tasks: int) -> None:
        nonlocal best
        if axis == len(shape) - 1:
            i = bisect.bisect_right(last_extents, max_elements // elements) - 1
            extent, count = candidates[axis][i]
            key = (tasks * count, elements * extent, (*chosen, extent))
            if best is None or key < best:
                best = key
            return
        for extent, count in candidates[axis]:
            if elements * extent * rest_min[axis + 1] > max_elements:
                break
            visit(axis + 1, (*chosen, extent), elements * extent, tasks * count)

    visit(0, (), 1, 1)
    assert best is not None  # base fits, so at least one block does
    return best[2]


def _axis_reads(extent: int, block: int, source: int, offset: int) -> tuple[int, int]:
    """(source-unit reads by all blocks, distinct source units) along one axis."""
    reads = 0
    for start in range(0, extent, block):
        stop = min(start + block, extent)
        reads += (stop - 1 + offset) // source - (start + offset) // source + 1
    distinct = (extent - 1 + offset) // source - offset // source + 1
    return reads, distinct


def read_amplification(
    shape: Sequence[int],
    block: Sequence[int],
    source: Sequence[int],
    offset: Sequence[int] | None = None,
) -> float:
    """Source-unit reads per distinct source unit when blocks of ``block`` tile ``shape``.

    1.0 means every source unit is read exactly once. ``offset`` is where the
    copied region starts in the source (a subset copy).
    """
    offset = tuple(offset) if offset is not None else (0,) * len(tuple(shape))
    if _prod(shape) == 0:
        return 1.0
    reads = distinct = 1
    for n, b, s, o in zip(shape, block, source, offset, strict=True):
        r, d = _axis_reads(n, b, s, o)
        reads *= r
        distinct *= d
    return reads / distinct


#: Trial divisions per axis when listing intermediate candidates. Every divisor of
#: ``lcm(source, target)`` up to this bound (and its co-divisor) is found, so the list
#: is complete for any lcm below the bound squared (2**34) and planning stays bounded
#: for metadata claiming chunks of 1e20 elements; beyond it some candidates are
#: missed, never a wrong one added.
MAX_DIVISOR_TRIALS = 1 << 17


def _divisors_below(n: int, bound: int) -> list[int]:
    """Divisors of ``n`` smaller than ``bound`` (see :data:`MAX_DIVISOR_TRIALS`)."""
    found = set()
    last = min(math.isqrt(n), bound, MAX_DIVISOR_TRIALS)
    for i in range(1, last + 1):
        if n % i == 0:
            if i < bound:
                found.add(i)
            if n // i < bound:
                found.add(n // i)
    return sorted(found)


def intermediate_candidates(extent: int, source: int, target: int) -> list[int]:
    """Intermediate chunk extents that keep both stages aligned along one axis:
    divisors of ``lcm(source, target)`` below the axis extent, and the extent itself."""
    values = set(_divisors_below(math.lcm(source, target), extent))
    values.add(extent)
    return sorted(values)


@dataclass(frozen=True)
class _AxisOption:
    size: int  # intermediate chunk extent
    stage1: int  # aligned block extent of stage 1 (source -> intermediate)
    stage2: int  # aligned block extent of stage 2 (intermediate -> target)


def _intermediate_options(
    shape: Shape, source: Shape, align: Shape, target: Shape
) -> list[list[_AxisOption]]:
    options = []
    for n, a, t in zip(shape, align, target, strict=True):
        options.append(
            [
                _AxisOption(v, aligned_extent(n, a, v), aligned_extent(n, v, t))
                for v in intermediate_candidates(n, a, t)
            ]
        )
    return options


def choose_intermediate(
    shape: Sequence[int],
    itemsize: int,
    source_chunks: Sequence[int],
    target_chunks: Sequence[int],
    max_mem: int,
    source_offset: Sequence[int] | None = None,
) -> Shape | None:
    """Intermediate chunks for a two-stage copy, or None if none fits ``max_mem``.

    Among per-axis candidates (:func:`intermediate_candidates`), the largest
    intermediate chunk whose two aligned stages both fit (ties: the smaller peak
    memory, then the smaller shape). Exact branch and bound over the candidates.
    """
    shape = tuple(shape)
    source, target = tuple(source_chunks), tuple(target_chunks)
    offset = tuple(source_offset) if source_offset is not None else (0,) * len(shape)
    align = tuple(_align_unit(s, o) for s, o in zip(source, offset, strict=True))
    options = _intermediate_options(shape, source, align, target)
    budget = max_mem // itemsize
    fixed1 = READ_COPIES * _prod(source)
    fixed2 = WRITE_COPIES * _prod(target)
    ndim = len(shape)
    # Suffix bounds: smallest stage extents and largest intermediate extent left.
    low1, low2, low_v, high_v = ([1] * (ndim + 1) for _ in range(4))
    for axis in range(ndim - 1, -1, -1):
        opts = options[axis]
        low1[axis] = low1[axis + 1] * min(o.stage1 for o in opts)
        low2[axis] = low2[axis + 1] * min(o.stage2 for o in opts)
        low_v[axis] = low_v[axis + 1] * opts[0].size
        high_v[axis] = high_v[axis + 1] * opts[-1].size
    best: tuple[int, int, Shape] | None = None

    def memory(p1: int, p2: int, pv: int) -> int:
        return max(p1 + fixed1 + WRITE_COPIES * pv, p2 + READ_COPIES * pv + fixed2)

    def visit(axis: int, chosen: Shape, p1: int, p2: int, pv: int) -> None:
        nonlocal best
        if axis == ndim:
            key = (-pv, memory(p1, p2, pv), chosen)
            if memory(p1, p2, pv) <= budget and (best is None or key < best):
                best = key
            return
        for opt in options[axis]:
            n1, n2, nv = p1 * opt.stage1, p2 * opt.stage2, pv * opt.size
            if memory(n1 * low1[axis + 1], n2 * low2[axis + 1], nv * low_v[axis + 1]) > budget:
                continue
            if best is not None and nv * high_v[axis + 1] < -best[0]:
                continue
            visit(axis + 1, (*chosen, opt.size), n1, n2, nv)

    visit(0, (), 1, 1, 1)
    return None if best is None else best[2]


@dataclass(frozen=True)
class StagePlan:
    """One copy stage: tasks over blocks of the stage's target.

    Attributes
    ----------
    shape : tuple of int
        Shape of the copied region (the stage's target array).
    source_chunks : tuple of int
        Storage unit of the stage's source (what a task decodes at once).
    target_chunks : tuple of int
        Storage unit of the stage's target (what a task encodes at once).
    source_offset : tuple of int
        Where the region starts in the source.
    block : tuple of int
        Extent of one task's block, whole target units (clipped to ``shape``).
    num_tasks : int
    task_bytes : int
        Projected peak bytes of one task.
    read_amplification : float
        Source-unit reads per distinct source unit (1.0: each read once).
    """

    shape: Shape
    source_chunks: Shape
    target_chunks: Shape
    source_offset: Shape
    block: Shape
    num_tasks: int
    task_bytes: int
    read_amplification: float

    @property
    def grid(self) -> Shape:
        """Blocks per axis."""
        return tuple(_ceil_div(n, b) for n, b in zip(self.shape, self.block, strict=True))

    def region(self, index: Sequence[int]) -> tuple[slice, ...]:
        """The target region (step-1 slices) of the block at grid position ``index``."""
        return tuple(
            slice(i * b, min((i + 1) * b, n))
            for i, b, n in zip(index, self.block, self.shape, strict=True)
        )

    def blocks(self) -> Iterator[tuple[Shape, tuple[slice, ...]]]:
        """Every ``(grid position, region)`` in C order; none if the region is empty."""
        grid = self.grid
        if _prod(grid) == 0:
            return
        for flat in range(_prod(grid)):
            index = []
            for g in reversed(grid):
                flat, i = divmod(flat, g)
                index.append(i)
            position = tuple(reversed(index))
            yield position, self.region(position)


@dataclass(frozen=True)
class RechunkPlan:
    """How to copy an array onto other chunks within a memory bound.

    Attributes
    ----------
    shape, source_chunks, target_chunks : tuple of int
    itemsize : int
    max_mem : int
        Bytes one task may use.
    intermediate_chunks : tuple of int or None
        Chunks of the intermediate array when the copy runs in two stages.
    stages : tuple of StagePlan
        One stage, or two (source -> intermediate -> target).
    """

    shape: Shape
    itemsize: int
    source_chunks: Shape
    target_chunks: Shape
    max_mem: int
    intermediate_chunks: Shape | None
    stages: tuple[StagePlan, ...]

    @property
    def num_tasks(self) -> int:
        """Tasks over all stages."""
        return sum(s.num_tasks for s in self.stages)

    @property
    def max_task_bytes(self) -> int:
        """Projected peak bytes of the largest task."""
        return max((s.task_bytes for s in self.stages), default=0)

    def __str__(self) -> str:
        head = (
            f"rechunk {self.shape} from chunks {self.source_chunks} to {self.target_chunks} "
            f"within {self.max_mem} bytes per task"
        )
        lines = [head]
        if self.intermediate_chunks is not None:
            lines.append(f"  via intermediate chunks {self.intermediate_chunks}")
        for i, s in enumerate(self.stages, 1):
            lines.append(
                f"  stage {i}: {s.num_tasks} tasks over blocks {s.block}, "
                f"{s.task_bytes} bytes each, read amplification {s.read_amplification:.2f}"
            )
        return "\n".join(lines)


def _stage(
    shape: Shape,
    itemsize: int,
    source: Shape,
    target: Shape,
    offset: Shape,
    base: Shape,
    max_mem: int,
) -> StagePlan | None:
    room = (max_mem - overhead_bytes(source, target, itemsize)) // itemsize
    block = grow_block(shape, base, room) if room >= 0 else None
    if block is None:
        return None
    return StagePlan(
        shape=shape,
        source_chunks=source,
        target_chunks=target,
        source_offset=offset,
        block=block,
        num_tasks=_prod(_ceil_div(n, b) for n, b in zip(shape, block, strict=True)),
        task_bytes=task_bytes(block, source, target, itemsize),
        read_amplification=read_amplification(shape, block, source, offset),
    )


def _two_stages(
    shape: Shape, itemsize: int, source: Shape, target: Shape, offset: Shape, max_mem: int
) -> tuple[Shape, StagePlan, StagePlan] | None:
    middle = choose_intermediate(shape, itemsize, source, target, max_mem, offset)
    if middle is None:
        return None
    align = tuple(_align_unit(s, o) for s, o in zip(source, offset, strict=True))
    base1 = tuple(aligned_extent(n, a, v) for n, a, v in zip(shape, align, middle, strict=True))
    base2 = tuple(aligned_extent(n, v, t) for n, v, t in zip(shape, middle, target, strict=True))
    first = _stage(shape, itemsize, source, middle, offset, base1, max_mem)
    second = _stage(shape, itemsize, middle, target, (0,) * len(shape), base2, max_mem)
    # choose_intermediate checked that both stages fit.
    assert first is not None
    assert second is not None
    return middle, first, second


def plan_rechunk(
    shape: Sequence[int],
    itemsize: int,
    source_chunks: Sequence[int],
    target_chunks: Sequence[int],
    max_mem: int,
    *,
    source_offset: Sequence[int] | None = None,
    max_read_amplification: float = 3.0,
    allow_intermediate: bool = True,
) -> RechunkPlan:
    """Plan a copy of a region of ``shape`` onto ``target_chunks`` within ``max_mem``.

    Parameters
    ----------
    shape
        Shape of the copied region (the target array's shape).
    itemsize
        Bytes per element.
    source_chunks, target_chunks
        Storage units (shards, or chunks) of the source and the target.
    max_mem
        Bytes one task may use (see :func:`task_bytes`).
    source_offset
        Where the region starts in the source (zeros: the whole array).
    max_read_amplification
        Average reads per source unit above which an intermediate array is used.
    allow_intermediate
        Permit the two-stage plan.

    Raises
    ------
    MemoryBudgetError
        If not even one source unit and one target unit fit in ``max_mem``.
    GraphError
        If the shapes do not agree.
    """
    shape = _check_shape(shape, "shape", len(tuple(shape)), 0)
    ndim = len(shape)
    source = _check_shape(source_chunks, "source chunks", ndim, 1)
    target = _check_shape(target_chunks, "target chunks", ndim, 1)
    offset = _check_shape(source_offset or (0,) * ndim, "source offset", ndim, 0)
    if itemsize < 1:
        raise GraphError(f"itemsize must be >= 1, got {itemsize}")

    def done(middle: Shape | None, *stages: StagePlan) -> RechunkPlan:
        return RechunkPlan(shape, itemsize, source, target, max_mem, middle, stages)

    align = tuple(_align_unit(s, o) for s, o in zip(source, offset, strict=True))
    base = tuple(aligned_extent(n, a, t) for n, a, t in zip(shape, align, target, strict=True))
    if _prod(shape) == 0:
        empty = StagePlan(shape, source, target, offset, tuple(max(b, 1) for b in base), 0, 0, 1.0)
        return done(None, empty)
    aligned = _stage(shape, itemsize, source, target, offset, base, max_mem)
    if aligned is not None:
        return done(None, aligned)
    direct_base = tuple(min(t, n) for t, n in zip(target, shape, strict=True))
    direct = _stage(shape, itemsize, source, target, offset, direct_base, max_mem)
    if direct is not None and (
        direct.read_amplification <= max_read_amplification or not allow_intermediate
    ):
        return done(None, direct)
    staged = None
    if allow_intermediate:
        staged = _two_stages(shape, itemsize, source, target, offset, max_mem)
    if staged is not None:
        middle, first, second = staged
        return done(middle, first, second)
    if direct is not None:
        return done(None, direct)
    need = task_bytes(direct_base, source, target, itemsize)
    raise MemoryBudgetError(
        f"cannot copy an array of shape {shape} from chunks {source} to {target} within "
        f"{max_mem} bytes per task: one target unit and one source unit need {need}; "
        "raise the memory limit or use smaller chunks or shards",
        projected=need,
        allowed=max_mem,
    )
