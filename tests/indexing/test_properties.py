"""Property tests: every selection kind, projected onto random chunk grids, reads and
writes exactly what NumPy reads and writes.

Reads compare ``out[p.out_selection] = chunk[p.chunk_selection]`` over all projections
with ``a[sel]``; writes compare ``chunk[p.chunk_selection] = value[p.out_selection]``
with ``a[sel] = value``. Index arrays may repeat indices: NumPy's assignment keeps the
last value for a repeated index, and so do the projections (tested, not skipped).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.indexing._helpers import (
    assemble,
    check_projections,
    orthogonal_oracle,
    orthogonal_write_oracle,
    read_via,
    split,
    write_via,
)
from zarrdist.chunking.indexing import (
    Indexer,
    basic_indexer,
    block_indexer,
    coordinate_indexer,
    fancy_indexer,
    mask_indexer,
    orthogonal_indexer,
    selection_axes,
)
from zarrdist.errors import SelectionError

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def arrays(draw: st.DrawFn, min_ndim: int = 0, max_ndim: int = 3, min_side: int = 0) -> Any:
    ndim = draw(st.integers(min_ndim, max_ndim))
    shape = tuple(draw(st.integers(min_side, 9)) for _ in range(ndim))
    chunks = tuple(draw(st.integers(1, n + 3)) for n in shape)
    return np.arange(math.prod(shape), dtype=np.int64).reshape(shape), chunks


def slices(n: int) -> st.SearchStrategy[slice]:
    bound = st.none() | st.integers(-n - 3, n + 3)
    step = st.none() | st.integers(-9, 9).filter(bool)
    return st.builds(slice, bound, bound, step)


def ints(n: int) -> st.SearchStrategy[int]:
    return st.integers(-n, n - 1)


def int_arrays(n: int, max_size: int = 6) -> st.SearchStrategy[Any]:
    if n == 0:
        return st.just([])
    lists = st.lists(ints(n), max_size=max_size)
    return lists | lists.map(lambda v: np.array(v, dtype=np.int64))


def bool_arrays(n: int) -> st.SearchStrategy[Any]:
    return st.lists(st.booleans(), min_size=n, max_size=n).map(lambda v: np.array(v, bool))


def _finish(draw: st.DrawFn, entries: list[Any], allow_newaxis: bool) -> Any:
    """Replace a run of axes by an Ellipsis or drop trailing axes; add new axes
    sometimes; maybe un-tuple. Every entry keeps indexing the axis it was drawn for."""
    if draw(st.booleans()):
        start = draw(st.integers(0, len(entries)))
        stop = draw(st.integers(start, len(entries)))
        entries[start:stop] = [Ellipsis]
    else:
        entries = entries[: draw(st.integers(0, len(entries)))]
    if allow_newaxis:
        for _ in range(draw(st.integers(0, 2))):
            entries.insert(draw(st.integers(0, len(entries))), None)
    if len(entries) == 1 and draw(st.booleans()):
        return entries[0]
    return tuple(entries)


@st.composite
def basic_selections(draw: st.DrawFn, shape: tuple[int, ...]) -> Any:
    entries = [draw(slices(n) | ints(n)) if n else draw(slices(n)) for n in shape]
    return _finish(draw, entries, allow_newaxis=True)


@st.composite
def orthogonal_selections(draw: st.DrawFn, shape: tuple[int, ...]) -> Any:
    entries = []
    for n in shape:
        options = slices(n) | int_arrays(n) | bool_arrays(n)
        entries.append(draw(options | ints(n) if n else options))
    return _finish(draw, entries, allow_newaxis=False)


def _check_read_write(indexer: Indexer, a: Any, expected: Any, sel_write: Any) -> None:
    """Read equals ``expected``; writing values, then a scalar, matches ``sel_write``."""
    chunks = split(a, indexer.chunk_shape)
    check_projections(indexer, chunks)
    assert indexer.shape == np.shape(expected)
    got = read_via(indexer, chunks, a.dtype)
    assert indexer.is_scalar == isinstance(expected, np.generic)
    assert type(got) is type(expected)
    np.testing.assert_array_equal(got, expected)
    for value in (-1 - np.arange(math.prod(indexer.shape)).reshape(indexer.shape), -7):
        want = a.copy()
        sel_write(want, value)
        write_via(indexer, chunks, value)
        np.testing.assert_array_equal(assemble(chunks, a.shape, indexer.chunk_shape, a.dtype), want)


def _check_region(indexer: Indexer, take: Any) -> None:
    """region is the bounding box of the selected elements' coordinates."""
    grids: Any = np.indices(indexer.array_shape) if indexer.array_shape else []
    for axis, grid in enumerate(grids):
        values = np.asarray(take(grid))
        if values.size:
            assert indexer.region[axis] == slice(int(values.min()), int(values.max()) + 1)


