"""The rechunk planner against brute force, and a simulation of its plans on NumPy."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zarrdist.chunking.rechunk import (
    READ_COPIES,
    WRITE_COPIES,
    RechunkPlan,
    aligned_extent,
    axis_block_candidates,
    choose_intermediate,
    grow_block,
    intermediate_candidates,
    overhead_bytes,
    plan_rechunk,
    read_amplification,
    task_bytes,
)
from zarrdist.errors import GraphError, MemoryBudgetError


def _ceil(a: int, b: int) -> int:
    return -(-a // b)


# -- strategies ------------------------------------------------------------------------


@st.composite
def _case(draw: Any, max_ndim: int = 3, max_extent: int = 24) -> dict[str, Any]:
    ndim = draw(st.integers(1, max_ndim))
    shape = tuple(draw(st.integers(1, max_extent)) for _ in range(ndim))
    source = tuple(draw(st.integers(1, max_extent)) for _ in range(ndim))
    target = tuple(draw(st.integers(1, max_extent)) for _ in range(ndim))
    itemsize = draw(st.sampled_from([1, 2, 4, 8]))
    max_mem = draw(st.integers(1, 4 * math.prod(shape) * itemsize + 200 * itemsize))
    return {
        "shape": shape,
        "source": source,
        "target": target,
        "itemsize": itemsize,
        "max_mem": max_mem,
    }


# -- grow_block --------------------------------------------------------------------------


def _brute_grow(shape: Sequence[int], base: Sequence[int], cap: int) -> tuple[int, ...] | None:
    base = [min(b, n) for b, n in zip(base, shape, strict=True)]
    best = None
    ranges = [range(1, _ceil(n, b) + 1) for n, b in zip(shape, base, strict=True)]
    for multiples in itertools.product(*ranges):
        block = tuple(min(m * b, n) for m, b, n in zip(multiples, base, shape, strict=True))
        if math.prod(block) > cap:
            continue
        tasks = math.prod(_ceil(n, e) for n, e in zip(shape, block, strict=True))
        key = (tasks, math.prod(block), block)
        if best is None or key < best:
            best = key
    return None if best is None else best[2]


@settings(max_examples=300, deadline=None)
@given(
    data=st.data(),
    ndim=st.integers(1, 3),
)
def test_grow_block_matches_brute_force(data: Any, ndim: int) -> None:
    shape = tuple(data.draw(st.integers(1, 30)) for _ in range(ndim))
    base = tuple(data.draw(st.integers(1, 12)) for _ in range(ndim))
    cap = data.draw(st.integers(1, math.prod(shape) + 5))
    assert grow_block(shape, base, cap) == _brute_grow(shape, base, cap)


@given(extent=st.integers(1, 500), base=st.integers(1, 60))
def test_axis_candidates_are_the_smallest_per_count(extent: int, base: int) -> None:
    got = axis_block_candidates(extent, base)
    expected: dict[int, int] = {}
    for m in range(1, _ceil(extent, base) + 1):
        count = _ceil(extent, m * base)
        expected.setdefault(count, min(m * base, extent))
    assert got == sorted(((e, c) for c, e in expected.items()), key=lambda x: x[0])


# -- choose_intermediate -----------------------------------------------------------------


def _stage_memory(
    shape: Sequence[int],
    source: Sequence[int],
    middle: Sequence[int],
    target: Sequence[int],
    itemsize: int,
) -> tuple[int, int]:
    e1 = [aligned_extent(n, s, v) for n, s, v in zip(shape, source, middle, strict=True)]
    e2 = [aligned_extent(n, v, t) for n, v, t in zip(shape, middle, target, strict=True)]
    return (task_bytes(e1, source, middle, itemsize), task_bytes(e2, middle, target, itemsize))


def _brute_intermediate(case: dict[str, Any], values: Sequence[Sequence[int]]) -> Any:
    best = None
    for middle in itertools.product(*values):
        m1, m2 = _stage_memory(
            case["shape"], case["source"], middle, case["target"], case["itemsize"]
        )
        if max(m1, m2) > case["max_mem"]:
            continue
        key = (-math.prod(middle), max(m1, m2) // case["itemsize"], middle)
        if best is None or key < best:
            best = key
    return best


@settings(max_examples=300, deadline=None)
@given(case=_case())
def test_choose_intermediate_matches_brute_force(case: dict[str, Any]) -> None:
    shape, source, target = case["shape"], case["source"], case["target"]
    values = [
        intermediate_candidates(n, s, t) for n, s, t in zip(shape, source, target, strict=True)
    ]
    best = _brute_intermediate(case, values)
    got = choose_intermediate(shape, case["itemsize"], source, target, case["max_mem"])
    assert got == (None if best is None else best[2])


@settings(max_examples=150, deadline=None)
@given(case=_case(max_ndim=2, max_extent=14))
def test_intermediate_exists_whenever_any_integer_chunking_fits(case: dict[str, Any]) -> None:
    """Divisors of lcm(source, target) lose no feasibility against every integer shape."""
    shape = case["shape"]
    every = [range(1, n + 1) for n in shape]
    brute = _brute_intermediate(case, every)
    got = choose_intermediate(
        shape, case["itemsize"], case["source"], case["target"], case["max_mem"]
    )
    assert (got is None) == (brute is None)


# -- plan_rechunk ------------------------------------------------------------------------


def _aligned_block_fits(case: dict[str, Any]) -> bool:
    """Brute force: is there any block of whole target units, aligned to source units, that
    fits in max_mem?"""
    shape, source, target = case["shape"], case["source"], case["target"]
    options = []
    for n, s, t in zip(shape, source, target, strict=True):
        ext = [min(m * t, n) for m in range(1, _ceil(n, t) + 1)]
        options.append([e for e in ext if e % s == 0 or e == n])
    fixed = overhead_bytes(source, target, case["itemsize"])
    return any(
        fixed + case["itemsize"] * math.prod(block) <= case["max_mem"]
        for block in itertools.product(*options)
    )


def _plan(case: dict[str, Any]) -> RechunkPlan | None:
    try:
        return plan_rechunk(
            case["shape"], case["itemsize"], case["source"], case["target"], case["max_mem"]
        )
    except MemoryBudgetError:
        return None


@settings(max_examples=300, deadline=None)
@given(case=_case())
def test_plan_invariants(case: dict[str, Any]) -> None:
    plan = _plan(case)
    shape, target, itemsize = case["shape"], case["target"], case["itemsize"]
    smallest = task_bytes(
        [min(t, n) for t, n in zip(target, shape, strict=True)], case["source"], target, itemsize
    )
    if plan is None:
        assert smallest > case["max_mem"]
        return
    assert len(plan.stages) in (1, 2)
    assert (plan.intermediate_chunks is None) == (len(plan.stages) == 1)
    assert plan.stages[-1].target_chunks == target
    assert plan.stages[0].source_chunks == case["source"]
    for stage in plan.stages:
        assert stage.task_bytes <= case["max_mem"]
        for b, t, n in zip(stage.block, stage.target_chunks, shape, strict=True):
            assert b % t == 0 or b == n  # whole target units: one writer per key
    # One aligned stage exactly when some aligned block fits (brute force).
    aligned = len(plan.stages) == 1 and plan.stages[0].read_amplification == 1.0
    if _aligned_block_fits(case):
        assert aligned
    if len(plan.stages) == 2:
        assert all(s.read_amplification == 1.0 for s in plan.stages)


def _simulate(plan: RechunkPlan, source_data: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Run the plan over dicts of units, counting reads and asserting one write per unit."""
    current: dict[tuple[int, ...], np.ndarray[Any, Any]] = {}
    chunks = plan.source_chunks
    for index in np.ndindex(*[_ceil(n, c) for n, c in zip(plan.shape, chunks, strict=True)]):
        region = tuple(slice(i * c, (i + 1) * c) for i, c in zip(index, chunks, strict=True))
        current[index] = source_data[region]
    for stage in plan.stages:
        written: dict[tuple[int, ...], np.ndarray[Any, Any]] = {}
        reads = 0
        for _, region in stage.blocks():
            buf = np.empty([r.stop - r.start for r in region], source_data.dtype)
            touched = [
                range(r.start // c, (r.stop - 1) // c + 1)
                for r, c in zip(region, stage.source_chunks, strict=True)
            ]
            for unit in itertools.product(*touched):
                reads += 1
                data = current[unit]
                lo = [u * c for u, c in zip(unit, stage.source_chunks, strict=True)]
                src = tuple(
                    slice(max(r.start - a, 0), min(r.stop - a, d))
                    for r, a, d in zip(region, lo, data.shape, strict=True)
                )
                dst = tuple(
                    slice(a + s.start - r.start, a + s.stop - r.start)
                    for r, a, s in zip(region, lo, src, strict=True)
                )
                buf[dst] = data[src]
            units = [
                range(r.start // c, _ceil(r.stop, c))
                for r, c in zip(region, stage.target_chunks, strict=True)
            ]
            for unit in itertools.product(*units):
                assert unit not in written, f"unit {unit} written twice"
                lo = [u * c for u, c in zip(unit, stage.target_chunks, strict=True)]
                sel = tuple(
                    slice(a - r.start, min(a + c, r.stop) - r.start)
                    for a, c, r in zip(lo, stage.target_chunks, region, strict=True)
                )
                # A unit must lie wholly inside its block (clipped to the array).
                for a, c, r, n in zip(lo, stage.target_chunks, region, plan.shape, strict=True):
                    assert a >= r.start
                    assert min(a + c, n) <= r.stop
                written[unit] = buf[sel].copy()
        distinct = len(current)
        assert math.isclose(reads / distinct, stage.read_amplification)
        current = written
    out = np.empty_like(source_data)
    for unit, data in current.items():
        lo = [u * c for u, c in zip(unit, plan.target_chunks, strict=True)]
        out[tuple(slice(a, a + s) for a, s in zip(lo, data.shape, strict=True))] = data
    return out


@settings(max_examples=200, deadline=None)
@given(case=_case(max_ndim=3, max_extent=12))
def test_simulated_plan_reproduces_the_array(case: dict[str, Any]) -> None:
    plan = _plan(case)
    if plan is None:
        return
    data = np.arange(math.prod(case["shape"])).reshape(case["shape"])
    np.testing.assert_array_equal(_simulate(plan, data), data)


def test_time_to_space_uses_an_intermediate() -> None:
    plan = plan_rechunk((365, 100, 100), 4, (1, 100, 100), (365, 10, 10), 1 << 20)
    assert plan.intermediate_chunks == (5, 20, 20)
    assert [s.num_tasks for s in plan.stages] == [19, 25]
    assert plan.max_task_bytes <= 1 << 20
    assert "via intermediate chunks (5, 20, 20)" in str(plan)


def test_enough_memory_gives_one_aligned_stage() -> None:
    plan = plan_rechunk((100, 100), 8, (10, 100), (100, 10), 1 << 20)
    assert plan.intermediate_chunks is None
    (stage,) = plan.stages
    assert stage.read_amplification == 1.0
    assert stage.block == (100, 100)


def test_small_amplification_stays_one_stage() -> None:
    # lcm(30, 20) = 60 does not fit; blocks of 20 read at most two source units.
    plan = plan_rechunk((600,), 8, (30,), (20,), task_bytes((40,), (30,), (20,), 8))
    (stage,) = plan.stages
    assert stage.block == (40,)
    assert 1.0 < stage.read_amplification <= 2.0


def test_offset_source_is_planned_with_exact_amplification() -> None:
    plan = plan_rechunk((50,), 8, (10,), (10,), 1 << 20, source_offset=(5,))
    assert plan.stages[0].source_offset == (5,)
    assert read_amplification((50,), (10,), (10,), (5,)) == 10 / 6


def test_empty_and_zero_dimensional() -> None:
    empty = plan_rechunk((0, 5), 4, (2, 2), (3, 3), 1000)
    assert empty.num_tasks == 0
    assert list(empty.stages[0].blocks()) == []
    scalar = plan_rechunk((), 8, (), (), 1000)
    assert scalar.num_tasks == 1
    assert list(scalar.stages[0].blocks()) == [((), ())]


def test_impossible_budget_names_the_shapes() -> None:
    with pytest.raises(MemoryBudgetError, match=r"chunks \(10, 10\) to \(5, 5\)") as info:
        plan_rechunk((100, 100), 8, (10, 10), (5, 5), 100)
    assert info.value.allowed == 100
    assert info.value.projected == 8 * (25 + READ_COPIES * 100 + WRITE_COPIES * 25)


def test_bad_inputs() -> None:
    with pytest.raises(GraphError, match="target chunks"):
        plan_rechunk((10, 10), 8, (5, 5), (5,), 1000)
    with pytest.raises(GraphError, match="source chunks"):
        plan_rechunk((10,), 8, (0,), (5,), 1000)
