"""The ``zarrdist`` engine: registration, lazy indexing without dask, chunks on shard
boundaries, groups, zarrdist Groups, open_mfdataset, remote stores and errors."""

from __future__ import annotations

from pathlib import Path

import dask.array as da
import numpy as np
import pytest
import xarray as xr
import zarr

import zarrdist
import zarrdist.xarray as zx
from tests.conftest import S3Location
from tests.xarray._datasets import CLIMATE_SHARDED, climate, imaging

pytestmark = [
    pytest.mark.filterwarnings("ignore:The data type .* does not have a Zarr V3 specification"),
    pytest.mark.filterwarnings("ignore:Consolidated metadata is currently not part"),
    # xarray's own note when it encodes dask arrays of Python strings (both writers)
    pytest.mark.filterwarnings("ignore:variable None has data in the form of a dask array"),
]


def test_engine_is_registered_by_entry_point() -> None:
    engines = xr.backends.list_engines()
    assert isinstance(engines["zarrdist"], zx.ZarrdistBackendEntrypoint)


@pytest.mark.parametrize("zarr_format", [2, 3])
def test_lazy_indexing_without_dask(tmp_path: Path, zarr_format: int) -> None:
    source = climate()
    source.to_zarr(tmp_path / "a.zarr", zarr_format=zarr_format, consolidated=False)
    ds = xr.open_dataset(tmp_path / "a.zarr", engine="zarrdist", consolidated=False)
    # Nothing is read and nothing is a dask array until indexed.
    assert not isinstance(ds.tas.variable._data, np.ndarray)
    assert not any(isinstance(v.data, da.Array) for v in ds.data_vars.values())
    assert ds.tas.encoding["preferred_chunks"] == {"time": 8, "lat": 6, "lon": 8}
    # basic, outer and vectorized selections, CF-decoded by xarray
    xr.testing.assert_identical(
        ds.isel(time=2, lat=slice(1, 5)), source.isel(time=2, lat=slice(1, 5))
    )
    outer = {"lat": [0, 2, 5], "lon": [7, 1, 3]}
    xr.testing.assert_identical(ds.pr.isel(outer), source.pr.isel(outer))
    points = {"lat": xr.DataArray([0, 3, 5], dims="p"), "lon": xr.DataArray([1, 1, 6], dims="p")}
    xr.testing.assert_identical(ds.tas.isel(points), source.tas.isel(points))
    xr.testing.assert_identical(
        ds.pr.isel(time=[0, 1], **points), source.pr.isel(time=[0, 1], **points)
    )


def test_backend_array_reads_with_zarrdist(tmp_path: Path) -> None:
    values = np.arange(60, dtype="i4").reshape(6, 10)
    z = zarrdist.create_array(tmp_path / "a", shape=(6, 10), chunks=(2, 3), dtype="i4")
    z[...] = values
    wrapper = zx.ZarrdistBackendArray(z)
    assert wrapper.get_array() is z
    assert wrapper.shape == (6, 10)
    assert wrapper.dtype == "i4"
    from xarray.core import indexing

    basic = indexing.BasicIndexer((slice(1, 5), 4))
    np.testing.assert_array_equal(wrapper[basic], values[1:5, 4])
    outer = indexing.OuterIndexer((np.array([0, 5]), slice(None, None, 2)))
    np.testing.assert_array_equal(wrapper[outer], values[[0, 5]][:, ::2])
    vector = indexing.VectorizedIndexer((np.array([0, 5, 2]), np.array([9, 0, 4])))
    np.testing.assert_array_equal(wrapper[vector], values[[0, 5, 2], [9, 0, 4]])
    # dask's blocks: outer indexers of slices, read into arrays of their own
    for key in [
        (slice(0, 6), slice(3, 9)),
        (slice(None, None, -2), slice(1, 10, 4)),
        (slice(2, 2), slice(None)),
        (3, slice(0, 10)),
        (np.int64(5), np.int64(9)),
    ]:
        got = wrapper[indexing.OuterIndexer(key)]
        assert got.dtype == values.dtype
        np.testing.assert_array_equal(got, values[key])


def test_chunks_default_to_shards(tmp_path: Path) -> None:
    source = climate()
    source.to_zarr(tmp_path / "s.zarr", zarr_format=3, encoding=CLIMATE_SHARDED, consolidated=False)
    ds = xr.open_dataset(tmp_path / "s.zarr", engine="zarrdist", chunks={}, consolidated=False)
    assert ds.tas.chunks == ((4, 4), (6,), (8,))  # shards (4, 6, 8), not chunks (2, 3, 4)
    assert ds.tas.encoding["chunks"] == (2, 3, 4)
    assert ds.tas.encoding["shards"] == (4, 6, 8)
    rechunked = xr.open_dataset(
        tmp_path / "s.zarr", engine="zarrdist", chunks={"time": 8}, consolidated=False
    )
    assert rechunked.tas.chunks[0] == (8,)
    xr.testing.assert_identical(rechunked.compute(), source)


