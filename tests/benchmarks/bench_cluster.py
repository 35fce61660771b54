"""Cluster benchmark: the distributed engine, and NumPy work with a Client open.

Workloads (issue "Ahead of TensorStore everywhere, and a cluster that pays for
itself"), on a 2-worker ``LocalCluster(processes=True)``, one thread per worker:

- W6 round trip: ``z[...] = da.from_array(numpy_data)``, then
  ``z.to_dask().compute()``, against dask.array on zarr-python 3.1.5
  (``x.to_zarr(zarr_array)``, then ``da.from_zarr(zarr_array).compute()``). Each
  write goes into a new store. Reported: time of each half, the peak resident
  memory summed over every process of the cluster and the client (each half's
  own; the input dask array, whose graph holds a copy of the data, is released
  before the read), and the graph each side sends to the scheduler (tasks,
  pickled bytes).
- NumPy with a Client open: ``z[:] = numpy_data`` and ``z[:]`` with the Client
  active against the same calls with no Client (target: at most 1.2x).
- Plans at scale: building the copy graph and ``to_dask()`` of fill-value-only
  arrays of 10^4 to 10^6 chunks (time and traced peak memory), no data written.

``python tests/benchmarks/bench_cluster.py --scale 1`` uses 512 MiB of float32 in
1 MiB chunks, as bench_engine's W1; ``--scale 0.125`` is a quick look.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import os
import pickle
import shutil
import statistics
import tempfile
import threading
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Self

import numpy as np

MiB = 1 << 20


class PeakRSS:
    """Samples the resident memory of this process and its children every 20 ms, and
    counts the CPU seconds they spend meanwhile (``cpu``: on a shared machine a
    steadier measure than wall time)."""

    def __init__(self) -> None:
        import psutil

        self._me = psutil.Process()
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _total(self) -> int:
        import psutil

        total = 0
        for proc in [self._me, *self._me.children(recursive=True)]:
            with contextlib.suppress(psutil.Error):  # a worker may exit meanwhile
                total += proc.memory_info().rss
        return total

    def _cpu(self) -> dict[int, float]:
        import psutil

        seconds = {}
        for proc in [self._me, *self._me.children(recursive=True)]:
            with contextlib.suppress(psutil.Error):
                times = proc.cpu_times()
                seconds[proc.pid] = times.user + times.system
        return seconds

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._total())
            time.sleep(0.02)

    def __enter__(self) -> Self:
        self.base = self._total()
        self._cpu_start = self._cpu()
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
        end = self._cpu()
        self.cpu = sum(t - self._cpu_start.get(pid, 0.0) for pid, t in end.items())


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def graph_stats(collection: Any) -> tuple[int, int]:
    """Tasks and pickled bytes of a dask collection's graph."""
    graph = dict(collection.__dask_graph__())
    return len(graph), len(pickle.dumps(graph, protocol=5))


