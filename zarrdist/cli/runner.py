"""Where the ``zarrdist`` command runs its graphs: an embedded LocalCluster, an existing
scheduler (``--scheduler ADDRESS`` or ``--scheduler-file``), or local threads.

The runner shows progress on a terminal (on stderr, so ``--json`` output stays
clean), prints the dashboard URL, and derives the memory one task may use from
the workers' memory limits.
"""

from __future__ import annotations

import contextlib
import importlib.util
import logging
import sys
import time
import warnings
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TextIO

import dask.local
import dask.threaded
from dask.diagnostics import ProgressBar
from dask.typing import Key

from zarrdist.arrayops.describe import n_human

__all__ = ["Runner", "format_summary", "open_runner", "task_memory_budget"]

MiB = 1 << 20
#: Resident memory of an idle worker process (interpreter, numpy, dask, codecs).
WORKER_BASELINE = 160 * MiB
#: Fraction of a worker's memory limit tasks may fill: distributed starts spilling
#: at 60% and pausing at 80%, so staying below keeps workers running at full speed.
WORKER_FRACTION = 0.6
#: The smallest per-task budget worth planning with.
MIN_TASK_MEMORY = 16 * MiB


def task_memory_budget(memory_limit: int | None, nthreads: int) -> int | None:
    """Bytes one task may use on a worker with ``memory_limit`` bytes and ``nthreads``
    threads (None when the worker has no limit)."""
    if not memory_limit:
        return None
    room = memory_limit * WORKER_FRACTION - WORKER_BASELINE
    return max(int(room // max(nthreads, 1)), MIN_TASK_MEMORY)


@dataclass
class Runner:
    """Runs graphs on one scheduler.

    Attributes
    ----------
    client : distributed.Client or None
        None runs on local threads (or synchronously).
    description : str
        What runs the graphs (printed at the start).
    dashboard : str or None
        The dask dashboard URL.
    nthreads : int
        Threads over all workers.
    task_memory : int or None
        Bytes one task may use (None: no worker limit known).
    progress : bool
        Show a progress bar.
    out : TextIO
        Where progress and messages go.
    """

    client: Any | None
    description: str
    dashboard: str | None = None
    nthreads: int = 1
    task_memory: int | None = None
    progress: bool = False
    out: TextIO = field(default=sys.stderr)
    synchronous: bool = False

    def say(self, message: str) -> None:
        """A line for the person at the terminal (on stderr)."""
        print(message, file=self.out, flush=True)

    def run(
        self, dsk: Mapping[Key, Any], keys: Sequence[Key], *, local_only: bool = False
    ) -> list[Any]:
        """Compute ``keys`` of ``dsk``; a graph over in-process stores runs on local threads."""
        if self.client is None or local_only:
            return self._run_local(dsk, keys)
        futures = self.client.get(dict(dsk), list(keys), sync=False)
        if self.progress:
            from distributed import progress

            # distributed's text bar writes to stdout; keep stdout for results.
            with contextlib.redirect_stdout(self.out):
                progress(futures, notebook=False)
                print(file=self.out)
        return list(self.client.gather(futures))

    def _run_local(self, dsk: Mapping[Key, Any], keys: Sequence[Key]) -> list[Any]:
        bar = ProgressBar(out=self.out) if self.progress else contextlib.nullcontext()
        with bar:
            if self.synchronous:
                return list(dask.local.get_sync(dict(dsk), list(keys)))
            return list(dask.threaded.get(dict(dsk), list(keys), num_workers=self.nthreads))


def _workers_budget(client: Any) -> tuple[int, int | None]:
    """(threads over all workers, the smallest per-task budget of any worker)."""
    workers = client.scheduler_info().get("workers", {})
    threads = sum(int(w.get("nthreads", 1)) for w in workers.values()) or 1
    budgets = [
        task_memory_budget(w.get("memory_limit"), int(w.get("nthreads", 1)))
        for w in workers.values()
    ]
    known = [b for b in budgets if b is not None]
    return threads, (min(known) if known else None)


@contextlib.contextmanager
def open_runner(options: Any, *, out: TextIO = sys.stderr) -> Iterator[Runner]:
    """The runner the scheduler options ask for, closed (cluster and all) on exit.

    ``options`` has ``scheduler``, ``scheduler_file``, ``workers``, ``threads``,
    ``memory_limit``, ``dashboard_address`` and ``progress`` attributes.
    """
    progress = options.progress if options.progress is not None else out.isatty()
    kind = (options.scheduler or "").lower()
    if kind in ("threads", "sync", "synchronous"):
        threads = options.threads or options.workers or None
        runner = Runner(
            None,
            f"local {kind}",
            nthreads=threads or _cores(),
            progress=progress,
            out=out,
            synchronous=kind != "threads",
        )
        yield runner
        return
    from distributed import Client

    if options.scheduler or options.scheduler_file:
        address = options.scheduler
        with Client(address, scheduler_file=options.scheduler_file, timeout="30s") as client:
            _wait_for_workers(client, options.scheduler_file or address)
            yield _cluster_runner(client, f"scheduler {client.scheduler.address}", progress, out)
        return
    from distributed import LocalCluster

    with warnings.catch_warnings():
        # The dashboard moves to a free port when 8787 is taken; that is fine here.
        warnings.filterwarnings("ignore", message="Port .* is already in use")
        cluster = LocalCluster(
            n_workers=options.workers or None,
            threads_per_worker=options.threads or None,
            memory_limit=options.memory_limit or "auto",
            processes=True,
            dashboard_address=options.dashboard_address,
            silence_logs=logging.ERROR,
        )
    with cluster, Client(cluster) as client:
        workers = len(cluster.workers)
        yield _cluster_runner(client, f"LocalCluster with {workers} workers", progress, out)


def _cores() -> int:
    import os

    return os.cpu_count() or 1


def _wait_for_workers(client: Any, where: str) -> None:
    deadline = time.monotonic() + 60
    while not client.scheduler_info().get("workers"):
        if time.monotonic() > deadline:
            raise TimeoutError(f"no workers joined the scheduler at {where} within 60 s")
        time.sleep(0.2)


def _dashboard(client: Any) -> str | None:
    """The dashboard URL, or why there is none (distributed serves it only with bokeh)."""
    if importlib.util.find_spec("bokeh") is None:
        return "unavailable (pip install bokeh to serve it)"
    try:
        link: str = client.dashboard_link
    except (KeyError, AttributeError):
        return None
    return link


def _cluster_runner(client: Any, description: str, progress: bool, out: TextIO) -> Runner:
    threads, budget = _workers_budget(client)
    return Runner(client, description, _dashboard(client), threads, budget, progress, out)


def _size(nbytes: int) -> str:
    """``242.6 MiB`` (binary units, as the rate)."""
    text = n_human(nbytes)
    return f"{text[:-1]} {text[-1]}iB" if text[-1].isalpha() else f"{text} B"


def format_summary(
    *,
    arrays: int,
    nbytes: int,
    stored: int,
    seconds: float,
    written: int,
    skipped: int,
) -> dict[str, Any]:
    """The end-of-copy summary: bytes, seconds, MiB/s and compression ratio."""
    rate = nbytes / MiB / seconds if seconds > 0 else 0.0
    ratio = nbytes / stored if stored else None
    text = (
        f"copied {arrays} array{'s' if arrays != 1 else ''}: {_size(nbytes)} in "
        f"{seconds:.2f} s ({rate:.1f} MiB/s); stored {_size(stored)}"
        f"{'' if ratio is None else f' (compression ratio {ratio:.2f})'}; "
        f"{written} units written, {skipped} skipped"
    )
    return {
        "arrays": arrays,
        "bytes": nbytes,
        "bytes_stored": stored,
        "seconds": round(seconds, 3),
        "mib_per_s": round(rate, 2),
        "compression_ratio": None if ratio is None else round(ratio, 3),
        "units_written": written,
        "units_skipped": skipped,
        "text": text,
    }
