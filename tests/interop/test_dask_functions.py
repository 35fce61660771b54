"""zarrdist.dask's from_zarr / to_zarr / store side by side with dask.array's on
zarr-python, for the same arguments: equal values, equal blocks, equal stores."""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dask
import dask.array as da
import numpy as np
import pytest
import zarr

import zarrdist
import zarrdist.dask as zd
from tests.graphs._helpers import shared_cluster


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    with shared_cluster() as client:
        yield client


def _source(tmp_path: Path) -> np.ndarray:
    values = np.arange(30 * 20, dtype="f8").reshape(30, 20)
    group = zarr.open_group(tmp_path / "src.zarr", mode="w")
    group.create_array("grid/t", shape=values.shape, chunks=(7, 5), dtype="f8")[...] = values
    group.create_array("sharded", shape=values.shape, chunks=(5, 5), shards=(10, 10), dtype="f8")[
        ...
    ] = values
    return values


@pytest.mark.parametrize(
    "kwargs",
    [
        {"component": "grid/t"},
        {"component": "grid/t", "chunks": (10, 20)},
        {"component": "sharded"},
        {"component": "sharded", "chunks": "auto", "name": "my-array"},
        {"component": "grid/t", "inline_array": True},
    ],
    ids=["component", "chunks", "sharded", "auto-and-name", "inline"],
)
def test_from_zarr_matches_dask(tmp_path: Path, kwargs: dict[str, Any]) -> None:
    values = _source(tmp_path)
    url = str(tmp_path / "src.zarr")
    theirs = da.from_zarr(url, **kwargs)
    ours = zd.from_zarr(url, **kwargs)
    assert ours.chunks == theirs.chunks
    assert ours.dtype == theirs.dtype
    if "name" in kwargs:
        assert ours.name == theirs.name == kwargs["name"]
    np.testing.assert_array_equal(ours.compute(), theirs.compute())
    np.testing.assert_array_equal(ours.compute(), values)


def test_from_zarr_of_an_array_object(tmp_path: Path) -> None:
    values = _source(tmp_path)
    theirs = da.from_zarr(zarr.open_array(tmp_path / "src.zarr", path="sharded", mode="r"))
    ours = zd.from_zarr(zarrdist.open_array(tmp_path / "src.zarr", path="sharded", mode="r"))
    assert ours.chunks == theirs.chunks
    np.testing.assert_array_equal(ours[3:17, ::3].compute(), values[3:17, ::3])
    # dask's own function type-checks for zarr-python's Array: the reason for the swap
    with pytest.raises((TypeError, ValueError, FileNotFoundError)):
        da.from_zarr(zarrdist.open_array(tmp_path / "src.zarr", path="sharded", mode="r"))


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"component": "a/b"},
        {"chunks": (8, 8), "fill_value": -1.0},
        {"chunks": (4, 4), "shards": (8, 8)},
        {"zarr_format": 2, "compressors": None},
    ],
    ids=["defaults", "component", "chunks-fill", "sharded", "v2"],
)
def test_to_zarr_matches_dask(tmp_path: Path, kwargs: dict[str, Any]) -> None:
    values = np.random.default_rng(1).random((19, 13))
    x = da.from_array(values, chunks=(6, 5))
    # dask writes each block as it is (no lock, as dask's to_zarr): blocks that share
    # a chunk race. Give dask blocks on its storage units; zarrdist gets the raw blocks.
    units = kwargs.get("shards") or kwargs.get("chunks")
    theirs_x = x.rechunk(units) if units else x
    assert da.to_zarr(theirs_x, str(tmp_path / "dask.zarr"), **kwargs) is None
    assert zd.to_zarr(x, str(tmp_path / "zd.zarr"), **kwargs) is None
    assert _tree(tmp_path / "zd.zarr") == _tree(tmp_path / "dask.zarr")
    path = kwargs.get("component")
    np.testing.assert_array_equal(zarr.open_array(tmp_path / "zd.zarr", path=path)[...], values)


def test_to_zarr_region_into_existing_arrays(tmp_path: Path) -> None:
    theirs = zarr.create_array(tmp_path / "z.zarr", shape=(12, 12), chunks=(4, 4), dtype="i4")
    ours = zarrdist.create_array(tmp_path / "d.zarr", shape=(12, 12), chunks=(4, 4), dtype="i4")
    x = da.arange(48, dtype="i4", chunks=13).reshape(6, 8)
    region = (slice(4, 10), slice(2, 10))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dask.array.PerformanceWarning)
        da.to_zarr(x, theirs, region=region)
    zd.to_zarr(x, ours, region=region)
    np.testing.assert_array_equal(ours[...], theirs[...])
    assert _tree(tmp_path / "d.zarr") == _tree(tmp_path / "z.zarr")


