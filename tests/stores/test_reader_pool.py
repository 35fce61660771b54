"""The one reader pool (zarrdist.stores._pool): LocalStore's batch reads and the
direct read path's pieces share it, and work asked for from one of its threads runs
in that thread instead of waiting on the pool it belongs to."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest

from zarrdist.stores import LocalStore, on_reader_thread, reader_pool
from zarrdist.stores import _local as local_module

# Run in a child process: a deadlock there is ended by the timeout, not by the suite's.
DEADLOCK_SCRIPT = """
import concurrent.futures, os, sys
import zarrdist.stores._local as local
from zarrdist.stores import LocalStore, reader_pool
# Every batch counts as waiting on a device, so get_many hands slices to the pool.
local._waits_on_device = lambda values, elapsed, blocks=None: True
store = LocalStore(sys.argv[1])
values = {f"c/{i}": bytes([i]) * (100 + i) for i in range(64)}
store.set_many(values)
pool = reader_pool()
# One get_many on every pool thread: were their slices queued on the same pool, every
# thread would wait on work queued behind the thread itself.
futures = [pool.submit(store.get_many, list(values)) for _ in range(pool._max_workers)]
done, waiting = concurrent.futures.wait(futures, timeout=30)
if waiting:
    print("deadlock", len(waiting), flush=True)
    os._exit(3)
assert all(f.result() == list(values.values()) for f in done)
print("ok", len(done), flush=True)
"""


def test_get_many_on_a_pool_thread_runs_there_and_does_not_deadlock(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", DEADLOCK_SCRIPT, str(tmp_path)],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.split()[0] == "ok"
    assert int(result.stdout.split()[1]) >= 8  # the pool has at least DEVICE_READS threads


def test_get_many_slices_run_on_the_pool_from_other_threads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(local_module, "_waits_on_device", lambda values, elapsed, blocks=None: True)
    store = LocalStore(tmp_path)
    values = {f"c/{i}": bytes([i]) * 50 for i in range(40)}
    store.set_many(values)
    seen: set[tuple[str, bool]] = set()
    read_keys = LocalStore._read_keys

    def spy(self: LocalStore, keys: object, fill: object = None) -> object:
        seen.add((threading.current_thread().name, on_reader_thread()))
        return read_keys(self, keys, fill)  # type: ignore[arg-type]

    monkeypatch.setattr(LocalStore, "_read_keys", spy)
    assert store.get_many(list(values)) == list(values.values())
    caller = threading.current_thread().name
    assert (caller, False) in seen  # the probe, in the calling thread
    pool_threads = {name for name, on_pool in seen if on_pool}
    assert pool_threads
    assert all(name.startswith("zarrdist-read") for name in pool_threads)
    # From a pool thread, the same call stays in that thread.
    seen.clear()
    assert reader_pool().submit(store.get_many, list(values)).result() == list(values.values())
    assert len(seen) == 1
    assert next(iter(seen))[1]
    assert not on_reader_thread()


@pytest.mark.parametrize(("max_workers", "threads"), [(2, 8), (12, 12)])
def test_the_pool_size_follows_threading_max_workers(
    tmp_path: Path, max_workers: int, threads: int
) -> None:
    # The pool is made once per process, so each size is tried in a fresh one.
    script = (
        "import zarrdist\n"
        "from zarrdist.stores import reader_pool\n"
        f"zarrdist.config.set({{'threading.max_workers': {max_workers}}})\n"
        "print(reader_pool()._max_workers)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], check=True, capture_output=True, text=True, timeout=120
    )
    assert int(result.stdout) == threads
