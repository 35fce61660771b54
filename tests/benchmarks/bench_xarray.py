"""xarray on zarrdist against xarray on zarr-python 3.1.5: open + load, and to_zarr.

A climate-like dataset of two float32 variables (time, lat, lon), 1 GiB at
``--scale 1``, stored as Zarr v3 with chunks of 8 time steps (4 MiB) in shards of
64 (32 MiB), zstd (zarr-python's default codecs), written by xarray on zarr-python.
Each round times, in an order that turns from round to round:

- read: ``xr.open_dataset(path, engine=E, chunks={}).load()`` with E = ``"zarrdist"``
  and ``"zarr"`` (each engine's default blocks: shards for zarrdist, chunks for
  xarray's zarr backend);
- write: ``ds.to_zarr(out, encoding=same layout)`` of the loaded dataset in blocks of
  one shard (which xarray's writer accepts), by ``zarrdist.xarray.to_zarr`` and by
  ``Dataset.to_zarr``.

Both run on dask's threaded scheduler in this process. The reads are checked
identical and the written stores byte-equal. Printed: min and median seconds per
operation, zarrdist's time as a fraction of xarray's (target: <= 0.7), and the
CPU seconds of the process (all threads) with the same fraction.

Run: ``python tests/benchmarks/bench_xarray.py --scale 1 --rounds 3``
(``--scale 0.05`` for a quick check).
"""

from __future__ import annotations

import argparse
import gc
import shutil
import statistics
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

import zarrdist.xarray as zx

LAT, LON = 256, 512  # one time step of one variable: 512 KiB
CHUNK_T, SHARD_T = 8, 64


def dataset(scale: float) -> xr.Dataset:
    """Two float32 fields, (time, 256, 512) each, 1 GiB together at scale 1."""
    ntime = max(SHARD_T, round(1024 * scale / SHARD_T) * SHARD_T)
    rng = np.random.default_rng(0)
    lat, lon = np.linspace(-90, 90, LAT), np.linspace(0, 360, LON, endpoint=False)
    base = np.cos(np.deg2rad(lat))[:, None] * np.sin(np.deg2rad(lon))[None, :]
    fields = {}
    for i, name in enumerate(("t2m", "u10")):
        data = np.empty((ntime, LAT, LON), dtype="f4")
        for t in range(ntime):
            noise = rng.standard_normal((LAT, LON), dtype="f4")
            data[t] = 280 + 15 * base * np.cos(t / 24 + i) + np.round(noise, 2)
        fields[name] = (("time", "lat", "lon"), data, {"units": "K" if i == 0 else "m/s"})
    time_ = pd.date_range("2000-01-01", periods=ntime, freq="h")
    return xr.Dataset(fields, coords={"time": time_, "lat": lat, "lon": lon})


def encoding(ds: xr.Dataset) -> dict[str, dict[str, tuple[int, ...]]]:
    layout = {"chunks": (CHUNK_T, LAT, LON), "shards": (SHARD_T, LAT, LON)}
    return {name: dict(layout) for name in ds.data_vars}


def timed(fn: Callable[[], object]) -> tuple[float, float]:
    """Wall seconds, and CPU seconds of the whole process (every thread)."""
    gc.collect()
    start, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - start, time.process_time() - cpu


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="dataset size in GiB")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--dir", default=None, help="scratch directory (default: a temp dir)")
    args = parser.parse_args()
    warnings.filterwarnings("ignore", message="Consolidated metadata is currently not part")
    root = Path(tempfile.mkdtemp(prefix="bench-xarray-", dir=args.dir))
    try:
        source = dataset(args.scale)
        gib = sum(v.nbytes for v in source.data_vars.values()) / 2**30
        print(f"dataset: {dict(source.sizes)}, {gib:.2f} GiB, chunks {CHUNK_T}, shards {SHARD_T}")
        path = root / "source.zarr"
        source.chunk({"time": SHARD_T}).to_zarr(path, encoding=encoding(source), zarr_format=3)
        blocks = source.chunk({"time": SHARD_T})

        loaded: dict[str, xr.Dataset] = {}

        def read(engine: str) -> Callable[[], object]:
            def run() -> None:
                loaded[engine] = xr.open_dataset(path, engine=engine, chunks={}).load()

            return run

        def write(who: str) -> Callable[[], object]:
            def run() -> None:
                out = root / f"out-{who}.zarr"
                shutil.rmtree(out, ignore_errors=True)
                kwargs = {"encoding": encoding(source), "zarr_format": 3, "mode": "w"}
                if who == "zarrdist":
                    zx.to_zarr(blocks, out, **kwargs)
                else:
                    blocks.to_zarr(out, **kwargs)

            return run

        ops = {
            ("read", "zarrdist"): read("zarrdist"),
            ("read", "xarray"): read("zarr"),
            ("write", "zarrdist"): write("zarrdist"),
            ("write", "xarray"): write("xarray"),
        }
        times: dict[tuple[str, str], list[float]] = {k: [] for k in ops}
        cpus: dict[tuple[str, str], list[float]] = {k: [] for k in ops}
        order = list(ops)
        for r in range(args.rounds):
            turn = order[r % len(order) :] + order[: r % len(order)]
            for key in turn:
                wall, cpu = timed(ops[key])
                times[key].append(wall)
                cpus[key].append(cpu)
            print(
                f"round {r + 1}: " + ", ".join(f"{k[0]} {k[1]} {times[k][-1]:.2f}s" for k in turn)
            )
        xr.testing.assert_identical(loaded["zarrdist"], loaded["zarr"])
        xr.testing.assert_identical(loaded["zarrdist"], source)
        assert tree(root / "out-zarrdist.zarr") == tree(root / "out-xarray.zarr")
        print("checked: reads identical to the source, written stores byte-equal")
        # CPU seconds (all threads) say what each library costs on a machine whose
        # other load makes wall times noisy: there a library running more threads
        # (zarr-python's event loop and codec pool) gets a larger share of the cores.
        header = f"{'op':<6}{'library':<10}{'min s':>8}{'median s':>10}{'ratio':>8}"
        print(header + f"{'cpu s':>8}{'cpu ratio':>11}")
        for op in ("read", "write"):
            for who in ("zarrdist", "xarray"):
                t, c = times[(op, who)], cpus[(op, who)]
                ratio = min(t) / min(times[(op, "xarray")])
                cpu_ratio = min(c) / min(cpus[(op, "xarray")])
                print(
                    f"{op:<6}{who:<10}{min(t):>8.2f}{statistics.median(t):>10.2f}{ratio:>8.2f}"
                    f"{min(c):>8.2f}{cpu_ratio:>11.2f}"
                )
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
