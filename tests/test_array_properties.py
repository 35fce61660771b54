"""Hypothesis: Array round trips against NumPy for random shapes, chunks, shards and
selections of every kind, on the direct path and on the graph path (sync scheduler)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import zarrdist
from tests.graphs._helpers import assert_same
from zarrdist.config import config
from zarrdist.stores import MemoryStore

SETTINGS = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
PATHS = {
    "direct": {"direct_max_bytes": 1 << 30},
    "graph-sync": {"direct_max_bytes": 0, "scheduler": "sync", "graph.task_bytes": 1},
}


@st.composite
def layouts(draw: st.DrawFn) -> dict[str, Any]:
    ndim = draw(st.integers(1, 3))
    shape = tuple(draw(st.integers(0, 9)) for _ in range(ndim))
    chunks = tuple(draw(st.integers(1, max(s, 1) + 1)) for s in shape)
    layout: dict[str, Any] = {"shape": shape, "chunks": chunks}
    if draw(st.booleans()):
        layout["shards"] = tuple(c * draw(st.integers(1, 3)) for c in chunks)
        layout["zarr_format"] = 3
    else:
        layout["zarr_format"] = draw(st.sampled_from([2, 3]))
    return layout


def _axis_entry(draw: st.DrawFn, n: int, *, allow_int: bool) -> Any:
    kinds = ["slice", "array", "bool"] + (["int"] if allow_int and n else [])
    kind = draw(st.sampled_from(kinds))
    if kind == "int":
        return draw(st.integers(-n, n - 1))
    if kind == "slice":
        bound = st.none() | st.integers(-n - 2, n + 2)
        return slice(draw(bound), draw(bound), draw(st.sampled_from([None, 1, 2, 3, -1, -2])))
    if kind == "bool":
        return np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)), dtype=bool)
    if n == 0:
        return np.array([], dtype=np.intp)
    picks = draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=n, unique=True))
    signs = draw(st.lists(st.booleans(), min_size=len(picks), max_size=len(picks)))
    return np.array([p - n if neg else p for p, neg in zip(picks, signs, strict=True)])


def _orthogonal_ix(shape: tuple[int, ...], sel: tuple[Any, ...]) -> tuple[Any, tuple[int, ...]]:
    """NumPy indices for an orthogonal selection, and the axes integers drop."""
    arrays, drop = [], []
    for axis, (entry, n) in enumerate(zip(sel, shape, strict=True)):
        if isinstance(entry, int):
            arrays.append(np.array([entry]))
            drop.append(axis)
        elif isinstance(entry, slice):
            arrays.append(np.arange(n)[entry])
        elif entry.dtype == bool:
            arrays.append(np.nonzero(entry)[0])
        else:
            arrays.append(entry)
    return np.ix_(*arrays), tuple(drop)


@st.composite
def cases(draw: st.DrawFn) -> tuple[dict[str, Any], str, Any]:
    """A layout, a selection kind, and a selection valid for it."""
    layout = draw(layouts())
    shape, chunks = layout["shape"], layout["chunks"]
    kind = draw(st.sampled_from(["basic", "orthogonal", "vectorized", "mask", "blocks"]))
    if kind == "basic":
        sel: Any = tuple(
            e
            for n in shape
            for e in [_axis_entry(draw, n, allow_int=True)]
            if isinstance(e, int | slice)
        )
        sel = sel if len(sel) == len(shape) else tuple(slice(None) for _ in shape)
    elif kind == "orthogonal":
        sel = tuple(_axis_entry(draw, n, allow_int=True) for n in shape)
    elif kind == "vectorized":
        if 0 in shape:
            kind, sel = "basic", tuple(slice(None) for _ in shape)
        else:
            size = int(np.prod(shape))
            flat = draw(st.lists(st.integers(0, size - 1), min_size=1, max_size=6, unique=True))
            sel = np.unravel_index(np.array(flat), shape)
    elif kind == "mask":
        size = int(np.prod(shape))
        bits = draw(st.lists(st.booleans(), min_size=size, max_size=size))
        sel = np.array(bits, dtype=bool).reshape(shape)
    else:
        grid = [-(-n // c) for n, c in zip(shape, chunks, strict=True)]
        sel = tuple(
            draw(st.integers(-g, g - 1))
            if g and draw(st.booleans())
            else slice(draw(st.integers(0, g)), draw(st.integers(0, g)))
            for g in grid
        )
    return layout, kind, sel


def _block_region(sel: tuple[Any, ...], shape: Any, chunks: Any) -> tuple[slice, ...]:
    out = []
    for entry, n, c in zip(sel, shape, chunks, strict=True):
        grid = -(-n // c)
        if isinstance(entry, int):
            b = entry % grid
            out.append(slice(b * c, min((b + 1) * c, n)))
        else:
            start, stop, _ = entry.indices(grid)
            out.append(slice(start * c, min(max(stop, start) * c, n)))
    return tuple(out)


def _accessors(z: Any, ref: np.ndarray, kind: str, sel: Any) -> tuple[Any, Any, Callable]:
    """(what zarrdist reads, what NumPy reads, a function writing a value in both)."""
    if kind == "basic":
        return z[sel], ref[sel], lambda v: (z.__setitem__(sel, v), ref.__setitem__(sel, v))
    if kind == "orthogonal":
        ix, drop = _orthogonal_ix(ref.shape, sel)
        expected = ref[ix].squeeze(axis=drop) if drop else ref[ix]
        if len(drop) == ref.ndim:
            expected = expected[()]  # every axis an integer: a scalar, as NumPy gives

        def set_orthogonal(v: Any) -> None:
            z.oindex[sel] = v
            ref[ix] = np.expand_dims(v, drop) if drop and np.ndim(v) else v

        return z.oindex[sel], expected, set_orthogonal
    if kind in ("vectorized", "mask"):
        return (
            z.vindex[sel],
            ref[sel],
            lambda v: (z.vindex.__setitem__(sel, v), ref.__setitem__(sel, v)),
        )
    region = _block_region(sel, ref.shape, z.chunks)
    return (
        z.blocks[sel],
        ref[region],
        lambda v: (z.blocks.__setitem__(sel, v), ref.__setitem__(region, v)),
    )


def _round_trip(case: tuple[dict[str, Any], str, Any], settings_: dict[str, Any]) -> None:
    layout, kind, sel = case
    z = zarrdist.create_array(MemoryStore(), dtype="i4", fill_value=-1, **layout)
    rng = np.random.default_rng(0)
    ref = rng.integers(0, 1000, size=layout["shape"], dtype="i4")
    with config.set(settings_):
        z[...] = ref
        got, expected, write = _accessors(z, ref, kind, sel)
        if isinstance(expected, np.ndarray):
            assert_same(got, expected)
        else:
            assert got == expected
        value = rng.integers(1000, 2000, size=np.shape(expected), dtype="i4")
        write(value)
        assert_same(z[...], ref)
        write(np.int32(7))  # a scalar broadcasts to any selection
        assert_same(z[...], ref)


@pytest.mark.parametrize("path", list(PATHS))
@SETTINGS
@given(case=cases())
def test_round_trips_match_numpy(path: str, case: tuple[dict[str, Any], str, Any]) -> None:
    _round_trip(case, PATHS[path])
