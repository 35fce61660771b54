"""The round-trip matrix: xarray on zarr-python writes, the zarrdist engine reads; zarrdist
writes, xarray on zarr-python reads; each identical to the source dataset.

Formats 2 and 3, consolidated and not, sharded and not, on threads and on a
2-worker LocalCluster. The datasets carry datetime64 coordinates, CF scale_factor /
add_offset packing, NaNs and fill-value masks, and strings.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import xarray as xr

import zarrdist.xarray as zx
from tests.xarray._datasets import (
    CLIMATE_CHUNKED,
    CLIMATE_SHARDED,
    IMAGING_CHUNKED,
    IMAGING_SHARDED,
    climate,
    imaging,
    store_bytes,
)

pytestmark = [
    pytest.mark.filterwarnings("ignore:The data type .* does not have a Zarr V3 specification"),
    pytest.mark.filterwarnings("ignore:Consolidated metadata is currently not part"),
    # xarray's own note when it encodes dask arrays of Python strings (both writers)
    pytest.mark.filterwarnings("ignore:variable None has data in the form of a dask array"),
]

LAYOUTS = [
    pytest.param(2, False, id="v2"),
    pytest.param(3, False, id="v3"),
    pytest.param(3, True, id="v3-sharded"),
]


def _encoding(kind: str, sharded: bool) -> dict[str, Any]:
    if kind == "climate":
        return CLIMATE_SHARDED if sharded else CLIMATE_CHUNKED
    return IMAGING_SHARDED if sharded else IMAGING_CHUNKED


def _dataset(kind: str, aligned: bool) -> xr.Dataset:
    """The dataset as dask arrays: blocks on shard boundaries (which xarray's writer
    requires), or blocks that cut across chunks and shards (which zarrdist writes
    safely)."""
    ds = climate() if kind == "climate" else imaging()
    dim = "time" if kind == "climate" else "t"
    return ds.chunk({dim: 4 if aligned else 3})


@pytest.mark.parametrize("kind", ["climate", "imaging"])
@pytest.mark.parametrize("consolidated", [True, False], ids=["consolidated", "plain"])
@pytest.mark.parametrize(("zarr_format", "sharded"), LAYOUTS)
def test_round_trip(
    tmp_path: Path,
    scheduler: Callable[[], Any],
    kind: str,
    zarr_format: int,
    sharded: bool,
    consolidated: bool,
) -> None:
    source = climate() if kind == "climate" else imaging()
    encoding = _encoding(kind, sharded)
    by_xarray, by_zarrdist = tmp_path / "xarray.zarr", tmp_path / "zarrdist.zarr"
    with scheduler():
        _dataset(kind, aligned=True).to_zarr(
            by_xarray,
            zarr_format=zarr_format,
            consolidated=consolidated,
            encoding=encoding,
            mode="w",
        )
        zx.to_zarr(
            _dataset(kind, aligned=False),
            by_zarrdist,
            zarr_format=zarr_format,
            consolidated=consolidated,
            encoding=encoding,
            mode="w",
        )
        # zarrdist reads what xarray wrote: lazily, and as dask blocks.
        lazy = xr.open_dataset(by_xarray, engine="zarrdist", consolidated=consolidated)
        xr.testing.assert_identical(lazy.load(), source)
        chunked = xr.open_dataset(
            by_xarray, engine="zarrdist", chunks={}, consolidated=consolidated
        )
        xr.testing.assert_identical(chunked.compute(), source)
        # xarray on zarr-python reads what zarrdist wrote.
        back = xr.open_zarr(by_zarrdist, consolidated=consolidated, zarr_format=zarr_format)
        xr.testing.assert_identical(back.compute(), source)
    # Same metadata and, the codecs being deterministic, the same chunks.
    assert store_bytes(by_zarrdist) == store_bytes(by_xarray)


@pytest.mark.parametrize("zarr_format", [2, 3])
def test_append_dim(tmp_path: Path, scheduler: Callable[[], Any], zarr_format: int) -> None:
    full = climate(ntime=8)
    first, second = full.isel(time=slice(0, 5)), full.isel(time=slice(5, None))
    ref, ours = tmp_path / "xarray.zarr", tmp_path / "zarrdist.zarr"
    with scheduler():
        # Strings are loaded to be encoded (xarray): their chunks are given, not taken
        # from the dask blocks.
        encoding = {**CLIMATE_CHUNKED, "remark": {"chunks": (2,)}}
        first.chunk({"time": 2}).to_zarr(
            ref, zarr_format=zarr_format, mode="w", consolidated=False, encoding=encoding
        )
        second.chunk({"time": (1, 2)}).to_zarr(ref, append_dim="time", consolidated=False)
        # Blocks of 3 cut across the chunks of 2, before and after the append point.
        zx.to_zarr(
            first.chunk({"time": 3}),
            ours,
            zarr_format=zarr_format,
            consolidated=False,
            encoding=encoding,
        )
        zx.to_zarr(second.chunk({"time": 3}), ours, append_dim="time", consolidated=False)
        xr.testing.assert_identical(
            xr.open_dataset(ours, engine="zarrdist", consolidated=False).load(), full
        )
        xr.testing.assert_identical(xr.open_zarr(ours, consolidated=False).compute(), full)
    assert store_bytes(ours) == store_bytes(ref)


@pytest.mark.parametrize(("zarr_format", "sharded"), LAYOUTS)
def test_region_writes(
    tmp_path: Path, scheduler: Callable[[], Any], zarr_format: int, sharded: bool
) -> None:
    full = climate(ntime=8)
    encoding = CLIMATE_SHARDED if sharded else {}
    ref, ours = tmp_path / "xarray.zarr", tmp_path / "zarrdist.zarr"
    parts = [slice(0, 4), slice(4, 8)]  # shard-aligned, so xarray accepts them too
    with scheduler():
        # The time-varying fields are dask arrays, written later by region; the rest
        # is NumPy, written with the metadata.
        template = full.copy()
        for name in ("tas", "pr"):
            template[name] = full[name].chunk({"time": 4})
        template.to_zarr(ref, compute=False, zarr_format=zarr_format, encoding=encoding, mode="w")
        delayed = zx.to_zarr(
            template, ours, compute=False, zarr_format=zarr_format, encoding=encoding, mode="w"
        )
        assert hasattr(delayed, "compute")  # a dask Delayed: nothing of the data written
        for part in parts:
            piece = full.isel(time=part).drop_vars(["lat", "lon", "station", "land"])
            piece.to_zarr(ref, region={"time": part})
            zx.to_zarr(piece.chunk({"time": 3}), ours, region={"time": part})
        xr.testing.assert_identical(xr.open_dataset(ours, engine="zarrdist").load(), full)
        xr.testing.assert_identical(xr.open_zarr(ours).compute(), full)
    assert store_bytes(ours) == store_bytes(ref)


def test_region_auto_and_accessor(tmp_path: Path) -> None:
    full = climate(ntime=6)
    path = tmp_path / "zarrdist.zarr"
    full.zarrdist.to_zarr(path, mode="w", zarr_format=3, consolidated=False)
    changed = full.isel(time=slice(2, 4)).drop_vars(["station", "land"])
    changed["tas"] = changed.tas + 1.0
    changed.zarrdist.to_zarr(path, region="auto", mode="r+", consolidated=False)
    expected = full.copy(deep=True)
    expected["tas"][2:4] = full.tas[2:4] + 1.0
    xr.testing.assert_identical(xr.open_zarr(path, consolidated=False).compute(), expected)
