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

Reports, per workload, each interpreter's median wall and CPU seconds over the
rounds and the ratio to the first interpreter's. Run::

    python tests/benchmarks/bench_versions.py --python /tmp/old/bin/python \\
        --python .venv/bin/python --rounds 3
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile

CHILD = r"""
import json, resource, sys, time
import numpy as np
import zarrdist
from zarrdist.codecs import ZstdCodec

root, scale = sys.argv[1], float(sys.argv[2])
rng = np.random.default_rng(0)
out = {}

def timed(name, fn):
    r0, t0 = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
    fn()
    t1, r1 = time.perf_counter(), resource.getrusage(resource.RUSAGE_SELF)
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    out[name] = (t1 - t0, cpu)

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
print(json.dumps(out))
"""


def run_once(python: str, scale: float) -> dict[str, tuple[float, float]]:
    """One child run under ``python`` into fresh stores: {workload: (wall, cpu)}."""
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
    result: dict[str, tuple[float, float]] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--python", action="append", required=True, help="interpreters")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args()
    pythons: list[str] = args.python
    runs: dict[str, list[dict[str, tuple[float, float]]]] = {p: [] for p in pythons}
    for r in range(args.rounds):
        order = pythons[r % len(pythons) :] + pythons[: r % len(pythons)]
        for python in order:
            runs[python].append(run_once(python, args.scale))
            print(f"round {r + 1}: {python} done", file=sys.stderr, flush=True)
    base = pythons[0]
    names = list(runs[base][0])
    print(f"{'workload':16s} {'python':40s} {'wall s':>8s} {'cpu s':>8s} {'ratio':>6s}")
    for name in names:
        ref = statistics.median(run[name][0] for run in runs[base])
        for python in pythons:
            wall = statistics.median(run[name][0] for run in runs[python])
            cpu = statistics.median(run[name][1] for run in runs[python])
            print(f"{name:16s} {python[-40:]:40s} {wall:8.3f} {cpu:8.3f} {wall / ref:6.2f}")


if __name__ == "__main__":
    main()
