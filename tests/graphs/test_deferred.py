"""``compute=False`` on bulk writes and copies, and watching them the dask way:
``dask.diagnostics.ProgressBar`` on local threads, ``distributed.progress`` on a cluster."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path
from typing import Any

import dask
import dask.array as da
import numpy as np
import pytest
from dask.delayed import Delayed
from dask.diagnostics import ProgressBar

import zarrdist


def _source() -> da.Array:
    return da.random.default_rng(0).random((240, 180), chunks=(60, 180)).astype("f4")


def test_from_dask_deferred_on_threads_with_a_progress_bar(tmp_path: Path) -> None:
    x = _source()
    deferred = zarrdist.from_dask(
        x, tmp_path / "a.zarr", chunks=(30, 30), shards=(60, 90), compute=False
    )
    assert isinstance(deferred, Delayed)
    target = zarrdist.open_array(tmp_path / "a.zarr", mode="r")
    assert target.shape == (240, 180)
    assert target.nchunks_initialized == 0
    out = io.StringIO()
    with ProgressBar(out=out):
        assert deferred.compute() is None
    assert "100% Completed" in out.getvalue()
    np.testing.assert_array_equal(target[...], x.compute())


def test_eager_writes_show_dask_progress_bars(tmp_path: Path) -> None:
    out = io.StringIO()
    with ProgressBar(out=out):
        zarrdist.from_dask(_source(), tmp_path / "b.zarr", chunks=(30, 30))
    assert "100% Completed" in out.getvalue()


def test_copy_and_save_array_deferred(tmp_path: Path) -> None:
    data = np.arange(60 * 40, dtype="f8").reshape(60, 40)
    saved = zarrdist.save_array(tmp_path / "s.zarr", data, compute=False)
    source = zarrdist.open_array(tmp_path / "s.zarr", mode="r")
    assert source.nchunks_initialized == 0
    dask.compute(saved)
    np.testing.assert_array_equal(source[...], data)

    dest = zarrdist.open_group(tmp_path / "g.zarr", mode="w", zarr_format=3)
    one = zarrdist.copy(source, dest, name="rechunked", chunks=(7, 9), compute=False)
    two = zarrdist.copy(source, dest, name="sharded", chunks=(5, 5), shards=(20, 20), compute=False)
    assert dest["rechunked"].nchunks_initialized == 0
    # Two copies computed together: their task names do not collide.
    assert dask.compute(one, two) == ((1, 0, data.nbytes), (1, 0, data.nbytes))
    for name in ("rechunked", "sharded"):
        np.testing.assert_array_equal(dest[name][...], data)


def test_deferred_shape_mismatch_is_refused(tmp_path: Path) -> None:
    from zarrdist.api.arrays.deferred import deferred_write

    target = zarrdist.create_array(tmp_path / "m.zarr", shape=(4, 4), dtype="i4")
    with pytest.raises(ValueError, match=r"shape \(3, 4\) into array"):
        deferred_write(target, np.zeros((3, 4), "i4"))


@pytest.mark.slow
def test_deferred_write_and_copy_on_a_cluster(cluster: Any, tmp_path: Path) -> None:
    from distributed import progress

    x = _source()
    write = zarrdist.from_dask(x, tmp_path / "c.zarr", chunks=(40, 45), compute=False)
    future = cluster.compute(write)
    shown = io.StringIO()
    with cluster.as_current(), contextlib.redirect_stdout(shown):
        progress(future, notebook=False)
    assert "100% Completed" in shown.getvalue()
    future.result()
    assert future.status == "finished"
    written = zarrdist.open_array(tmp_path / "c.zarr", mode="r")
    np.testing.assert_array_equal(written[...], x.compute())

    dest = zarrdist.open_group(tmp_path / "d.zarr", mode="w", zarr_format=2)
    copied = zarrdist.copy(written, dest, name="copy", chunks=(240, 20), compute=False)
    persisted = cluster.persist(copied)
    assert cluster.compute(persisted).result() == (1, 0, x.nbytes)
    np.testing.assert_array_equal(dest["copy"][...], x.compute())
