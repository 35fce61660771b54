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

from zarrdist.api.arrays.describe import n_human

__all__ = [
    "CONNECT_TIMEOUT",
    "Runner",
    "SchedulerError",
    "format_summary",
    "open_runner",
    "task_memory_budget",
]

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
        self,
        dsk: Mapping[Key, Any],
        keys: Sequence[Key],
        *,
        local_only: bool = False,
        label: str = "run",
    ) -> list[Any]:
        """Compute ``keys`` of ``dsk``; a graph over in-process stores runs on local threads.

        ``label`` names the phase on the progress bar (``copy``, ``verify``).
        """
        if self.client is None or local_only:
            return self._run_local(dsk, keys, label)
        futures = self.client.get(dict(dsk), list(keys), sync=False)
        try:
            if self.progress:
                _show_cluster_progress(futures, label, self.out)
            return list(self.client.gather(futures))
        except BaseException as error:
            # Interrupted or failed: cancel the rest so that nothing is left running
            # (or raising unseen) on the workers while the cluster shuts down.
            if isinstance(error, KeyboardInterrupt):
                _silence_shutdown_logs()
            with contextlib.suppress(Exception):
                self.client.cancel(futures)
            raise

    def _run_local(self, dsk: Mapping[Key, Any], keys: Sequence[Key], label: str) -> list[Any]:
        bar = _LocalBar(label, self.out) if self.progress else contextlib.nullcontext()
        with bar:
            if self.synchronous:
                return list(dask.local.get_sync(dict(dsk), list(keys)))
            return list(dask.threaded.get(dict(dsk), list(keys), num_workers=self.nthreads))


#: Characters of the progress bar: with its label and time it fits an 80-column line.
_BAR_WIDTH = 40


def _bar_line(label: str, frac: float, elapsed: float) -> str:
    """``\rcopy   [#####     ]  50% | 1.2 s``: one labelled, redrawn progress line."""
    filled = "#" * int(_BAR_WIDTH * frac)
    return f"\r{label:<7}[{filled:<{_BAR_WIDTH}}] {int(100 * frac):3d}% | {elapsed:.1f} s"


class _LocalBar(ProgressBar):
    """dask's progress bar for local threads, with the phase's label."""

    def __init__(self, label: str, out: TextIO) -> None:
        super().__init__(out=out)
        self._label = label

    def _draw_bar(self, frac: float, elapsed: float) -> None:
        with contextlib.suppress(ValueError):
            if self._file is not None:
                self._file.write(_bar_line(self._label, frac, elapsed))
                self._file.flush()


def _show_cluster_progress(futures: Any, label: str, out: TextIO) -> None:
    """distributed's text progress bar over ``futures`` (every task they depend on),
    labelled and written to ``out`` (stdout is kept for results); returns when done."""
    from distributed.diagnostics.progressbar import TextProgressBar

    class Bar(TextProgressBar):
        def _draw_bar(self, remaining: int, all: int, **kwargs: Any) -> None:
            frac = (1 - remaining / all) if all else 1.0
            with contextlib.suppress(ValueError):
                out.write(_bar_line(label, frac, self.elapsed))
                out.flush()

        def _draw_stop(self, **kwargs: Any) -> None:
            with contextlib.suppress(ValueError):
                out.write("\n")
                out.flush()

    if futures:
        Bar(list(futures), scheduler=futures[0].client.scheduler.address, complete=True)


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
        address = options.scheduler or _address_from_file(options.scheduler_file)
        timeout = float(getattr(options, "connect_timeout", None) or CONNECT_TIMEOUT)
        with _connected(Client, address, timeout) as client, _quiet_on_interrupt():
            _wait_for_workers(client, options.scheduler_file or address, timeout)
            description = f"scheduler {client.scheduler.address}"
            yield _cluster_runner(client, description, progress, out)
        return
    from distributed import LocalCluster

    with warnings.catch_warnings(), _workers_ignore_interrupts():
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
    # Innermost: loggers go quiet on Ctrl-C before the client and cluster close.
    with cluster, Client(cluster) as client, _quiet_on_interrupt():
        workers = len(cluster.workers)
        yield _cluster_runner(client, f"LocalCluster with {workers} workers", progress, out)


@contextlib.contextmanager
def _workers_ignore_interrupts() -> Iterator[None]:
    """Start worker processes with SIGINT ignored (a process keeps an ignored signal
    ignored, and Python installs no KeyboardInterrupt handler over it).

    Ctrl-C goes to the whole process group: each worker would print its own
    KeyboardInterrupt traceback. The command catches it alone and closes the cluster.
    """
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


#: Seconds to reach a scheduler, and then for a first worker to join it.
CONNECT_TIMEOUT = 30.0


class SchedulerError(ConnectionError):
    """The scheduler named by ``--scheduler``/``--scheduler-file`` cannot be used."""