def test_compute_false_and_return_stored(tmp_path: Path) -> None:
    values = np.arange(100, dtype="i8").reshape(10, 10)
    x = da.from_array(values, chunks=3)
    lazy = zd.to_zarr(x, str(tmp_path / "lazy.zarr"), compute=False)
    assert zarrdist.open_array(tmp_path / "lazy.zarr")[...].sum() == 0  # created, not written
    dask.compute(lazy)
    np.testing.assert_array_equal(zarrdist.open_array(tmp_path / "lazy.zarr")[...], values)
    for compute in (True, False):
        path = tmp_path / f"stored-{compute}.zarr"
        ours = zd.to_zarr(x, str(path), compute=compute, return_stored=True)
        theirs = da.to_zarr(
            x, str(tmp_path / f"d-{compute}.zarr"), compute=compute, return_stored=True
        )
        assert isinstance(ours, da.Array)
        assert ours.chunks == theirs.chunks
        np.testing.assert_array_equal(ours.compute(), theirs.compute())
        np.testing.assert_array_equal(zarrdist.open_array(path)[...], values)


def test_modes_and_errors_as_dask(tmp_path: Path) -> None:
    x = da.ones((6, 6), chunks=3)
    for fn in (da.to_zarr, zd.to_zarr):
        target = str(tmp_path / f"{fn.__module__}.zarr")
        fn(x, target)
        # mode "a": an existing array is not replaced (both errors are ValueErrors)
        with pytest.raises(ValueError, match="exists"):
            fn(x * 2, target)
        fn(x * 3, target, mode="w")
        np.testing.assert_array_equal(zarr.open_array(target)[...], np.full((6, 6), 3.0))
        with pytest.raises(ValueError, match="region"):
            fn(x, target, region=(slice(0, 2), slice(0, 2)))
        with pytest.raises(ValueError, match="mode `r`"):
            fn(x, target, mode="r")
        with pytest.raises(ValueError, match="unknown chunk sizes"):
            fn(x[x[:, 0] > 0], target)
        with pytest.warns(FutureWarning, match="mode"):
            fn(x, target, mode="w", readonly=False)  # dask's deprecated store keyword


@pytest.mark.parametrize("where", ["threads", "cluster"])
@pytest.mark.parametrize("how", ["dask.array.store", "zarrdist.dask.store"])
def test_store_into_zarrdist_arrays(
    tmp_path: Path, request: pytest.FixtureRequest, where: str, how: str
) -> None:
    """``da.store(x, z)`` with a zarrdist Array, and zarrdist.dask.store (one graph), with
    blocks across shards, on threads and on the cluster: the bytes of an aligned
    write by zarr-python."""
    values = np.random.default_rng(3).random((30, 30)).astype("f4")
    x = da.from_array(values, chunks=(7, 11))
    layout: dict[str, Any] = {
        "shape": (30, 30),
        "chunks": (5, 5),
        "shards": (10, 10),
        "dtype": "f4",
    }
    ref = zarr.create_array(tmp_path / "ref.zarr", **layout)
    da.store(x.rechunk(10), ref, lock=False)
    z = zarrdist.create_array(tmp_path / "ours.zarr", **layout)
    if where == "threads":
        context: Any = dask.config.set(scheduler="threads")
    else:
        client = request.getfixturevalue("cluster")
        context = contextlib.ExitStack()
        context.enter_context(client.as_current())
        context.enter_context(dask.config.set(scheduler=client.get))
    with context:
        if how == "dask.array.store":
            da.store(x, z, lock=False)
        else:
            zd.store(x, z)
    assert _tree(tmp_path / "ours.zarr") == _tree(tmp_path / "ref.zarr")


@pytest.mark.s3
def test_storage_options_on_s3(s3_bucket_url: Any) -> None:
    url, options = s3_bucket_url
    values = np.arange(12 * 10, dtype="i2").reshape(12, 10)
    x = da.from_array(values, chunks=(5, 4))
    zd.to_zarr(x, url, storage_options=options, component="a", chunks=(4, 4))
    theirs = da.from_zarr(url, component="a", storage_options=options)
    ours = zd.from_zarr(url, component="a", storage_options=options)
    assert ours.chunks == theirs.chunks
    np.testing.assert_array_equal(ours.compute(), theirs.compute())
    np.testing.assert_array_equal(ours.compute(), values)
