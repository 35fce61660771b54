"""Reads into GPU memory: zarrdist against zarr-python 3.1.5 (``enable_gpu()``) and
kvikio's Zarr store, side by side in one run on one GPU.

Run: ``python tests/benchmarks/bench_gpu.py [--scale S] [--repeat N] [--out FILE]``
(``tests/gpu/run_device_checks.sh`` runs it on a device machine).

At ``--scale 1`` the array is 2 GiB of float32 (a smooth field plus noise,
quantised so zstd level 1 compresses it 2-4x), stored twice on local disk: in
1 MiB chunks (512 x 512), and sharded in 64 MiB shards (4096 x 4096) of those
chunks. Each library reads the whole array into device memory (``a[...]`` under
its GPU setting, then a device synchronise); the files are in the page cache
after the first read, so this measures decode and copies, not the disk.

Then decode alone: 256 MiB of the same 1 MiB zstd chunks decoded by the host
(``zstandard`` on one thread and on every core) and by nvCOMP on the device
(input already in device memory, one batch).

Targets (issue 23): zarrdist >= 3x zarr-python's throughput; device decode >= 5x
the host's all-core zstd decode. Results print as a table and as JSON (``--out``,
else ``$OUT/bench_gpu.json`` when ``$OUT`` is set). Without CuPy or a GPU it
prints why and exits with status 3, measuring nothing.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

GiB = 1 << 30
MiB = 1 << 20
CHUNK = (512, 512)  # 1 MiB of float32
SHARD = (4096, 4096)  # 64 MiB
COLUMNS = 32768
NO_GPU_STATUS = 3


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line: ``--scale`` (1 = 2 GiB), ``--repeat``, ``--out``, ``--workdir``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1 = a 2 GiB array")
    parser.add_argument("--repeat", type=int, default=3, help="timed reads per case (median)")
    parser.add_argument("--out", type=Path, default=None, help="JSON results file")
    parser.add_argument("--workdir", type=Path, default=None, help="where the arrays go")
    args = parser.parse_args(argv)
    if not args.scale > 0:
        parser.error(f"--scale must be positive, got {args.scale}")
    if args.repeat < 1:
        parser.error(f"--repeat must be at least 1, got {args.repeat}")
    return args


def array_shape(scale: float) -> tuple[int, int]:
    """The benchmark array's shape: 2 GiB of float32 at scale 1, rows in whole shards
    (whole chunks below one shard's worth)."""
    rows = 16384 * scale
    step = SHARD[0] if rows >= SHARD[0] else CHUNK[0]
    return max(step, round(rows / step) * step), COLUMNS


def gpu_problem() -> str | None:
    """Why there is no GPU to measure on, or None."""
    try:
        import cupy
    except ImportError:
        return "CuPy is not installed (pip install 'zarrdist[gpu]')"
    try:
        count = cupy.cuda.runtime.getDeviceCount()
    except cupy.cuda.runtime.CUDARuntimeError as error:
        return f"CUDA reports no usable device ({error})"
    return None if count > 0 else "CUDA reports no device"


def make_block(rows: int, start: int) -> np.ndarray:
    """Rows ``start..start+rows`` of the field: smooth plus noise, quantised to 1/16."""
    y = np.linspace(0, 4 * np.pi, rows, dtype="f4")[:, None] + start * 1e-3
    x = np.linspace(0, 16 * np.pi, COLUMNS, dtype="f4")[None, :]
    noise = np.random.default_rng(start).normal(0, 0.5, (rows, COLUMNS)).astype("f4")
    return np.round((np.sin(y) * np.cos(x) * 100 + noise) * 16) / 16


def write_arrays(workdir: Path, shape: tuple[int, int]) -> dict[str, Path]:
    """The array, chunked and sharded (zarrdist writes; zstd level 1), by layout name."""
    import zarrdist

    paths = {"chunks 1 MiB": workdir / "chunked.zarr", "shards 64 MiB": workdir / "sharded.zarr"}
    for (name, path), shards in zip(paths.items(), [None, SHARD], strict=True):
        z = zarrdist.create_array(
            path,
            shape=shape,
            chunks=CHUNK,
            shards=shards,
            dtype="float32",
            compressors=zarrdist.codecs.ZstdCodec(level=1),
            overwrite=True,
        )
        band = min(SHARD[0], shape[0])
        for start in range(0, shape[0], band):
            z[start : start + band] = make_block(band, start)
        print(f"wrote {name}: {path}", flush=True)
    return paths


def timed(read: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """Median seconds of ``repeat`` reads (after one warm-up), and the last result."""
    import cupy

    out = read()  # warm-up: page cache, CUDA context, nvCOMP handles
    times = []
    for _ in range(repeat):
        del out
        cupy.get_default_memory_pool().free_all_blocks()
        cupy.cuda.Device().synchronize()
        t0 = time.perf_counter()
        out = read()
        cupy.cuda.Device().synchronize()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def readers(path: Path) -> dict[str, Callable[[], Any]]:
    """Whole-array reads into device memory, by library."""
    import zarr

    import zarrdist

    def zarrdist_read() -> Any:
        with zarrdist.config.enable_gpu():
            return zarrdist.open_array(path, mode="r")[...]

    def zarr_python_read() -> Any:
        with zarr.config.enable_gpu():
            return zarr.open_array(str(path), mode="r")[...]

    found = {"zarrdist": zarrdist_read, "zarr-python": zarr_python_read}
    try:
        from kvikio.zarr import GDSStore
    except ImportError:
        return found

    def kvikio_read() -> Any:
        with zarr.config.enable_gpu():
            return zarr.open_array(GDSStore(str(path)), mode="r")[...]

    found["kvikio GDSStore"] = kvikio_read
    return found


def bench_reads(paths: dict[str, Path], nbytes: int, repeat: int) -> dict[str, Any]:
    """GB/s of each library's read of each layout, and zarrdist / zarr-python."""
    import cupy

    results: dict[str, Any] = {}
    for layout, path in paths.items():
        row: dict[str, Any] = {}
        reference = None
        for library, read in readers(path).items():
            try:
                seconds, out = timed(read, repeat)
            except (OSError, RuntimeError, TypeError, ValueError, AttributeError) as error:
                # A peer that cannot read the array is reported, not fatal.
                row[library] = {"error": f"{type(error).__name__}: {error}"}
                continue
            assert isinstance(out, cupy.ndarray), f"{library} returned {type(out)}"
            if reference is None:
                reference = out
            else:
                assert bool(cupy.array_equal(out, reference)), f"{library} read other values"
            row[library] = {"seconds": seconds, "GB/s": nbytes / seconds / 1e9}
            del out
        ours, theirs = row.get("zarrdist", {}), row.get("zarr-python", {})
        if "GB/s" in ours and "GB/s" in theirs:
            row["ratio zarrdist / zarr-python"] = ours["GB/s"] / theirs["GB/s"]
        results[layout] = row
    return results


def bench_decode(repeat: int) -> dict[str, Any]:
    """Decode alone: 256 x 1 MiB zstd chunks on the host (1 thread, all cores) and by
    nvCOMP on the device (input already in device memory)."""
    import cupy
    import numcodecs
    import zstandard

    from zarrdist.codecs.device import nvcomp_backend

    chunk = make_block(CHUNK[0], 0)[:, : CHUNK[1]].copy()
    frames = [numcodecs.Zstd(level=1).encode(np.roll(chunk, i)) for i in range(256)]
    nbytes, raw = 256 * chunk.nbytes, chunk.nbytes

    def host_one(frame: bytes) -> bytes:
        return zstandard.ZstdDecompressor().decompress(frame, max_output_size=raw)

    def median(run: Callable[[], Any]) -> float:
        run()
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            run()
            times.append(time.perf_counter() - t0)
        return statistics.median(times)

    threads = os.cpu_count() or 1
    with concurrent.futures.ThreadPoolExecutor(threads) as pool:
        host_all = median(lambda: list(pool.map(host_one, frames)))
    host_single = median(lambda: [host_one(f) for f in frames])
    backend = nvcomp_backend()
    device_frames = [cupy.asarray(np.frombuffer(f, dtype="u1")) for f in frames]
    outputs: list[Any] = []

    def device_run() -> None:
        outputs[:] = backend.decompress("zstd", device_frames, [raw] * len(frames))
        cupy.cuda.Device().synchronize()

    device = median(device_run)
    assert outputs[0].get().tobytes() == host_one(frames[0]), "nvCOMP decoded other bytes"
    return {
        "host zstd, 1 thread GB/s": nbytes / host_single / 1e9,
        f"host zstd, {threads} threads GB/s": nbytes / host_all / 1e9,
        "device nvCOMP zstd GB/s": nbytes / device / 1e9,
        "ratio device / host (all threads)": host_all / device,
    }


def report(results: dict[str, Any], out: Path | None) -> None:
    """Print the results and write them as JSON."""
    print(json.dumps(results, indent=2))
    target = out or (Path(os.environ["OUT"]) / "bench_gpu.json" if os.environ.get("OUT") else None)
    if target is not None:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(results, indent=2))
        print(f"results written to {target}")


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; the exit status is 3 where there is no GPU."""
    args = parse_args(argv)
    problem = gpu_problem()
    if problem is not None:
        print(f"bench_gpu: no GPU to measure on: {problem}; nothing was measured.", file=sys.stderr)
        return NO_GPU_STATUS
    import cupy

    shape = array_shape(args.scale)
    nbytes = shape[0] * shape[1] * 4
    props = cupy.cuda.runtime.getDeviceProperties(0)
    name = props["name"]
    results: dict[str, Any] = {
        "device": name.decode() if isinstance(name, bytes) else str(name),
        "array": {"shape": list(shape), "GiB": nbytes / GiB, "chunk": list(CHUNK)},
    }
    with tempfile.TemporaryDirectory(dir=args.workdir, prefix="bench-gpu-") as tmp:
        paths = write_arrays(Path(tmp), shape)
        results["reads"] = bench_reads(paths, nbytes, args.repeat)
    results["decode"] = bench_decode(args.repeat)
    ratios = [row.get("ratio zarrdist / zarr-python", 0.0) for row in results["reads"].values()]
    results["targets"] = {
        "zarrdist >= 3x zarr-python (every layout)": all(r >= 3 for r in ratios),
        "device decode >= 5x host zstd": results["decode"]["ratio device / host (all threads)"]
        >= 5,
    }
    report(results, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
