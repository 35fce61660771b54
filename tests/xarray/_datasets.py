"""Small datasets shaped like climate and imaging data, built in code, and tree helpers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

__all__ = [
    "CLIMATE_CHUNKED",
    "CLIMATE_SHARDED",
    "IMAGING_CHUNKED",
    "IMAGING_SHARDED",
    "climate",
    "imaging",
    "store_bytes",
]


def climate(ntime: int = 8, start: str = "2000-01-01") -> xr.Dataset:
    """Daily fields on a lat/lon grid: datetime64 time, CF-packed precipitation, NaNs,
    a fill-value-masked land fraction, fixed-length station names and variable-length
    remarks."""
    rng = np.random.default_rng(ntime)
    time = pd.date_range(start, periods=ntime, freq="D")
    lat = np.linspace(-30.0, 30.0, 6)
    lon = np.linspace(0.0, 35.0, 8)
    tas = rng.normal(288.0, 6.0, (ntime, 6, 8)).astype("f4")
    tas[0, 1, 2] = np.nan
    # Halves, packed with scale 0.5 and offset 1: exact in binary, so decoding gives
    # back the very values written.
    pr = 1.0 + np.round(rng.gamma(2.0, 3.0, (ntime, 6, 8))) / 2
    pr[1, :2, :3] = np.nan  # masked through _FillValue after packing
    land = np.where(rng.random((6, 8)) > 0.5, 1.0, 0.0)
    land[0, 0] = np.nan
    ds = xr.Dataset(
        {
            "tas": (
                ("time", "lat", "lon"),
                tas,
                {"units": "K", "standard_name": "air_temperature"},
            ),
            "pr": (("time", "lat", "lon"), pr, {"units": "mm/day"}),
            "land": (("lat", "lon"), land, {"long_name": "land fraction"}),
            "station": (("lat",), np.array(["Oslo", "Rome", "Lima", "Pune", "Nuuk", "Suva"])),
            # variable-length strings (object dtype): vlen-utf8 in both formats
            "remark": (
                ("time",),
                np.array(
                    (["ok", "rain", "", "snow storm", "fog", "ü"] * ntime)[:ntime], dtype=object
                ),
            ),
        },
        coords={
            "time": time,
            "lat": ("lat", lat, {"units": "degrees_north"}),
            "lon": ("lon", lon, {"units": "degrees_east"}),
        },
        attrs={"title": "toy climate", "Conventions": "CF-1.8"},
    )
    ds["pr"].encoding = {"dtype": "int16", "scale_factor": 0.5, "add_offset": 1.0, "_FillValue": -1}
    ds["land"].encoding = {"dtype": "int8", "_FillValue": -9}
    ds["time"].encoding = {"units": "days since 2000-01-01", "calendar": "proleptic_gregorian"}
    return ds


CLIMATE_CHUNKED = {"tas": {"chunks": (2, 3, 4)}, "pr": {"chunks": (2, 3, 4)}}
CLIMATE_SHARDED = {
    "tas": {"chunks": (2, 3, 4), "shards": (4, 6, 8)},
    "pr": {"chunks": (2, 3, 4), "shards": (4, 6, 8)},
}


def imaging(nt: int = 3) -> xr.Dataset:
    """A (t, c, y, x) uint16 microscopy stack with a fill value, and float intensities."""
    rng = np.random.default_rng(7)
    counts = rng.integers(1, 4000, (nt, 2, 16, 16), dtype="u2")
    counts[:, :, :2, :2] = 0  # zero is the detector's "no data": masked by _FillValue
    ds = xr.Dataset(
        {
            "counts": (("t", "c", "y", "x"), counts.astype("f4"), {"units": "photons"}),
            "mean": (("t", "c"), counts.mean(axis=(2, 3))),
        },
        coords={
            "t": ("t", np.arange(nt, dtype="f8") * 0.5, {"units": "s"}),
            "c": ["DAPI", "GFP"],
            "y": np.arange(16) * 0.25,
            "x": np.arange(16) * 0.25,
        },
        attrs={"instrument": "toy scope"},
    )
    ds["counts"].values[:, :, :2, :2] = np.nan
    ds["counts"].encoding = {"dtype": "uint16", "_FillValue": 0}
    return ds


IMAGING_CHUNKED = {"counts": {"chunks": (1, 1, 8, 8)}}
IMAGING_SHARDED = {"counts": {"chunks": (1, 1, 8, 8), "shards": (1, 2, 16, 16)}}


def store_bytes(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` (a local store) by its relative key."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}
