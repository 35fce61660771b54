"""``zarrdist demo``: the main job end to end, on a fresh machine.

1. Build a sample climate-style dataset as a **time-chunked Zarr v2** group (one
   chunk per day, Blosc-compressed, xarray-style ``_ARRAY_DIMENSIONS``): daily
   temperature, precipitation and wind speed on a global grid, plus coordinates.
2. Start an embedded ``LocalCluster`` and print its dashboard URL.
3. Convert it to a **sharded, space-chunked Zarr v3** group (every day of one
   small tile in one inner chunk, tiles grouped into shards, Zstd) with bounded
   memory per task: a time-to-space rechunk, so the planner goes through an
   intermediate array when memory is tight.
4. Verify the result against the source element by element and print a summary.

At ``--scale 1`` the variables are 730 x 121 x 240 float32 (about 85 MiB each).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from typing import Any

import numpy as np

from zarrdist.cli.convert import ConvertOptions
from zarrdist.cli.copy import claim, plan_copy_job, run_copy
from zarrdist.cli.inspect import read_node, render_tree, walk
from zarrdist.cli.options import ChunkRules, parse_chunk_rule, parse_compressor
from zarrdist.cli.runner import open_runner
from zarrdist.errors import NodeNotFoundError
from zarrdist.stores import LocalStore

__all__ = ["build_sample", "default_directory", "demo_shapes", "run_demo"]

_VARIABLES = ("temperature", "precipitation", "wind_speed")
_SOURCE = "source-v2.zarr"
_TARGET = "converted-v3.zarr"
#: Days of the sample generated and written at a time: its fields are made in memory,
#: so this bounds the memory the demo needs, whatever its scale.
_DAYS_PER_WRITE = 32


def demo_shapes(scale: float) -> tuple[int, int, int]:
    """(days, latitudes, longitudes) of the sample at ``scale``."""
    days = max(4, round(730 * scale))
    if scale >= 0.25:
        return days, 121, 240
    return days, 31, 60


def _fields(
    days: np.ndarray[Any, Any],
    lat: np.ndarray[Any, Any],
    lon: np.ndarray[Any, Any],
    rng: np.random.Generator,
) -> dict[str, Any]:
    """Plausible daily fields: seasonal cycle, latitude gradient, land-sea pattern, noise."""
    phase = 2 * np.pi * (days[:, None, None] - 200) / 365.25
    coslat = np.cos(np.deg2rad(lat))[None, :, None]
    sinlat = np.sin(np.deg2rad(lat))[None, :, None]
    pattern = np.sin(np.deg2rad(3 * lon))[None, None, :] * coslat
    shape = (len(days), len(lat), len(lon))
    temperature = 250 + 40 * coslat + 12 * np.cos(phase) * sinlat + 5 * pattern
    temperature = temperature + rng.normal(0, 1.5, shape)
    rain = rng.gamma(0.6, 4.0, shape) * (1 + coslat) - 3.0
    wind = np.abs(6 + 3 * sinlat**2 + rng.normal(0, 2, shape))
    # Keep 1/64 resolution, as observation data does: it also lets compressors work.
    return {
        "temperature": np.round(temperature * 64) / 64,
        "precipitation": np.round(np.maximum(rain, 0) * 64) / 64,
        "wind_speed": np.round(wind * 64) / 64,
    }


def _attributes() -> dict[str, dict[str, Any]]:
    return {
        "temperature": {"units": "K", "long_name": "2 m air temperature"},
        "precipitation": {"units": "mm day-1", "long_name": "total precipitation"},
        "wind_speed": {"units": "m s-1", "long_name": "10 m wind speed"},
    }


def build_sample(path: str, scale: float) -> int:
    """Write the time-chunked v2 sample group at ``path``; return its decoded bytes."""
    import zarrdist

    ntime, nlat, nlon = demo_shapes(scale)
    store = LocalStore(path)
    common: dict[str, Any] = {"zarr_format": 2, "overwrite": True}
    lat = np.linspace(-90, 90, nlat)
    lon = np.linspace(0, 360, nlon, endpoint=False)
    days = np.arange(ntime, dtype="int64")
    coords = {
        "time": (days, {"units": "days since 2000-01-01", "calendar": "standard"}),
        "lat": (lat, {"units": "degrees_north"}),
        "lon": (lon, {"units": "degrees_east"}),
    }
    for name, (values, attrs) in coords.items():
        zarrdist.create_array(
            store,
            name=name,
            data=values,
            chunks=values.shape,
            attributes={**attrs, "_ARRAY_DIMENSIONS": [name]},
            **common,
        )
    blosc = {"id": "blosc", "cname": "lz4", "clevel": 5, "shuffle": 1, "blocksize": 0}
    arrays = {
        name: zarrdist.create_array(
            store,
            name=name,
            shape=(ntime, nlat, nlon),
            dtype="float32",
            chunks=(1, nlat, nlon),
            compressor=blosc,
            attributes={**attrs, "_ARRAY_DIMENSIONS": ["time", "lat", "lon"]},
            **common,
        )
        for name, attrs in _attributes().items()
    }
    rng = np.random.default_rng(2000)
    for start in range(0, ntime, _DAYS_PER_WRITE):
        stop = min(start + _DAYS_PER_WRITE, ntime)
        for name, values in _fields(days[start:stop], lat, lon, rng).items():
            arrays[name][start:stop] = values.astype("float32")
    group = {"title": "zarrdist demo: daily fields on a global grid", "zarrdist_demo_scale": scale}
    store.set(".zgroup", json.dumps({"zarr_format": 2}).encode())
    store.set(".zattrs", json.dumps(group, indent=2).encode())
    return int(sum(a.nbytes for a in arrays.values()) + sum(v.nbytes for v, _ in coords.values()))


def _sample_ready(path: str, scale: float) -> bool:
    try:
        meta = read_node(LocalStore(path, read_only=True))
    except (NodeNotFoundError, OSError):
        return False
    return meta.attributes.get("zarrdist_demo_scale") == scale


def _tile(nlat: int, nlon: int) -> tuple[int, int]:
    """Inner chunk tile: about 30 x 60 at full size, a few tiles per shard side."""
    return max(1, math.ceil(nlat / 4)), max(1, math.ceil(nlon / 4))


def default_directory() -> str:
    """``zarrdist-demo`` in the system's temporary directory (``$TMPDIR``)."""
    import tempfile

    return os.path.join(tempfile.gettempdir(), "zarrdist-demo")


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run_demo(args: argparse.Namespace) -> int:
    """The ``demo`` command (see the module docstring)."""
    # Not the working directory by default: run from a clone, that put a few hundred
    # MiB into the working tree.
    directory = os.path.abspath(args.directory or default_directory())
    os.makedirs(directory, exist_ok=True)
    source_path = os.path.join(directory, _SOURCE)
    target_path = os.path.join(directory, _TARGET)

    if args.overwrite or not _sample_ready(source_path, args.scale):
        _say(f"building the time-chunked v2 sample in {source_path} ...")
        nbytes = build_sample(source_path, args.scale)
        _say(f"  {nbytes / 2**20:.1f} MiB of data in daily chunks")
    else:
        _say(f"reusing the sample in {source_path}")
    _, nlat, nlon = demo_shapes(args.scale)
    ty, tx = _tile(nlat, nlon)
    options = ConvertOptions(
        zarr_format=3,
        chunks=ChunkRules([parse_chunk_rule(f"-1,{ty},{tx}")]),
        shards=ChunkRules([parse_chunk_rule(f"-1,{2 * ty},{2 * tx}")]),
        compressors=parse_compressor("zstd:3"),
    )
    source = LocalStore(source_path, read_only=True)
    target = LocalStore(target_path)
    job = plan_copy_job(source, "", target, "", options, consolidate_target=True)
    with open_runner(args) as runner:
        claim(job, overwrite=True, resume=False)
        _say(f"converting to sharded, space-chunked v3 on {runner.description}")
        if runner.dashboard:
            _say(f"dashboard: {runner.dashboard}")
        summary = run_copy(job, runner, verify=True)
    summary["source"], summary["target"] = source_path, target_path
    if args.json:
        print(json.dumps(summary, indent=2, default=str))
    else:
        print(render_tree(walk(LocalStore(target_path, read_only=True))))
        print(summary["text"])
        print(f"demo files: {directory} (remove it when done)")
        print("verified against the source: " + ("OK" if summary["verified"] else "FAILED"))
        print(f"open it with: zarr.open_group({target_path!r})")
    return 0 if summary["verified"] else 1
