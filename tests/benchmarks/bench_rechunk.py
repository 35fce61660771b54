"""Bounded-memory rechunk: time-chunked to space-chunked, 4x larger than the cluster's memory.

The source is a Zarr v2 float32 array of shape (1024 * GiB, 512, 512) in daily
chunks (1, 512, 512) (1 MiB, Blosc lz4), written by zarr-python 3.1.5. Each engine
rechunks it to (T, 32, 32) chunks (a whole time series per chunk) on a LocalCluster
of ``--workers`` processes x 1 thread with ``--memory-limit`` each:

- ``zarrdist``: ``zarrdist copy SRC DST --chunks T,32,32 --workers W --memory-limit M``.
- ``dask``: ``dask.array.from_zarr(SRC).rechunk(...)`` stored into a zarr-python array
  (dask's own rechunk, with its default method, then ``to_zarr``).
- ``rechunker``: rechunker 0.5.4 on zarr-python 2.18, when ``--rechunker-python``
  names an interpreter that has them (rechunker does not support zarr-python 3).

Each engine runs in its own process; a sampler records every worker process's
resident memory every 50 ms. Every result is then verified against the source
(``zarrdist verify --against``, which reads each array once).

Run: ``python tests/benchmarks/bench_rechunk.py --gib 4 --workers 2 --memory-limit 512MiB``
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import psutil

MiB = 1 << 20
SPACE = 512
TILE = 32

_DASK_SCRIPT = """
import logging, sys, time
import dask, dask.array as da, zarr
from distributed import Client, LocalCluster
src, dst, workers, memory, t = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5])
with LocalCluster(n_workers=workers, threads_per_worker=1, memory_limit=memory,
                  processes=True, silence_logs=logging.ERROR, dashboard_address=":0") as c:
    with Client(c):
        source = zarr.open_array(src, mode="r")
        target = zarr.create_array(dst, shape=source.shape, chunks=(t, 32, 32),
                                   dtype=source.dtype, zarr_format=2,
                                   compressors=source.compressors)
        x = da.from_zarr(source)
        y = x.rechunk((t, 32, 32))
        print("rechunk method:", dask.config.get("array.rechunk.method"), file=sys.stderr)
        y.to_zarr(target)
"""

_RECHUNKER_SCRIPT = """
import logging, sys, zarr
from distributed import Client, LocalCluster
from rechunker import rechunk
src, dst, workers, memory, t, tmp, max_mem = sys.argv[1:8]
with LocalCluster(n_workers=int(workers), threads_per_worker=1, memory_limit=memory,
                  processes=True, silence_logs=logging.ERROR, dashboard_address=":0") as c:
    with Client(c):
        source = zarr.open(src, mode="r")
        plan = rechunk(source, (int(t), 32, 32), max_mem, dst, temp_store=tmp)
        print(plan, file=sys.stderr)
        plan.execute()