@SETTINGS
@given(st.data())
def test_basic_matches_numpy(data: st.DataObject) -> None:
    a, chunks = data.draw(arrays())
    sel = data.draw(basic_selections(a.shape))
    indexer = basic_indexer(sel, a.shape, chunks)
    assert indexer.kind == "basic"
    _check_read_write(indexer, a, a[sel], lambda w, v: w.__setitem__(sel, v))
    _check_region(indexer, lambda g: g[sel])
    # z[sel] routes basic selections the same way.
    assert fancy_indexer(sel, a.shape, chunks).shape == indexer.shape


@SETTINGS
@given(st.data())
def test_orthogonal_matches_numpy(data: st.DataObject) -> None:
    a, chunks = data.draw(arrays(min_ndim=1))
    sel = data.draw(orthogonal_selections(a.shape))
    indexer = orthogonal_indexer(sel, a.shape, chunks)
    expected = orthogonal_oracle(a, sel if isinstance(sel, tuple) else (sel,))
    tup = sel if isinstance(sel, tuple) else (sel,)
    _check_read_write(indexer, a, expected, lambda w, v: orthogonal_write_oracle(w, tup, v))
    _check_region(indexer, lambda g: orthogonal_oracle(g, tup))


@st.composite
def coordinate_selections(draw: st.DrawFn, shape: tuple[int, ...]) -> Any:
    point_shape = draw(st.sampled_from([(0,), (1,), (4,), (7,), (2, 3), (3, 1)]))
    entries: list[Any] = []
    for n in shape:
        kind = draw(st.sampled_from(["full", "broadcast", "int"]))
        if kind == "int":
            entries.append(draw(ints(n)))
            continue
        axis_shape = point_shape
        if kind == "broadcast":
            axis_shape = tuple(draw(st.sampled_from([1, s])) for s in point_shape)
        values = draw(
            st.lists(ints(n), min_size=math.prod(axis_shape), max_size=math.prod(axis_shape))
        )
        entries.append(np.array(values, dtype=np.int64).reshape(axis_shape))
    if not any(isinstance(e, np.ndarray) for e in entries):
        entries[0] = np.array([entries[0]])
    return tuple(entries)


@SETTINGS
@given(st.data())
def test_coordinate_matches_numpy(data: st.DataObject) -> None:
    a, chunks = data.draw(arrays(min_ndim=1, min_side=1))
    sel = data.draw(coordinate_selections(a.shape))
    indexer = coordinate_indexer(sel, a.shape, chunks)
    assert indexer.kind == "vectorized"
    _check_read_write(indexer, a, a[sel], lambda w, v: w.__setitem__(sel, v))
    _check_region(indexer, lambda g: g[sel])


@SETTINGS
@given(st.data())
def test_mask_matches_numpy(data: st.DataObject) -> None:
    a, chunks = data.draw(arrays(min_ndim=1))
    mask = np.array(data.draw(st.lists(st.booleans(), min_size=a.size, max_size=a.size)), bool)
    mask = mask.reshape(a.shape)
    for indexer in (
        mask_indexer(mask, a.shape, chunks),
        coordinate_indexer(mask, a.shape, chunks),
        fancy_indexer(mask, a.shape, chunks),
    ):
        _check_read_write(indexer, a, a[mask], lambda w, v: w.__setitem__(mask, v))
        _check_region(indexer, lambda g: g[mask])


def _fancy_entry(n: int, point_len: int) -> st.SearchStrategy[Any]:
    options: list[st.SearchStrategy[Any]] = [slices(n)]
    if n:
        options += [
            ints(n),
            st.lists(ints(n), min_size=point_len, max_size=point_len),
            st.lists(ints(n), min_size=2 * point_len, max_size=2 * point_len).map(
                lambda v: np.array(v).reshape(2, -1)
            ),
            st.lists(ints(n), min_size=1, max_size=1),
        ]
    options.append(bool_arrays(n))
    return st.one_of(options)


