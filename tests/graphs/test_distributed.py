"""Dask arrays whose blocks match neither chunks nor shards, written from two worker
processes, leave exactly the bytes zarr-python 3.1.5 writes, and it reads them back."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import dask.array as da
import numpy as np
import pytest
import zarr
from distributed import get_task_stream

import zarrdist
from tests.graphs._helpers import LAYOUTS, SHAPE, assert_same, sample
from zarrdist.config import config
from zarrdist.stores import LocalStore


def _files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.name.startswith(".z") and p.name != "zarr.json"
    }


def _zarr_python_bytes(root: Path, data: np.ndarray, tmp_path: Path) -> dict[str, bytes]:
    """zarr-python 3.1.5 writing ``data`` into an array with the same metadata document."""
    peer_root = tmp_path / "peer.zarr"
    peer_root.mkdir()
    for name in ("zarr.json", ".zarray", ".zattrs"):
        if (root / name).exists():
            shutil.copy(root / name, peer_root / name)
    peer = zarr.open_array(str(peer_root), mode="r+")
    peer[...] = data
    return _files(peer_root)


@pytest.mark.parametrize("layout", list(LAYOUTS))
@pytest.mark.parametrize("dtype", ["f8", "str"])
def test_unaligned_dask_writes_from_two_workers(
    cluster: Any, tmp_path: Path, layout: str, dtype: str
) -> None:
    np_dtype = np.dtypes.StringDType() if dtype == "str" else np.dtype(dtype)
    a = sample(np_dtype, SHAPE, 1)
    root = tmp_path / "a.zarr"
    with (
        cluster.as_current(),
        config.set({"numpy_on_cluster": True}),
        get_task_stream(cluster) as stream,
    ):
        darr = da.from_array(a, chunks=(4, 5))  # aligned with neither (3, 2) nor (6, 4)
        z = zarrdist.from_dask(darr, LocalStore(root), dtype=np_dtype, **LAYOUTS[layout])
        b = sample(np_dtype, (9, 5), 2)
        z[2:11, 1:6] = da.from_array(b, chunks=(5, 2))  # partial units at every edge
        rows = sample(np_dtype, (4, 7), 3)
        z.append(da.from_array(rows, chunks=(3, 3)))
        with config.set({"direct_max_bytes": 0}):
            got = z[...]
        lazy = z.to_dask().compute()
    expected = a.copy()
    expected[2:11, 1:6] = b
    expected = np.concatenate([expected, rows])
    assert_same(got, expected)
    assert_same(lazy, expected)
    assert_same(np.asarray(zarr.open_array(str(root), mode="r")[...]), expected)
    writers = {t["worker"] for t in stream.data if str(t["key"]).find("zarrdist-write-") >= 0}
    assert len(writers) == 2  # both worker processes wrote
    # Byte for byte what zarr-python writes for the same array and data.
    assert _files(root) == _zarr_python_bytes(root, expected, tmp_path)


def test_dask_store_and_from_array_on_the_cluster(cluster: Any, tmp_path: Path) -> None:
    root = tmp_path / "a.zarr"
    z = zarrdist.create_array(LocalStore(root), shape=SHAPE, dtype="i4", **LAYOUTS["v3-sharded"])
    a = sample("i4", SHAPE, 4)
    with cluster.as_current():
        # dask.array.store writes each (unaligned) block with z[region] = block inside
        # a worker; blocks that share a shard take a distributed lock.
        da.store(da.from_array(a, chunks=(5, 3)), z, lock=False)
        assert_same(da.from_array(z, chunks=(4, 4)).compute(), a)
        assert_same((z.to_dask() * 2).compute(), a * 2)
        # Another zarrdist Array as the value: read and written by the workers.
        w = zarrdist.create_array(
            LocalStore(tmp_path / "w"), shape=SHAPE, chunks=(4, 4), dtype="i4"
        )
        w[...] = z
        assert_same(w[...], a)
    assert_same(np.asarray(zarr.open_array(str(root), mode="r")[...]), a)
    meta = json.loads((root / "zarr.json").read_text())
    assert meta["shape"] == list(SHAPE)


def test_field_writes_run_on_the_workers(cluster: Any, tmp_path: Path) -> None:
    dtype = np.dtype([("a", "<i4"), ("b", "<f8")])
    root = tmp_path / "s.zarr"
    # Unsharded: zarr-python 3.1.5 fails reading structured data from shards (its
    # ArraySpec hashes the fill value, a NumPy void scalar).
    z = zarrdist.create_array(LocalStore(root), shape=SHAPE, dtype=dtype, **LAYOUTS["v3"])
    data = np.zeros(SHAPE, dtype)
    data["a"], data["b"] = sample("i4", SHAPE, 5), 0.5
    z[...] = data
    with (
        cluster.as_current(),
        config.set({"direct_max_bytes": 0, "numpy_on_cluster": True}),
        get_task_stream(cluster) as stream,
    ):
        z["b"] = np.arange(SHAPE[1], dtype="f8")
        z.oindex[[0, SHAPE[0] - 1], :, "a"] = -1
    assert any("zarrdist-write-" in str(t["key"]) for t in stream.data)
    data["b"] = np.arange(SHAPE[1], dtype="f8")
    data["a"][[0, SHAPE[0] - 1]] = -1
    assert_same(z[...], data)
    assert_same(np.asarray(zarr.open_array(str(root), mode="r")[...]), data)


def _zarrdist_tasks(stream: Any) -> list[str]:
    return [str(t["key"]) for t in stream.data if "zarrdist-" in str(t["key"])]


def test_numpy_work_stays_in_this_process_with_a_client_open(cluster: Any, tmp_path: Path) -> None:
    """NumPy in, NumPy out: local threads even with a Client open (the data is here)."""
    z = zarrdist.create_array(
        LocalStore(tmp_path / "n.zarr"), shape=SHAPE, chunks=(3, 2), dtype="f8"
    )
    a = sample("f8", SHAPE, 6)
    with (
        cluster.as_current(),
        config.set({"direct_max_bytes": 0}),
        get_task_stream(cluster) as stream,
    ):
        z[...] = a
        got = z[...]
        z[1:5] = da.from_array(a[1:5], chunks=(2, 3))  # NumPy held in the dask graph
        z[5:7] = 0
    assert _zarrdist_tasks(stream) == []
    expected = a.copy()
    expected[5:7] = 0
    assert_same(got, a)
    assert_same(z[...], expected)
    with (
        cluster.as_current(),
        config.set({"direct_max_bytes": 0}),
        get_task_stream(cluster) as stream,
    ):
        # Blocks made by the cluster, not held here: the graph runs there.
        z[...] = da.arange(np.prod(SHAPE), chunks=7, dtype="f8").reshape(SHAPE) * 2
    assert _zarrdist_tasks(stream)
    assert_same(z[...], np.arange(np.prod(SHAPE), dtype="f8").reshape(SHAPE) * 2)


def test_numpy_on_cluster_ships_scalars_not_broadcast_arrays(cluster: Any, tmp_path: Path) -> None:
    from zarrdist.chunking.indexing import basic_indexer
    from zarrdist.graphs.write import write_graph

    z = zarrdist.create_array(
        LocalStore(tmp_path / "s.zarr"), shape=(400, 400), chunks=(100, 100), dtype="f8"
    )
    indexer = basic_indexer((slice(None), slice(None)), z.shape, z.chunks)
    graph = write_graph(z._handle, indexer, np.broadcast_to(np.float64(7), z.shape))
    values = [n.value for k, n in graph.dsk.items() if str(k[0]).startswith("zarrdist-value-")]
    assert [np.shape(v) for v in values] == [()]  # one number, not 400 x 400
    with (
        cluster.as_current(),
        config.set({"direct_max_bytes": 0, "numpy_on_cluster": True}),
        get_task_stream(cluster) as stream,
    ):
        z[:] = 7
    assert _zarrdist_tasks(stream)
    assert_same(z[...], np.full(z.shape, 7.0))