def w6_round_trip(root: Path, data: np.ndarray[Any, Any], repeat: int) -> dict[str, Any]:
    import dask.array as da
    import zarr
    from distributed import Client, LocalCluster

    import zarrdist

    chunks = (64, 64, 64)
    results: dict[str, Any] = {}
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):

        def transitions() -> int:
            """Task transitions the scheduler has made so far: what reached the cluster."""
            count: int = client.run_on_scheduler(
                lambda dask_scheduler: dask_scheduler.transition_counter
            )
            return count

        def trip(
            path: Path, rss: PeakRSS, write: Callable[[Any], Any], read: Callable[[], Any]
        ) -> dict[str, Any]:
            x = da.from_array(data, chunks=chunks)
            before = transitions()
            t_w, _ = timed(functools.partial(write, x))
            write_peak = rss.peak
            # The input's graph holds a copy of the data (dask's from_array copies
            # NumPy blocks into it): it is the write's memory, released before the
            # read as a user's would be. Its size is taken here, outside both windows.
            g_write = graph_stats(x)
            del x
            time.sleep(0.05)  # a sample taken while pickling is stored before the reset
            rss.peak = rss.base  # the read's own peak from here (the sampler keeps the maximum)
            middle = transitions()
            y = read()
            t_r, out = timed(y.compute)
            return {
                "t_w": t_w, "t_r": t_r, "out": out, "g_write": g_write, "y": y,
                "write_peak": write_peak, "transitions": (middle - before, transitions() - middle),
            }  # fmt: skip

        def zarrdist_trip(path: Path, rss: PeakRSS) -> dict[str, Any]:
            z = zarrdist.create_array(
                str(path), shape=data.shape, chunks=chunks, dtype=data.dtype, overwrite=True
            )
            return trip(path, rss, lambda x: z.__setitem__(Ellipsis, x), z.to_dask)

        def zarr_trip(path: Path, rss: PeakRSS) -> dict[str, Any]:
            z = zarr.create_array(
                str(path), shape=data.shape, chunks=chunks, dtype=data.dtype, overwrite=True
            )
            return trip(path, rss, lambda x: x.to_zarr(z), lambda: da.from_zarr(z))

        runs = {"zarrdist": zarrdist_trip, "zarr-python": zarr_trip}
        times: dict[str, list[tuple[float, float, int, float]]] = {lib: [] for lib in runs}
        for round_ in range(repeat):
            order = list(runs) if round_ % 2 == 0 else list(reversed(runs))
            for lib in order:
                path = root / f"W6-{lib}-{round_}"
                with PeakRSS() as rss:
                    r = runs[lib](path, rss)
                assert np.array_equal(r["out"], data), f"{lib} W6 read back differs"
                del r["out"]
                write_peak, read_peak = r["write_peak"] - rss.base, rss.peak - rss.base
                times[lib].append((r["t_w"], r["t_r"], max(write_peak, read_peak), rss.cpu))
                shutil.rmtree(path, ignore_errors=True)
                # The read graph's size is taken after the measured window: pickling costs memory.
                g_write, g_read = r["g_write"], graph_stats(r["y"])
                print(
                    f"W6 {lib:12} round {round_}: write {r['t_w']:6.2f}s read {r['t_r']:6.2f}s  "
                    f"CPU (all processes) {rss.cpu:6.2f}s  peak RSS above idle: write "
                    f"{write_peak / MiB:5.0f} MiB, read {read_peak / MiB:5.0f} MiB  "
                    f"graphs: write {g_write[0]} tasks {g_write[1] / MiB:.1f} MiB, "
                    f"read {g_read[0]} tasks {g_read[1] / MiB:.2f} MiB; scheduler transitions "
                    f"write {r['transitions'][0]}, read {r['transitions'][1]}",
                    flush=True,
                )
        for lib, ts in times.items():
            results[lib] = {
                "write_s": statistics.median(t[0] for t in ts),
                "read_s": statistics.median(t[1] for t in ts),
                "peak_rss_bytes": max(t[2] for t in ts),
                "cpu_s": statistics.median(t[3] for t in ts),
            }
    return results


@contextmanager
def _client(active: bool) -> Iterator[None]:
    if not active:
        yield
        return
    from distributed import Client, LocalCluster

    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster),
    ):
        yield


def numpy_with_client(root: Path, data: np.ndarray[Any, Any], repeat: int) -> dict[str, Any]:
    import zarrdist

    z = zarrdist.create_array(
        str(root / "numpy"), shape=data.shape, chunks=(64, 64, 64), dtype=data.dtype
    )
    results: dict[str, Any] = {}
    for active in (False, True):
        with _client(active):
            writes, reads = [], []
            for _ in range(repeat):
                writes.append(timed(lambda: z.__setitem__(Ellipsis, data))[0])
                t_r, out = timed(lambda: z[...])
                reads.append(t_r)
            assert np.array_equal(out, data)
        label = "client" if active else "no client"
        results[label] = {"write_s": statistics.median(writes), "read_s": statistics.median(reads)}
        print(
            f"NumPy {label:9}: write {results[label]['write_s']:6.2f}s "
            f"read {results[label]['read_s']:6.2f}s",
            flush=True,
        )
    return results


