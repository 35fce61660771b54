"""Peak memory of a full read: output plus per-thread task buffers (issue "The graph engine").

``python tests/benchmarks/bench_memory.py`` writes a 256 MiB float32 array in 1 MiB
chunks (zstd level 1), then reads it whole and reports the peak of Python-traced
allocations (numpy buffers included) above the output array (itself mapped, not
traced). The same data sharded (32^3 inner chunks in 32 MiB shards) is measured the
same way. Two budgets are printed per case: the issue's "one task's buffers per
thread" as a task held them before reads went in parts (all of its encoded bytes
plus one decoded chunk), and what a task holds now from local files: one part of
at most 8 MiB (``zarrdist.chunkio.read._PART_BYTES``) plus one decoded chunk.

Traced allocations miss memory that is not a Python allocation: the per-thread
fetch buffers (anonymous mappings), zstd's contexts, the page-aligned output. On
Linux the resident peak above the output is printed too (the process's peak
resident size, reset before the read), which counts all of it.
"""

from __future__ import annotations

import math
import mmap
import subprocess
import sys
import tempfile
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_engine import field

import zarrdist
from zarrdist.chunkio.read import _PART_BYTES
from zarrdist.codecs import ZstdCodec

MiB = 1 << 20


def status_kib(field: str) -> int:
    """A field of /proc/self/status, in KiB."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise KeyError(field)


_RSS_PROBE = """
import sys, zarrdist
from bench_memory import status_kib
z = zarrdist.open_array(sys.argv[1], mode="r")
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")  # resets the peak (VmHWM) to the current resident size
before = status_kib("VmRSS")
out = z[...]
print((status_kib("VmHWM") - before) * 1024 - out.nbytes)
"""


def rss_peak_above_output(z: zarrdist.Array) -> int | None:
    """Peak resident memory above the output during a first read of ``z`` in a fresh
    process: everything the read touched, C allocations, the per-thread buffers it
    keeps and its thread stacks included (Linux; None elsewhere)."""
    if not Path("/proc/self/clear_refs").exists():
        return None
    done = subprocess.run(
        [sys.executable, "-c", _RSS_PROBE, str(z.store.root)],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parent,
    )
    return int(done.stdout)


def peak_above_output(z: zarrdist.Array) -> tuple[int, int]:
    """Peak traced bytes above the output during ``z[...]``, and the output's size."""
    tracemalloc.start()
    out = z[...]
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    # Outputs of 32 MiB and more are anonymous mappings (zarrdist.chunkio.buffers), which
    # tracemalloc does not see: then every traced byte is above the output.
    traced_output = 0 if isinstance(out.base, mmap.mmap) else out.nbytes
    return peak - traced_output, out.nbytes


def main() -> None:
    data = field((256, 512, 512), "float32")
    threads = zarrdist.config.get("threading.max_workers") or 2
    z = zarrdist.create_array(
        tempfile.mkdtemp(),
        shape=data.shape,
        dtype="f4",
        chunks=(64, 64, 64),
        compressors=[ZstdCodec(level=1)],
    )
    z[...] = data
    extra, nbytes = peak_above_output(z)
    rss = rss_peak_above_output(z)
    units = z.nchunks // (threads * zarrdist.config.get("graph.tasks_per_thread"))
    encoded = z.nbytes_stored() / z.nchunks
    task = units * encoded + MiB  # a task's encoded chunks + one decoded chunk
    part = min(units, _PART_BYTES // MiB) * encoded + MiB
    print(
        f"chunks: output {nbytes / MiB:.0f} MiB; peak above output {extra / MiB:.1f} MiB; "
        f"one task's buffers ~{task / MiB:.1f} MiB x {threads} threads = "
        f"{threads * task / MiB:.1f} MiB; one part's ~{part / MiB:.1f} MiB x {threads} = "
        f"{threads * part / MiB:.1f} MiB{_rss(rss)}"
    )
    # Sharded: a task is one 32 MiB shard; it holds the shard's encoded bytes and one
    # decoded 128 KiB inner chunk at a time, not the shard decoded.
    s = zarrdist.create_array(
        tempfile.mkdtemp(),
        shape=data.shape,
        dtype="f4",
        chunks=(32, 32, 32),
        shards=(128, 256, 256),
        compressors=[ZstdCodec(level=1)],
    )
    s[...] = data
    del data
    extra, nbytes = peak_above_output(s)
    rss = rss_peak_above_output(s)
    shard = 128 * 256 * 256 * 4
    nshards = math.prod(-(-n // c) for n, c in zip(s.shape, s.shards, strict=True))
    task = s.nbytes_stored() / nshards + 32**3 * 4
    part = min(s.nbytes_stored() / nshards, _PART_BYTES) + 32**3 * 4
    print(
        f"shards: output {nbytes / MiB:.0f} MiB; peak above output {extra / MiB:.1f} MiB; "
        f"one task's buffers ~{task / MiB:.1f} MiB x {threads} threads = "
        f"{threads * task / MiB:.1f} MiB; one part's ~{part / MiB:.1f} MiB x {threads} = "
        f"{threads * part / MiB:.1f} MiB (a decoded shard alone is {shard / MiB:.0f} MiB){_rss(rss)}"
    )


def _rss(rss: int | None) -> str:
    return "" if rss is None else f"; resident peak above output {rss / MiB:.1f} MiB"


if __name__ == "__main__":
    main()
