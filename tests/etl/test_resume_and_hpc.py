"""Interrupted copies resume; copies run on a cluster found through a scheduler file.

Both run real processes: the copy is killed with SIGKILL mid-way, and the HPC test
starts ``dask scheduler --scheduler-file`` and two ``dask worker`` processes on
127.0.0.1, the way a SLURM batch script (or dask-mpi, dask-jobqueue) does.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import zarr

from tests.etl._cli import as_json, run_cli, sample_hierarchy

pytestmark = pytest.mark.slow


def _units(path: Path) -> int:
    """Stored chunk files (temporary ``.partial`` files of unfinished writes excluded)."""
    return sum(1 for p in path.rglob("*") if p.is_file() and p.name.isdigit())


def test_killed_copy_resumes(tmp_path: Path) -> None:
    src, dst = tmp_path / "src.zarr", tmp_path / "dst.zarr"
    data = np.random.default_rng(1).random((64, 128, 256), dtype="f4")
    zarr.create_array(str(src), data=data, chunks=(4, 128, 256), zarr_format=2)
    # gzip at level 9 on random floats is slow: the copy is still running when killed.
    args = [
        "copy",
        str(src),
        str(dst),
        "--zarr-format",
        "3",
        "--chunks",
        "64,32,16",
        "--compressor",
        "gzip:9",
        "--scheduler",
        "threads",
        "--threads",
        "1",
        "--no-progress",
    ]
    process = subprocess.Popen(
        [sys.executable, "-m", "zarrdist", *args],
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 120
    while _units(dst) < 4 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL, "the copy finished before it was killed"
    before = _units(dst)
    total = 4 * 16
    assert 4 <= before < total
    assert not (dst / "zarr.json").exists()  # an interrupted copy does not look complete
    assert json.loads((dst / ".zarrdist-copy.json").read_text())["source_path"] == ""

    result = run_cli(*args, "--json")
    summary = as_json(result)
    assert "resuming" in result.stderr
    assert summary["units_skipped"] >= before
    assert summary["units_written"] + summary["units_skipped"] == total
    np.testing.assert_array_equal(zarr.open_array(str(dst), mode="r")[...], data)
    assert not (dst / ".zarrdist-copy.json").exists()


def _start(*args: str, log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "dask", *args], stdout=out, stderr=subprocess.STDOUT
        )


@pytest.fixture
def scheduler_file(tmp_path: Path) -> Iterator[Path]:
    """A scheduler and two single-threaded workers, as an HPC job script starts them."""
    path = tmp_path / "scheduler.json"
    processes = [
        _start(
            "scheduler",
            "--scheduler-file",
            str(path),
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--dashboard-address",
            "127.0.0.1:0",
            log=tmp_path / "scheduler.log",
        )
    ]
    try:
        deadline = time.monotonic() + 60
        while not path.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert path.exists(), (tmp_path / "scheduler.log").read_text()
        for i in range(2):
            processes.append(
                _start(
                    "worker",
                    "--scheduler-file",
                    str(path),
                    "--host",
                    "127.0.0.1",
                    "--nthreads",
                    "1",
                    "--memory-limit",
                    "1GiB",
                    "--no-dashboard",
                    "--no-nanny",
                    "--name",
                    f"worker-{i}",
                    log=tmp_path / f"worker-{i}.log",
                )
            )
        yield path
    finally:
        # Workers first: a worker that loses its scheduler waits to reconnect.
        for process in reversed(processes):
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def test_copy_through_a_scheduler_file(scheduler_file: Path, tmp_path: Path) -> None:
    data = sample_hierarchy(tmp_path / "src.zarr")
    dst = tmp_path / "dst.zarr"
    result = run_cli(
        "copy",
        str(tmp_path / "src.zarr"),
        str(dst),
        "--zarr-format",
        "3",
        "--chunks",
        "-1,3,4",
        "--shards",
        "-1,9,12",
        "--scheduler-file",
        str(scheduler_file),
        "--verify",
        "--no-progress",
    )
    assert result.returncode == 0, result.stderr
    assert "running on scheduler tcp://127.0.0.1:" in result.stderr
    assert "verified against the source: OK" in result.stdout
    group = zarr.open_group(str(dst), mode="r")
    for name, values in data.items():
        np.testing.assert_array_equal(group[name][...], values)
    logs = "".join((tmp_path / f"worker-{i}.log").read_text() for i in range(2))
    assert "Compute Failed" not in logs