def _address_from_file(path: str) -> str:
    """The scheduler address in a scheduler file, checked before anything waits on it.

    distributed waits for a missing scheduler file to appear, with no time limit;
    a mistyped path must fail at once instead.
    """
    import json
    import os

    if not os.path.isfile(path):
        raise SchedulerError(
            f"no scheduler file at {path!r}; check the path (the scheduler writes it "
            "when it starts, e.g. dask scheduler --scheduler-file FILE)"
        )
    try:
        with open(path, encoding="utf-8") as handle:
            address = json.load(handle).get("address")
    except (OSError, ValueError, AttributeError) as error:
        raise SchedulerError(f"{path!r} is not a dask scheduler file ({error})") from None
    if not isinstance(address, str) or not address:
        raise SchedulerError(f"{path!r} is not a dask scheduler file (it has no 'address')")
    return address


@contextlib.contextmanager
def _connected(client_class: Any, address: str, timeout: float) -> Iterator[Any]:
    try:
        client = client_class(address, timeout=f"{timeout}s")
    except (OSError, TimeoutError) as error:
        raise SchedulerError(
            f"could not reach the scheduler at {address} within {timeout:g} s "
            f"({type(error).__name__}); check that it runs and the address is right"
        ) from None
    with client:
        yield client


@contextlib.contextmanager
def _quiet_on_interrupt() -> Iterator[None]:
    """On Ctrl-C, shut the cluster down without the tracebacks of its cancelled tasks.

    Tasks cancelled by the interrupt end in exceptions nobody retrieves; asyncio and
    distributed would log each one ("Task exception was never retrieved") while the
    cluster closes, burying the one line that says what to do.
    """
    try:
        yield
    except KeyboardInterrupt:
        _silence_shutdown_logs()
        raise


def _silence_shutdown_logs() -> None:
    for name in ("asyncio", "distributed", "tornado", "tornado.application"):
        logging.getLogger(name).setLevel(logging.CRITICAL + 1)


def _cores() -> int:
    import os

    return os.cpu_count() or 1


def _wait_for_workers(client: Any, where: str, timeout: float = CONNECT_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while not client.scheduler_info().get("workers"):
        if time.monotonic() > deadline:
            raise SchedulerError(
                f"no workers joined the scheduler at {where} within {timeout:g} s; "
                "start workers (dask worker ADDRESS) or check that they can reach it"
            )
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


def _rate(nbytes: int, seconds: float) -> float:
    return nbytes / MiB / seconds if seconds > 0 else 0.0


def format_summary(
    *,
    arrays: int,
    nbytes: int,
    stored: int,
    seconds: float,
    written: int,
    skipped: int,
    copied: int | None = None,
) -> dict[str, Any]:
    """The end-of-copy summary: bytes, seconds, MiB/s and compression ratio.

    ``nbytes`` is the decoded size of everything copied and ``stored`` what the
    target holds of it (the units kept by a resumed copy included), so the ratio
    is the target's; ``copied`` is the decoded bytes this run moved (default
    ``nbytes``), from which the throughput is computed.
    """
    moved = nbytes if copied is None else copied
    rate = _rate(moved, seconds)
    ratio = nbytes / stored if stored else None
    this_run = f" ({_size(moved)} in this run)" if moved != nbytes else ""
    text = (
        f"copied {arrays} array{'s' if arrays != 1 else ''}: {_size(nbytes)}{this_run} in "
        f"{seconds:.2f} s ({rate:.1f} MiB/s); stored {_size(stored)}"
        f"{'' if ratio is None else f' (compression ratio {ratio:.2f})'}; "
        f"{written} units (chunks or shards) written, {skipped} kept from before"
    )
    return {
        "arrays": arrays,
        "bytes": nbytes,
        "bytes_this_run": moved,
        "bytes_stored": stored,
        "seconds": round(seconds, 3),
        "mib_per_s": round(rate, 2),
        "compression_ratio": None if ratio is None else round(ratio, 3),
        "units_written": written,
        "units_skipped": skipped,
        "phases": {"copy": {"seconds": round(seconds, 3), "mib_per_s": round(rate, 2)}},
        "text": text,
    }


def add_verify_phase(summary: dict[str, Any], *, nbytes: int, seconds: float) -> None:
    """Add the verify phase (``nbytes`` decoded from each side) to a copy's summary."""
    rate = _rate(nbytes, seconds)
    summary["phases"]["verify"] = {"seconds": round(seconds, 3), "mib_per_s": round(rate, 2)}
    summary["text"] += (
        f"\nverify: {_size(nbytes)} compared with the source in {seconds:.2f} s ({rate:.1f} MiB/s)"
    )
    total = summary["phases"]["copy"]["seconds"] + seconds
    summary["total_seconds"] = round(total, 3)
    summary["text"] += f"\ntotal: {total:.2f} s"