def test_groups_and_zarrdist_group_objects(tmp_path: Path) -> None:
    path = tmp_path / "tree.zarr"
    a, b = climate(), imaging()
    a.to_zarr(path, group="model/run1", zarr_format=3, mode="w")
    b.to_zarr(path, group="scope", zarr_format=3, mode="a")
    got = xr.open_dataset(path, engine="zarrdist", group="model/run1")
    xr.testing.assert_identical(got.load(), a)
    # a zarrdist Group is a way in, with or without group=
    root = zarrdist.open_group(path, mode="r")
    xr.testing.assert_identical(xr.open_dataset(root["scope"], engine="zarrdist").load(), b)
    xr.testing.assert_identical(xr.open_dataset(root, engine="zarrdist", group="scope").load(), b)
    assert zx.ZarrdistBackendEntrypoint().guess_can_open(root)
    assert not zx.ZarrdistBackendEntrypoint().guess_can_open(str(path))
    # and a group is a place to write to
    out = zarrdist.open_group(tmp_path / "out.zarr", mode="w", zarr_format=2)
    zx.to_zarr(b, out.create_group("images"), consolidated=False)
    xr.testing.assert_identical(
        xr.open_zarr(tmp_path / "out.zarr", group="images", consolidated=False).compute(), b
    )
    zx.to_zarr(a, out, group="runs/first", consolidated=False)  # created, as by xarray
    xr.testing.assert_identical(
        xr.open_zarr(tmp_path / "out.zarr", group="runs/first", consolidated=False).compute(), a
    )


def test_consolidated_and_zarr_format_arguments(tmp_path: Path) -> None:
    source = climate()
    source.to_zarr(tmp_path / "c.zarr", zarr_format=2, consolidated=True)
    source.to_zarr(tmp_path / "p.zarr", zarr_format=2, consolidated=False)
    for path, consolidated in [("c.zarr", True), ("c.zarr", None), ("p.zarr", None)]:
        got = xr.open_dataset(
            tmp_path / path, engine="zarrdist", consolidated=consolidated, zarr_format=2
        )
        xr.testing.assert_identical(got.load(), source)
    # as zarr-python: a ValueError when consolidated metadata is required but absent
    with pytest.raises(ValueError, match="consolidated"):
        xr.open_dataset(tmp_path / "p.zarr", engine="zarrdist", consolidated=True)
    with pytest.raises(FileNotFoundError):
        xr.open_dataset(tmp_path / "c.zarr", engine="zarrdist", zarr_format=3)
    with pytest.raises(FileNotFoundError):
        xr.open_dataset(tmp_path / "missing.zarr", engine="zarrdist")


def test_open_mfdataset(tmp_path: Path) -> None:
    full = climate(ntime=8)
    paths = []
    for i, part in enumerate([slice(0, 3), slice(3, 8)]):
        paths.append(tmp_path / f"part{i}.zarr")
        full.isel(time=part).to_zarr(paths[-1], zarr_format=3, consolidated=False)
    ds = xr.open_mfdataset(
        paths,
        engine="zarrdist",
        combine="nested",
        concat_dim="time",
        data_vars="minimal",
        coords="minimal",
        compat="override",
        consolidated=False,
    )
    assert isinstance(ds.tas.data, da.Array)
    xr.testing.assert_identical(ds.compute(), full)


def test_missing_dimension_names_are_named_in_the_error(tmp_path: Path) -> None:
    group = zarr.open_group(tmp_path / "raw.zarr", mode="w", zarr_format=2)
    group.create_array("x", shape=(3,), dtype="f8")
    with pytest.raises(KeyError, match="_ARRAY_DIMENSIONS"):
        xr.open_dataset(tmp_path / "raw.zarr", engine="zarrdist", consolidated=False)
    group3 = zarr.open_group(tmp_path / "raw3.zarr", mode="w", zarr_format=3)
    group3.create_array("x", shape=(3,), dtype="f8")
    with pytest.raises(KeyError, match="dimension_names"):
        xr.open_dataset(tmp_path / "raw3.zarr", engine="zarrdist", consolidated=False)


@pytest.mark.s3
def test_s3_with_storage_options(s3_bucket_url: S3Location) -> None:
    url, options = s3_bucket_url
    source = climate()
    zx.to_zarr(source.chunk({"time": 3}), url, storage_options=options, zarr_format=3)
    got = xr.open_dataset(url, engine="zarrdist", storage_options=options, chunks={})
    xr.testing.assert_identical(got.compute(), source)
    theirs = xr.open_zarr(url, storage_options=options)
    xr.testing.assert_identical(theirs.compute(), source)


def test_store_objects_and_urls(tmp_path: Path) -> None:
    """StoreLike inputs: zarrdist store objects (a MemoryStore too) and file:// URLs."""
    from zarrdist.stores import LocalStore, MemoryStore

    source = climate()
    memory = MemoryStore()
    zx.to_zarr(source.chunk({"time": 3}), memory, zarr_format=3)
    xr.testing.assert_identical(xr.open_dataset(memory, engine="zarrdist").load(), source)
    chunked = xr.open_dataset(memory, engine="zarrdist", chunks={})
    xr.testing.assert_identical(chunked.compute(), source)
    url = (tmp_path / "url.zarr").as_uri()
    zx.to_zarr(source, url, zarr_format=2)
    xr.testing.assert_identical(xr.open_dataset(url, engine="zarrdist").load(), source)
    read_only = LocalStore(tmp_path / "url.zarr", read_only=True)
    xr.testing.assert_identical(xr.open_dataset(read_only, engine="zarrdist").load(), source)


def test_open_datatree(tmp_path: Path) -> None:
    tree = xr.DataTree.from_dict(
        {"/": xr.Dataset(attrs={"a": 1}), "/model": climate(), "/model/scope": imaging()}
    )
    tree.to_zarr(tmp_path / "tree.zarr", zarr_format=3)
    ours = xr.open_datatree(tmp_path / "tree.zarr", engine="zarrdist")
    xr.testing.assert_identical(ours.load(), tree)
    sub = xr.open_datatree(tmp_path / "tree.zarr", engine="zarrdist", group="model")
    xr.testing.assert_identical(
        sub.load(), xr.open_datatree(tmp_path / "tree.zarr", engine="zarr", group="model").load()
    )
