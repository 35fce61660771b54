"""Rectilinear arrays through a real LocalCluster: reads, unaligned dask writes and
to_dask run on worker processes, and the result is NumPy's."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dask.array as da
import numpy as np
import pytest

import zarrdist
from zarrdist.stores import LocalStore


@pytest.mark.slow
def test_rectilinear_graphs_on_the_cluster(cluster: Any, tmp_path: Path) -> None:
    a = np.random.default_rng(3).integers(0, 1000, (23, 18)).astype("i4")
    with zarrdist.config.set({"array.rectilinear_chunks": True}):
        z = zarrdist.create_array(
            LocalStore(tmp_path / "r.zarr"),
            shape=a.shape,
            chunks=[[2, 9, 5, 7], [10, 3, 5]],
            dtype="i4",
            fill_value=-1,
        )
        s = zarrdist.create_array(
            LocalStore(tmp_path / "s.zarr"),
            shape=a.shape,
            chunks=(1, 2),
            shards=[[3, 12, 8], [6, 12]],
            dtype="i4",
        )
    with cluster.as_current(), zarrdist.config.set({"direct_max_bytes": 0}):
        da.store(da.from_array(a, chunks=(5, 6)), z, lock=False)
        np.testing.assert_array_equal(z[...], a)
        blocks = z.to_dask()
        assert blocks.chunks == ((2, 9, 5, 7), (10, 3, 5))
        np.testing.assert_array_equal((blocks * 2).compute(), a * 2)
        s[...] = z.to_dask()
        np.testing.assert_array_equal(s[...], a)
        s[4:20, 1:17] = a[4:20, 1:17] + 5
    expected = a.copy()
    expected[4:20, 1:17] += 5
    np.testing.assert_array_equal(s[...], expected)
