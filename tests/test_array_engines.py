"""The Array suite, run three ways: inline (sync), local threads, and a real cluster.

Every test forces the graph path (``direct_max_bytes=0``) and compares the array
with a NumPy mirror after every operation, over v2, v3 and sharded v3 layouts
whose shape is a multiple of neither the chunks nor the shards, for several dtypes.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import zarrdist
from tests.graphs._helpers import (
    ENGINES,
    LAYOUTS,
    SHAPE,
    Engine,
    assert_same,
    engine_context,
    fill_like,
    sample,
    shared_cluster,
    snapshot,
)
from zarrdist.errors import SelectionError

DTYPES = ("i2", "f8", str)


@pytest.fixture(scope="session")
def cluster() -> Iterator[Any]:
    with shared_cluster() as client:
        yield client


@pytest.fixture
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    name = getattr(request, "param", "threads")
    with engine_context(name, tmp_path, lambda: request.getfixturevalue("cluster")) as e:
        yield e


def _id(value: Any) -> str:
    return value.__name__ if isinstance(value, type) else str(value)


# Every engine x layout x dtype, except int16 on the cluster (slow there, and int
# codecs are covered by float64 and by int16 on the two local engines).
SUITE = pytest.mark.parametrize(
    ("engine", "layout", "dtype"),
    [
        (e, layout, d)
        for e in ENGINES
        for layout in LAYOUTS
        for d in DTYPES
        if not (e == "distributed" and d == "i2")
    ],
    indirect=["engine"],
    ids=lambda v: _id(v),
)


def _make(engine: Engine, layout: str, dtype: Any) -> tuple[zarrdist.Array, np.ndarray]:
    z = zarrdist.create_array(engine.store(), shape=SHAPE, dtype=dtype, **LAYOUTS[layout])
    return z, fill_like(z)


def _check(z: zarrdist.Array, ref: np.ndarray) -> None:
    assert_same(z[...], ref)


@SUITE
def test_basic(engine: Engine, layout: str, dtype: Any) -> None:
    z, ref = _make(engine, layout, dtype)
    _check(z, ref)  # nothing written yet: all fill value
    a = sample(z.dtype, SHAPE, 1)
    z[:] = a
    ref[:] = a
    _check(z, ref)
    assert_same(z.to_numpy(), ref)
    assert_same(np.asarray(z), ref)
    b = sample(z.dtype, (7, 5), 2)
    z[2:9, 1:6] = b  # every unit it touches is partial: read-modify-write
    ref[2:9, 1:6] = b
    _check(z, ref)
    c = sample(z.dtype, (11,), 3)
    z[::-1, 1] = c  # negative step
    ref[::-1, 1] = c
    _check(z, ref)
    z.set_basic_selection((slice(0, 4), slice(None, None, 3)), sample(z.dtype, (4, 3), 4))
    ref[0:4, ::3] = sample(z.dtype, (4, 3), 4)
    for sel in [
        (slice(1, 10, 3), slice(None, None, -2)),
        (-1,),
        (3, 4),
        (slice(None), 5),
        (slice(5, 5),),
        (Ellipsis, 2),
        (np.newaxis, slice(2, 4)),
    ]:
        assert_same(z[sel], ref[sel])
    assert_same(z.get_basic_selection((slice(2, 10), 3)), ref[2:10, 3])
    # Into an ``out`` of the selection's shape and dtype: read straight into it,
    # whatever its memory order.
    for sel in [(slice(None),), (slice(2, 10), slice(1, 6)), (slice(None, None, -2), 3)]:
        for order in ("C", "F"):
            out = np.empty(ref[sel].shape, z.dtype, order=order)
            assert z.get_basic_selection(sel, out=out) is out
            assert_same(out, ref[sel])


@SUITE
def test_orthogonal(engine: Engine, layout: str, dtype: Any) -> None:
    z, ref = _make(engine, layout, dtype)
    z[:] = ref[:] = sample(z.dtype, SHAPE, 1)
    rows, cols = [10, 0, 4], [6, 1]
    assert_same(z.oindex[rows, cols], ref[np.ix_(rows, cols)])
    mask = np.array([True, False, True, True, False, False, True])
    assert_same(z.oindex[2:9, mask], ref[2:9][:, mask])
    assert_same(z.oindex[3, [0, 6, 2]], ref[3, [0, 6, 2]])
    v = sample(z.dtype, (3, 2), 5)
    z.oindex[rows, cols] = v
    ref[np.ix_(rows, cols)] = v
    _check(z, ref)
    w = sample(z.dtype, (11, 4), 6)
    z.set_orthogonal_selection((slice(None), mask), w)
    ref[:, mask] = w
    _check(z, ref)
    assert_same(z.get_orthogonal_selection(([1, 2], slice(None))), ref[[1, 2]])


@SUITE
def test_vectorized(engine: Engine, layout: str, dtype: Any) -> None:
    z, ref = _make(engine, layout, dtype)
    z[:] = ref[:] = sample(z.dtype, SHAPE, 1)
    rows, cols = np.array([0, 10, 5, 3, 7]), np.array([6, 0, 2, 2, 3])
    assert_same(z.vindex[rows, cols], ref[rows, cols])
    assert_same(z.get_coordinate_selection((rows[:2], cols[:2])), ref[rows[:2], cols[:2]])
    v = sample(z.dtype, (5,), 7)
    z.vindex[rows, cols] = v
    ref[rows, cols] = v
    _check(z, ref)
    z.set_coordinate_selection(([1, 9], [1, 5]), sample(z.dtype, (2,), 8))
    ref[[1, 9], [1, 5]] = sample(z.dtype, (2,), 8)
    _check(z, ref)
    # NumPy fancy indexing through __getitem__ / __setitem__
    assert_same(z[[4, 1, 9]], ref[[4, 1, 9]])
    z[[4, 1]] = sample(z.dtype, (2, 7), 9)
    ref[[4, 1]] = sample(z.dtype, (2, 7), 9)
    _check(z, ref)


@SUITE
def test_mask(engine: Engine, layout: str, dtype: Any) -> None:
    z, ref = _make(engine, layout, dtype)
    z[:] = ref[:] = sample(z.dtype, SHAPE, 1)
    mask = np.random.default_rng(0).random(SHAPE) > 0.6
    assert_same(z.vindex[mask], ref[mask])
    assert_same(z.get_mask_selection(mask), ref[mask])
    v = sample(z.dtype, (int(mask.sum()),), 10)
    z.vindex[mask] = v
    ref[mask] = v
    _check(z, ref)
    z.set_mask_selection(~mask, sample(z.dtype, (int((~mask).sum()),), 11))
    ref[~mask] = sample(z.dtype, (int((~mask).sum()),), 11)
    _check(z, ref)
    rows = np.zeros(11, dtype=bool)
    rows[[0, 5, 10]] = True
    assert_same(z[rows], ref[rows])  # a 1-d boolean index on a 2-d array, as NumPy


@SUITE
def test_blocks(engine: Engine, layout: str, dtype: Any) -> None:
    z, ref = _make(engine, layout, dtype)
    z[:] = ref[:] = sample(z.dtype, SHAPE, 1)
    # Blocks address chunks (3, 2) even when the array is sharded.
    assert_same(z.blocks[1, 2], ref[3:6, 4:6])
    assert_same(z.blocks[3, 3], ref[9:11, 6:7])  # the edge block is clipped
    assert_same(z.blocks[1:3, :], ref[3:9])
    assert_same(z.get_block_selection((slice(None), -1)), ref[:, 6:7])
    z.blocks[0:2, 1:3] = sample(z.dtype, (6, 4), 12)
    ref[0:6, 2:6] = sample(z.dtype, (6, 4), 12)
    _check(z, ref)
    z.set_block_selection((3, 0), sample(z.dtype, (2, 2), 13))
    ref[9:11, 0:2] = sample(z.dtype, (2, 2), 13)
    _check(z, ref)


@SUITE
def test_broadcast(engine: Engine, layout: str, dtype: Any) -> None:
    z, ref = _make(engine, layout, dtype)
    scalar = sample(z.dtype, (1,), 1)[0]
    z[:] = scalar
    ref[:] = scalar
    _check(z, ref)
    column = sample(z.dtype, (11, 1), 2)
    z[:, 2:4] = column
    ref[:, 2:4] = column
    row = sample(z.dtype, (7,), 3)
    z[3:7] = row
    ref[3:7] = row
    z[1] = row[:1]  # a length-1 value broadcasts along the row
    ref[1] = row[:1]
    _check(z, ref)
    before = snapshot(z.store)
    with pytest.raises(SelectionError, match=r"could not broadcast .*\(3,\).*\(11, 7\)"):
        z[:] = sample(z.dtype, (3,), 4)
    with pytest.raises(SelectionError):
        z.oindex[[0, 1], :] = sample(z.dtype, (3, 7), 5)
    with pytest.raises(SelectionError):
        z.vindex[[0, 1], [0, 1]] = sample(z.dtype, (3,), 6)
    assert snapshot(z.store) == before  # refused before any byte was written
    _check(z, ref)


@pytest.mark.parametrize("engine", ENGINES, indirect=True)
@pytest.mark.parametrize("dtype", ["<U3", "S4", "c8", "b1", "M8[s]", "u8"])
def test_more_dtypes(engine: Engine, dtype: str) -> None:
    layout = "v3-sharded" if engine.name == "distributed" else "v2"
    z, ref = _make(engine, layout, dtype)
    a = sample(z.dtype, SHAPE, 1)
    z[1:10, 2:7] = a[1:10, 2:7]
    ref[1:10, 2:7] = a[1:10, 2:7]
    _check(z, ref)
    assert_same(z.oindex[[0, 10], [6, 2]], ref[np.ix_([0, 10], [6, 2])])


@pytest.mark.parametrize("engine", ["distributed"], indirect=True)
@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_cluster_runs_the_graphs(engine: Engine, layout: str) -> None:
    """On the distributed engine the tasks run in the worker processes, not here."""
    assert engine.client is not None
    from distributed import get_task_stream

    z, ref = _make(engine, layout, "f8")
    with get_task_stream(engine.client) as stream:
        z[:] = ref[:] = sample(z.dtype, SHAPE, 1)
        _check(z, ref)
    names = {t["key"][0] if isinstance(t["key"], tuple) else t["key"] for t in stream.data}
    assert any(n.startswith("zarrdist-write-") for n in names)
    assert any(n.startswith("zarrdist-read-") for n in names)
    workers = {t["worker"] for t in stream.data}
    assert workers <= set(engine.client.scheduler_info()["workers"])
