"""Two installations of zarrdist side by side in one run: is a change a slowdown?

Each ``--python`` names an interpreter with a zarrdist installed (e.g. a throwaway
venv with an older commit installed editable). The workloads use only the public API
both versions share, each round runs every interpreter once in turn (the order turns
from round to round), each run in its own process and into new stores:

- ``W1``: float32 (``--scale`` x 128, 512, 512), 1 MiB chunks, zstd level 1: write,
  then full read.
- ``W2``: the same data in 32x256x256-element shards of 32³ chunks: write, read.
- ``W3``: uint16 (``--scale`` x 4, 1024, 1024) in 8 KiB chunks: write, then read.
- ``W4``: 500 random single-element reads of the W1 array (median per read).

Before the workloads, each child imports zarrdist and what its graphs need (dask,
the graph modules), timed as ``imports``: versions differ in when they import dask
(at array creation, or at the first graph), and the first timed workload should not
carry that. ``whole process`` is the child's own wall time (from after Python's
start) and CPU seconds, from start to exit, imports and checks included.

Reports, per workload, each interpreter's median wall, CPU (user+sys) and user
seconds over the rounds and their ratios to the first interpreter's (on a shared
machine the system time of writes moves with other processes' writeback; user time
is the steadier measure of the library's own work). Run::

    python tests/benchmarks/bench_versions.py --python /tmp/old/bin/python \\
        --python .venv/bin/python --rounds 5
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile

CHILD = r"""
import importlib, json, resource, sys, time
start = time.perf_counter()
import numpy as np

root, scale = sys.argv[1], float(sys.argv[2])
rng = np.random.default_rng(0)
out = {}

def timed(name, fn):
    r0, t0 = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
    fn()
    t1, r1 = time.perf_counter(), resource.getrusage(resource.RUSAGE_SELF)
    user = r1.ru_utime - r0.ru_utime
    out[name] = (t1 - t0, user + (r1.ru_stime - r0.ru_stime), user)

def imports():
    # What the workloads' graphs need, imported before any workload is timed: one
    # version imports dask when an array is created, another at its first graph, and
    # either way it is a cost of the process, not of the first workload.
    import zarrdist
    import dask.array, dask.threaded
    for name in ("zarrdist.graphs.write", "zarrdist.graphs.read", "graphs.write", "graphs.read"):
        try:
            importlib.import_module(name)
        except ImportError:
            pass

timed("imports", imports)
import zarrdist
from zarrdist.codecs import ZstdCodec

n = max(32, 32 * round(4 * scale))
field = np.cumsum(rng.standard_normal((n, 512, 512), dtype="f4"), axis=2)
z1 = zarrdist.create_array(f"{root}/w1.zarr", shape=field.shape, chunks=(8, 128, 256),
                           dtype="f4", compressors=ZstdCodec(level=1))
timed("W1 write", lambda: z1.__setitem__(Ellipsis, field))
timed("W1 read", lambda: z1[...])
z2 = zarrdist.create_array(f"{root}/w2.zarr", shape=field.shape, chunks=(32, 32, 32),
                           shards=(32, 256, 256), dtype="f4",
                           compressors=ZstdCodec(level=1))
timed("W2 write", lambda: z2.__setitem__(Ellipsis, field))
timed("W2 read", lambda: z2[...])
points = [tuple(int(rng.integers(0, s)) for s in field.shape) for _ in range(500)]
def point_reads():
    for p in points:
        z1[p]
timed("W4 500 points", point_reads)
m = max(1, int(4 * scale))
small = rng.integers(0, 1000, (m, 1024, 1024), dtype="u2")
z3 = zarrdist.create_array(f"{root}/w3.zarr", shape=small.shape, chunks=(1, 64, 64),
                           dtype="u2", compressors=ZstdCodec(level=1))
timed("W3 write", lambda: z3.__setitem__(Ellipsis, small))
timed("W3 read", lambda: z3[...])
assert (z1[...] == field).all() and (z2[...] == field).all() and (z3[...] == small).all()
end = resource.getrusage(resource.RUSAGE_SELF)
out["whole process"] = (time.perf_counter() - start, end.ru_utime + end.ru_stime, end.ru_utime)
print(json.dumps(out))
"""


def run_once(python: str, scale: float) -> dict[str, tuple[float, float, float]]:
    """One child run under ``python`` into fresh stores: {workload: (wall, cpu, user)}."""
    with tempfile.TemporaryDirectory(prefix="bench-versions-") as root:
        done = subprocess.run(
            [python, "-c", CHILD, root, str(scale)],
            check=False,
            capture_output=True,
            text=True,
            cwd=root,  # never the checkout: each interpreter imports its own zarrdist
        )
    if done.returncode:
        raise SystemExit(f"{python} failed:\n{done.stderr}")
    result: dict[str, tuple[float, float, float]] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--python", action="append", required=True, help="interpreters")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args()
    pythons: list[str] = args.python
    runs: dict[str, list[dict[str, tuple[float, float, float]]]] = {p: [] for p in pythons}
    for r in range(args.rounds):
        order = pythons[r % len(pythons) :] + pythons[: r % len(pythons)]
        for python in order:
            runs[python].append(run_once(python, args.scale))
            print(f"round {r + 1}: {python} done", file=sys.stderr, flush=True)
    base = pythons[0]
    names = list(runs[base][0])
    print(
        f"{'workload':16s} {'python':40s} {'wall s':>8s} {'cpu s':>8s} {'user s':>8s} "
        f"{'wall':>6s} {'cpu':>6s} {'user':>6s}  (ratios to the first)"
    )
    for name in names:
        ref = [statistics.median(run[name][i] for run in runs[base]) for i in range(3)]
        for python in pythons:
            mine = [statistics.median(run[name][i] for run in runs[python]) for i in range(3)]
            ratios = " ".join(
                f"{m / r:6.2f}" if r else "     -" for m, r in zip(mine, ref, strict=True)
            )
            print(
                f"{name:16s} {python[-40:]:40s} {mine[0]:8.3f} {mine[1]:8.3f} {mine[2]:8.3f} "
                f"{ratios}"
            )


if __name__ == "__main__":
    main()
