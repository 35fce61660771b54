"""zarrdist's dataset writer: dask chunks across shards, deferred writes, xarray's checks."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import xarray as xr
import zarr
from dask.delayed import Delayed

import zarrdist.xarray as zx
from tests.xarray._datasets import climate, store_bytes

pytestmark = [
    pytest.mark.filterwarnings("ignore:The data type .* does not have a Zarr V3 specification"),
    pytest.mark.filterwarnings("ignore:Consolidated metadata is currently not part"),
    # xarray's own note when it encodes dask arrays of Python strings (both writers)
    pytest.mark.filterwarnings("ignore:variable None has data in the form of a dask array"),
]

ENCODING = {"v": {"chunks": (5, 5), "shards": (10, 10)}}


def _field() -> xr.Dataset:
    values = np.arange(40 * 30, dtype="f4").reshape(40, 30)
    return xr.Dataset({"v": (("y", "x"), values)}, coords={"y": np.arange(40.0)})


def test_dask_chunks_across_shards(tmp_path: Path, scheduler: Callable[[], Any]) -> None:
    """Blocks of 7 x 11 put several tasks on every 10 x 10 shard: xarray refuses to
    write them (with safe_chunks=False its tasks race on the shards and may lose
    updates); zarrdist rechunks them onto shards and loses nothing."""
    source = _field()
    chunked = source.chunk({"y": 7, "x": 11})
    with pytest.raises(ValueError, match="overlap multiple Dask chunks"):
        chunked.to_zarr(tmp_path / "xr.zarr", encoding=ENCODING, zarr_format=3, mode="w")
    with scheduler():
        zx.to_zarr(chunked, tmp_path / "zd.zarr", encoding=ENCODING, zarr_format=3, mode="w")
        # and a region write of blocks that start and end inside shards
        update = (source.v[3:37, 2:29] * -1).chunk({"y": 6, "x": 9}).to_dataset()
        zx.to_zarr(update, tmp_path / "zd.zarr", region={"y": slice(3, 37), "x": slice(2, 29)})
    expected = source.v.values.copy()
    expected[3:37, 2:29] *= -1
    np.testing.assert_array_equal(zarr.open_array(tmp_path / "zd.zarr", path="v")[...], expected)
    # The same bytes as xarray writes from shard-aligned blocks.
    aligned = source.copy()
    aligned["v"] = (("y", "x"), expected)
    aligned.chunk({"y": 10, "x": 10}).to_zarr(
        tmp_path / "ref.zarr", encoding=ENCODING, zarr_format=3, mode="w"
    )
    assert store_bytes(tmp_path / "zd.zarr") == store_bytes(tmp_path / "ref.zarr")


def test_compute_false_defers_the_data(tmp_path: Path) -> None:
    source = climate()
    path = tmp_path / "d.zarr"
    delayed = source.chunk({"time": 3}).zarrdist.to_zarr(path, compute=False, consolidated=False)
    assert isinstance(delayed, Delayed)
    assert not list(path.glob("tas/c/*"))  # metadata only, no chunk of the dask data yet
    before = xr.open_zarr(path, consolidated=False).tas.compute()
    assert np.isnan(before.values).all()
    delayed.compute()
    xr.testing.assert_identical(xr.open_zarr(path, consolidated=False).compute(), source)


def test_failed_writes_keep_existing_bytes(tmp_path: Path) -> None:
    source = climate()
    path = tmp_path / "k.zarr"
    zx.to_zarr(source, path, zarr_format=3, consolidated=False)
    before = store_bytes(path)
    with pytest.raises(FileExistsError):
        zx.to_zarr(source, path)  # mode "w-" by default, as xarray
    with pytest.raises(ValueError, match="non-pre-existing variables"):
        zx.to_zarr(source.assign(extra=source.tas * 2), path, mode="r+")
    with pytest.raises(ValueError, match="unexpected encoding parameters"):
        zx.to_zarr(source, tmp_path / "other.zarr", encoding={"tas": {"bogus": 1}})
    with pytest.raises(ValueError, match="append_dim"):
        zx.to_zarr(source, path, append_dim="nope")
    assert store_bytes(path) == before


def test_write_empty_chunks(tmp_path: Path) -> None:
    data = xr.Dataset({"z": (("y", "x"), np.full((8, 8), np.nan, dtype="f4"))})
    enc = {"z": {"chunks": (4, 4)}}
    zx.to_zarr(data, tmp_path / "skip.zarr", encoding=enc, write_empty_chunks=False)
    zx.to_zarr(data, tmp_path / "keep.zarr", encoding=enc, write_empty_chunks=True)
    data.to_zarr(tmp_path / "ref.zarr", encoding=enc, write_empty_chunks=True)
    assert not list((tmp_path / "skip.zarr" / "z").glob("c/*/*"))
    assert store_bytes(tmp_path / "keep.zarr") == store_bytes(tmp_path / "ref.zarr")