"""


def make_source(path: Path, days: int) -> None:
    """Smooth fields plus noise, one chunk per day, written by zarr-python 3.1.5."""
    import zarr

    z = zarr.create_array(
        str(path),
        shape=(days, SPACE, SPACE),
        chunks=(1, SPACE, SPACE),
        dtype="f4",
        zarr_format=2,
        compressors={"id": "blosc", "cname": "lz4", "clevel": 5, "shuffle": 1},
    )
    rng = np.random.default_rng(0)
    y, x = np.meshgrid(
        np.linspace(0, 4 * np.pi, SPACE), np.linspace(0, 4 * np.pi, SPACE), indexing="ij"
    )
    base = (np.sin(y) * np.cos(x)).astype("f4")
    step = 64
    for start in range(0, days, step):
        n = min(step, days - start)
        phase = np.cos(np.arange(start, start + n, dtype="f4") / 58.0)[:, None, None]
        block = 280 + 10 * base[None] * phase + rng.standard_normal((n, SPACE, SPACE), "f4")
        z[start : start + n] = np.round(block * 16) / 16


class Sampler:
    """Peak RSS of each process below ``root`` (workers are the spawned ones)."""

    def __init__(self, root: int) -> None:
        self.root = psutil.Process(root)
        self.peaks: dict[int, tuple[int, str]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                processes = [self.root, *self.root.children(recursive=True)]
            except psutil.NoSuchProcess:
                return
            for p in processes:
                try:
                    rss = p.memory_info().rss
                    kind = "worker" if "spawn_main" in " ".join(p.cmdline()) else "client"
                except psutil.Error:
                    continue
                if rss > self.peaks.get(p.pid, (0, ""))[0]:
                    self.peaks[p.pid] = (rss, kind)
            time.sleep(0.05)

    def stop(self) -> dict[str, int]:
        self._stop.set()
        self._thread.join()
        workers = [r for r, kind in self.peaks.values() if kind == "worker"]
        clients = [r for r, kind in self.peaks.values() if kind == "client"]
        return {
            "peak_worker_rss": max(workers, default=0),
            "workers_seen": len(workers),
            "peak_client_rss": max(clients, default=0),
        }


def run_engine(command: list[str], log: Path) -> dict[str, Any]:
    start = time.perf_counter()
    with log.open("w") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
        sampler = Sampler(process.pid)
        returncode = process.wait()
    result = sampler.stop()
    result.update(seconds=round(time.perf_counter() - start, 1), returncode=returncode)
    return result


def verify(dst: Path, src: Path, args: argparse.Namespace) -> bool:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "zarrdist",
            "verify",
            str(dst),
            "--against",
            str(src),
            "--workers",
            str(args.workers),
            "--threads",
            "1",
            "--no-progress",
            "--dashboard-address",
            ":0",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    return result.returncode == 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gib", type=float, default=4.0, help="array size in GiB")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--memory-limit", default="512MiB")
    parser.add_argument("--engines", default="zarrdist,dask,rechunker")
    parser.add_argument("--rechunker-python", default=None)
    parser.add_argument("--rechunker-max-mem", default="100MB")
    parser.add_argument("--dir", default=None)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    days = int(args.gib * 1024)
    root = Path(args.dir or tempfile.mkdtemp(prefix="bench-rechunk-"))
    root.mkdir(parents=True, exist_ok=True)
    src = root / "source.zarr"
    if not (src / ".zarray").exists():
        t = time.perf_counter()
        make_source(src, days)
        print(
            f"source: {days} x {SPACE} x {SPACE} float32 in {time.perf_counter() - t:.0f} s",
            file=sys.stderr,
        )
    commands = {
        "zarrdist": [
            sys.executable,
            "-m",
            "zarrdist",
            "copy",
            str(src),
            str(root / "zarrdist.zarr"),
            "--chunks",
            f"{days},{TILE},{TILE}",
            "--workers",
            str(args.workers),
            "--threads",
            "1",
            "--memory-limit",
            args.memory_limit,
            "--no-progress",
            "--dashboard-address",
            ":0",
            "--overwrite",
        ],
        "dask": [
            sys.executable,
            "-c",
            _DASK_SCRIPT,
            str(src),
            str(root / "dask.zarr"),
            str(args.workers),
            args.memory_limit,
            str(days),
        ],
    }
    if args.rechunker_python:
        commands["rechunker"] = [
            args.rechunker_python,
            "-c",
            _RECHUNKER_SCRIPT,
            str(src),
            str(root / "rechunker.zarr"),
            str(args.workers),
            args.memory_limit,
            str(days),
            str(root / "rechunker-tmp.zarr"),
            args.rechunker_max_mem,
        ]
    results = {}
    for engine in args.engines.split(","):
        if engine not in commands:
            continue
        dst = root / f"{engine}.zarr"
        for stale in (dst, root / "rechunker-tmp.zarr"):
            shutil.rmtree(stale, ignore_errors=True)
        result = run_engine(commands[engine], root / f"{engine}.log")
        result["verified"] = result["returncode"] == 0 and verify(dst, src, args)
        results[engine] = result
        print(engine, json.dumps(result), file=sys.stderr)
    limit = int(
        psutil.virtual_memory().total if args.memory_limit == "auto" else _size(args.memory_limit)
    )
    print(
        f"array {args.gib:g} GiB; {args.workers} workers x {args.memory_limit} "
        f"({args.workers * limit / 2**30:.2f} GiB in all)"
    )
    print(
        f"{'engine':<10} {'seconds':>8} {'peak worker RSS':>16} {'under limit':>12} {'verified':>9}"
    )
    for engine, r in results.items():
        peak = r["peak_worker_rss"]
        print(
            f"{engine:<10} {r['seconds']:>8} {peak / MiB:>12.0f} MiB {peak < limit!s:>12} "
            f"{r['verified']!s:>9}"
        )
    if not args.keep:
        shutil.rmtree(root, ignore_errors=True)


def _size(text: str) -> int:
    from zarrdist.cli.options import parse_size

    return parse_size(text)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONWARNINGS", "ignore")
    main()