@st.composite
def fancy_selections(draw: st.DrawFn, shape: tuple[int, ...]) -> Any:
    point_len = draw(st.integers(0, 4))
    entries = [draw(_fancy_entry(n, point_len)) for n in shape]
    if len(shape) >= 2 and draw(st.integers(0, 5)) == 0:
        # A boolean array covering two axes at once.
        k = draw(st.integers(0, len(shape) - 2))
        block = draw(
            st.lists(
                st.booleans(), min_size=shape[k] * shape[k + 1], max_size=shape[k] * shape[k + 1]
            )
        )
        entries[k : k + 2] = [np.array(block, bool).reshape(shape[k], shape[k + 1])]
    return _finish(draw, entries, allow_newaxis=False)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_fancy_matches_numpy_including_errors(data: st.DataObject) -> None:
    a, chunks = data.draw(arrays())
    sel = data.draw(fancy_selections(a.shape))
    try:
        expected = a[sel]
    except IndexError:
        with pytest.raises(SelectionError):
            fancy_indexer(sel, a.shape, chunks)
        return
    indexer = fancy_indexer(sel, a.shape, chunks)
    _check_read_write(indexer, a, expected, lambda w, v: w.__setitem__(sel, v))
    _check_region(indexer, lambda g: g[sel])


@st.composite
def block_selections(draw: st.DrawFn, shape: tuple[int, ...], chunks: tuple[int, ...]) -> Any:
    entries: list[Any] = []
    for n, c in zip(shape, chunks, strict=True):
        nb = -(-n // c)
        bound = st.none() | st.integers(-nb - 2, nb + 2)
        step = st.sampled_from([None, 1])
        options = st.builds(slice, bound, bound, step)
        entries.append(draw(options | st.integers(-nb, nb - 1) if nb else options))
    return _finish(draw, entries, allow_newaxis=False)


def _block_region(sel: Any, shape: tuple[int, ...], chunks: tuple[int, ...]) -> tuple[slice, ...]:
    """The region a block selection covers, written out from the definition."""
    entries = list(sel) if isinstance(sel, tuple) else [sel]
    if any(e is Ellipsis for e in entries):
        at = next(i for i, e in enumerate(entries) if e is Ellipsis)
        entries[at : at + 1] = [slice(None)] * (len(shape) - len(entries) + 1)
    entries += [slice(None)] * (len(shape) - len(entries))
    region = []
    for e, n, c in zip(entries, shape, chunks, strict=True):
        nb = -(-n // c)
        if isinstance(e, int):
            e = slice(e % nb, e % nb + 1)
        start, stop, _ = e.indices(nb)
        region.append(slice(start * c, max(start, stop) * c))
    return tuple(region)


@SETTINGS
@given(st.data())
def test_blocks_cover_whole_chunks(data: st.DataObject) -> None:
    a, chunks = data.draw(arrays())
    sel = data.draw(block_selections(a.shape, chunks))
    indexer = block_indexer(sel, a.shape, chunks)
    region = _block_region(sel, a.shape, chunks)
    expected = a[(*region, Ellipsis)]  # blocks always give an array, even of a 0-d array
    _check_read_write(indexer, a, expected, lambda w, v: w.__setitem__(region, v))
    assert all(p.is_complete_chunk for p in indexer)


@SETTINGS
@given(st.data())
def test_chunk_selection_reprojects_onto_inner_chunks(data: st.DataObject) -> None:
    """Sharding: a projection's chunk selection, projected again onto a finer grid
    inside that chunk, selects the same values (fancy_indexer for every kind;
    orthogonal_indexer on selection_axes for basic and orthogonal)."""
    a, chunks = data.draw(arrays(min_ndim=1, min_side=1))
    kind = data.draw(st.sampled_from(["basic", "orthogonal", "fancy"]))
    make = {"basic": basic_selections, "orthogonal": orthogonal_selections}
    sel = data.draw(make.get(kind, fancy_selections)(a.shape))
    builder = {"basic": basic_indexer, "orthogonal": orthogonal_indexer}.get(kind, fancy_indexer)
    try:
        outer = builder(sel, a.shape, chunks)
    except SelectionError:
        return
    outer_chunks = split(a, chunks)
    for p in outer:
        shard = outer_chunks[p.chunk_coords]
        inner_shape = tuple(data.draw(st.integers(1, max(1, n))) for n in shard.shape)
        expected = shard[(*p.chunk_selection, Ellipsis)]
        inner = fancy_indexer(p.chunk_selection, shard.shape, inner_shape)
        got = read_via(inner, split(shard, inner_shape), shard.dtype)
        np.testing.assert_array_equal(np.asarray(got), expected)
        if outer.kind in ("basic", "orthogonal"):
            axes = selection_axes(p.chunk_selection)
            inner = orthogonal_indexer(axes, shard.shape, inner_shape)
            got = read_via(inner, split(shard, inner_shape), shard.dtype)
            np.testing.assert_array_equal(np.asarray(got), expected)
