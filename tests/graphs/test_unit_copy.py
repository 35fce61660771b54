"""Writing an unchanged ``to_dask()`` of one array over all of another copies unit to unit.

``dest[...] = src`` and ``from_dask(src.to_dask())`` run :func:`unit_copy_graph`:
a few tasks, each reading a block of source units and writing whole target units,
instead of one read and one write task per block. Anything else (a dask array
computed from the source, a region of the target, another dtype) keeps the dask
path. Both must give the same values and bytes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dask.array as da
import numpy as np
import pytest
import zarr

import zarrdist
from tests.graphs._helpers import (
    ENGINES,
    LAYOUTS,
    SHAPE,
    Engine,
    RaisingStore,
    assert_graph_ok,
    assert_same,
    sample,
    snapshot,
)
from zarrdist.chunkio.units import ArrayHandle
from zarrdist.config import config
from zarrdist.graphs.read import source_handle, to_dask
from zarrdist.graphs.write import unit_copy_graph, write_dask_graph
from zarrdist.stores import LocalStore, MemoryStore

FULL = tuple(slice(0, n) for n in SHAPE)


def _source(store: Any, layout: str = "v3") -> tuple[zarrdist.Array, np.ndarray]:
    """An array with values in most units and two units never written (fill values)."""
    z = zarrdist.create_array(store, shape=SHAPE, dtype="i4", fill_value=-1, **LAYOUTS[layout])
    a = sample("i4", SHAPE, 1)
    a[:3, :2] = -1
    a[9:, 4:] = -1
    z[...] = a
    return z, a


def test_source_handle_sees_only_unchanged_reads() -> None:
    z, _ = _source(MemoryStore())
    x = z.to_dask()
    assert source_handle(x) == z._handle
    assert source_handle(z.to_dask(chunks=(5, 5))) == z._handle
    assert source_handle(x + 1) is None
    assert source_handle(x[1:]) is None
    assert source_handle(x.astype("f8")) is None
    assert source_handle(da.ones(SHAPE)) is None


@pytest.mark.parametrize("engine", ENGINES, indirect=True)
@pytest.mark.parametrize("target", list(LAYOUTS))
def test_array_assigned_to_array_is_a_unit_copy(engine: Engine, target: str) -> None:
    src, a = _source(engine.store("src"))
    kwargs = dict(LAYOUTS[target])
    kwargs["chunks"] = (4, 3)  # a grid unlike the source's (3, 2)
    if "shards" in kwargs:
        kwargs["shards"] = (8, 6)
    dst = zarrdist.create_array(
        engine.store("dst"), shape=SHAPE, dtype="i4", fill_value=-1, **kwargs
    )
    dst[...] = np.full(SHAPE, 7, "i4")  # stale values everywhere, also where src is fill
    dst.attrs["kept"] = True
    graph = unit_copy_graph(dst._handle, FULL, src.to_dask())
    assert graph is not None
    assert graph.op == "copy"
    assert graph.num_tasks < src.nchunks  # blocks of units, not one task per chunk
    dst[...] = src
    assert_same(dst[...], a)
    # The target's own metadata (attributes too) is not rewritten by the copy.
    assert dict(dst.attrs) == {"kept": True}
    assert zarrdist.open_array(dst.store, mode="r").attrs["kept"] is True
    # Bytes equal a write of the same values through NumPy: all-fill units are gone.
    ref = zarrdist.create_array(MemoryStore(), shape=SHAPE, dtype="i4", fill_value=-1, **kwargs)
    ref[...] = a
    assert _chunks(dst.store) == _chunks(ref.store)


def _chunks(store: Any) -> dict[str, bytes]:
    return {
        k: v
        for k, v in snapshot(store).items()
        if not k.endswith(("zarr.json", ".zarray", ".zattrs"))
    }


def test_from_dask_of_to_dask_matches_zarr_python(tmp_path: Path) -> None:
    src, a = _source(LocalStore(tmp_path / "src"), "v3-sharded")
    z = zarrdist.from_dask(src.to_dask(), LocalStore(tmp_path / "dst"), chunks=(2, 3))
    assert_same(z[...], a)
    peer = zarr.open_array(str(tmp_path / "dst"), mode="r")
    assert_same(np.asarray(peer[...]), a)


def test_unit_copy_graph_builds_without_io() -> None:
    src, _ = _source(MemoryStore())
    dst = zarrdist.create_array(MemoryStore(), shape=SHAPE, dtype="i4", chunks=(4, 4))
    raising_src = ArrayHandle(RaisingStore(src.store), src.path, src.metadata)
    raising_dst = ArrayHandle(RaisingStore(dst.store), dst.path, dst.metadata)
    darr = to_dask(raising_src)

    def build() -> Any:
        return unit_copy_graph(raising_dst, FULL, darr)

    assert_graph_ok(build(), build)


@pytest.mark.parametrize(
    "case",
    ["computed", "sliced", "region", "dtype", "budget"],
)
def test_other_writes_keep_the_dask_path(case: str) -> None:
    src, a = _source(MemoryStore())
    dst = zarrdist.create_array(
        MemoryStore(), shape=SHAPE, dtype="f8" if case == "dtype" else "i4", chunks=(4, 3)
    )
    value: Any = src.to_dask()
    region = FULL
    expected = a.astype(dst.dtype)
    settings: dict[str, Any] = {}
    if case == "computed":
        value = value * 2
        expected = a * 2
    elif case == "sliced":
        value = da.concatenate([value[5:], value[:5]])
        expected = np.concatenate([a[5:], a[:5]])
    elif case == "region":
        value = value[:5]
        region = (slice(3, 8), slice(0, SHAPE[1]))
        expected = np.zeros(SHAPE, "i4")
        expected[3:8] = a[:5]
    elif case == "budget":
        # No single-stage plan fits: the copy would need an intermediate array.
        settings = {"graph.max_task_bytes": 100, "graph.task_bytes": 100}
    with config.set(settings):
        assert unit_copy_graph(dst._handle, region, value) is None
        if case == "budget":
            return  # the dask path itself refuses a task over the budget; tested elsewhere
        dst[tuple(region)] = value
    assert_same(dst[...], expected)
    assert write_dask_graph(dst._handle, region, value).op == "write"