def plan_curve(root: Path, sides: list[int]) -> dict[str, Any]:
    import zarrdist
    from zarrdist.graphs.copy import copy_graph
    from zarrdist.storage import LocalStore

    results: dict[str, Any] = {}
    for side in sides:
        shape = (side * 64, side * 128, side * 128)
        src = zarrdist.create_array(
            LocalStore(root / f"plan-src-{side}"), shape=shape, chunks=(64, 128, 128), dtype="f4"
        )
        dst = zarrdist.create_array(
            LocalStore(root / f"plan-dst-{side}"), shape=shape, chunks=(128, 128, 64), dtype="f4"
        )
        for what, build in (
            ("copy graph", lambda src=src, dst=dst: copy_graph(src._handle, dst._handle)),
            ("to_dask", src.to_dask),
        ):
            # Timed untraced (tracemalloc slows every allocation several times over),
            # then built again under tracemalloc for the peak.
            cpu_start = time.process_time()
            elapsed, built = timed(build)
            cpu = time.process_time() - cpu_start
            del built
            tracemalloc.start()
            built = build()
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            del built
            results[f"{what} {side**3}"] = {"s": elapsed, "cpu_s": cpu, "peak_bytes": peak}
            print(
                f"plan {what:10} {side**3:>9} chunks ({src.nbytes / 2**40:6.3f} TiB): "
                f"{elapsed:6.2f}s (CPU {cpu:6.2f}s), peak {peak / MiB:6.0f} MiB (traced)",
                flush=True,
            )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--only", default="W6,numpy,plan")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dir", default=None)
    parser.add_argument(
        "--plan-sides", default="22,46,100", help="chunks per axis for the plan curve (cubed)"
    )
    args = parser.parse_args()
    only = set(args.only.split(","))
    root = Path(args.dir or tempfile.mkdtemp(prefix="zarrdist-bench-cluster-"))
    root.mkdir(parents=True, exist_ok=True)
    try:
        from bench_engine import field  # type: ignore[import-not-found]

        n = max(64, int(512 * args.scale ** (1 / 3)) // 64 * 64)
        data = field((n, 512, 512), "float32")
        print(f"data {data.nbytes / MiB:.0f} MiB, {os.cpu_count()} cores", flush=True)
        if "W6" in only:
            w6 = w6_round_trip(root, data, args.repeat)
            mine, theirs = w6["zarrdist"], w6["zarr-python"]
            print(
                f"W6 zarrdist / dask.array on zarr-python: write "
                f"{mine['write_s'] / theirs['write_s']:.2f}  read "
                f"{mine['read_s'] / theirs['read_s']:.2f}  round trip "
                f"{(mine['write_s'] + mine['read_s']) / (theirs['write_s'] + theirs['read_s']):.2f}"
                f"  CPU {mine['cpu_s'] / theirs['cpu_s']:.2f}"
                f"   peak memory / data: zarrdist {mine['peak_rss_bytes'] / data.nbytes:.2f}, "
                f"zarr-python {theirs['peak_rss_bytes'] / data.nbytes:.2f}",
                flush=True,
            )
        if "numpy" in only:
            np_res = numpy_with_client(root, data, args.repeat)
            on, off = np_res["client"], np_res["no client"]
            print(
                f"NumPy with a Client / without: write {on['write_s'] / off['write_s']:.2f}  "
                f"read {on['read_s'] / off['read_s']:.2f}",
                flush=True,
            )
        if "plan" in only:
            plan_curve(root, [int(s) for s in args.plan_sides.split(",")])
    finally:
        if args.dir is None:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
