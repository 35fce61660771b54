"""The command line as a new user meets it: bad options, unreachable schedulers, missing
extras, closed pipes and Ctrl-C each end in one line and a documented exit status;
progress and the summary name each phase.

Every test runs ``python -m zarrdist`` as a subprocess.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import zarr

from tests.etl._cli import THREADS, as_json, run_cli

MARKER = ".zarrdist-copy.json"


@pytest.fixture
def small(tmp_path: Path) -> Path:
    """A 2-D v2 array of 40 x 30 float32 in 10 x 10 chunks, written by zarr-python."""
    path = tmp_path / "small.zarr"
    data = np.arange(1200, dtype="f4").reshape(40, 30)
    zarr.create_array(str(path), data=data, chunks=(10, 10), zarr_format=2)
    return path


def _one_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--compressor", "gzip:99"], "level must be in 0..9"),
        (["--compressor", "zstd:99"], "level must be at most 22"),
        (["--compressor", "blosc:lz4:shuffle:99"], "blosc clevel must be in 0..9"),
        (["--compressor", "zlib:99"], "'zlib:99'"),
        (["--compressor", "lz4:abc"], "'lz4:abc'"),
        (["--chunks", "10,20,30"], "--chunks 10,20,30 has 3 dimensions"),
        (["--shards", "nothere=20,20"], "no array 'nothere'"),
        (["--region", "0:500,:"], "range '0:500' is outside an axis of length 40"),
        (["--workers", "0"], "--workers: must be at least 1"),
        (["--threads", "-1"], "--threads: must be at least 1"),
    ],
)
def test_bad_copy_options_exit_2_in_one_line(
    small: Path, tmp_path: Path, args: list[str], expected: str
) -> None:
    dst = tmp_path / "dst.zarr"
    result = run_cli("copy", str(small), str(dst), *args, "--no-progress")
    assert result.returncode == 2, result.stderr
    line = _one_line(result.stderr)
    assert line.startswith("zarrdist copy: error: ")
    assert expected in line
    assert line.endswith("(see zarrdist copy --help)")
    assert result.stdout == ""
    # Refused before anything was written: no claim marker, no data.
    assert not (dst / MARKER).exists()
    assert not dst.exists() or not any(dst.iterdir())


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["demo", "--scale", "-1"], "--scale: must be a positive number"),
        (["tree", ".", "--depth", "-1"], "--depth: must be 0 or more"),
        (["verify", ".", "--workers", "0"], "--workers: must be at least 1"),
    ],
)
def test_bad_options_of_other_commands(tmp_path: Path, args: list[str], expected: str) -> None:
    result = run_cli(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert expected in _one_line(result.stderr)
    assert list(tmp_path.iterdir()) == []  # the demo built nothing


def test_help_lists_exit_statuses_without_rst(tmp_path: Path) -> None:
    for args in (["--help"], ["copy", "--help"], ["verify", "--help"]):
        result = run_cli(*args)
        assert result.returncode == 0
        assert "``" not in result.stdout
        for status in (
            "0    success",
            "2    bad options",
            "3    nothing found",
            "130  interrupted",
        ):
            assert status in result.stdout
        assert "A unit is what is stored under one key" in result.stdout


def test_missing_scheduler_file_fails_fast_and_claims_nothing(small: Path, tmp_path: Path) -> None:
    dst = tmp_path / "dst.zarr"
    start = time.monotonic()
    result = run_cli("copy", str(small), str(dst), "--scheduler-file", str(tmp_path / "typo.json"))
    assert time.monotonic() - start < 60
    assert result.returncode == 1
    line = _one_line(result.stderr)
    assert "no scheduler file at" in line
    assert "typo.json" in line
    assert "check the path" in line
    assert not (dst / MARKER).exists()


def test_bad_or_stale_scheduler_file(small: Path, tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.json"
    garbage.write_text("not json")
    result = run_cli("verify", str(small), "--scheduler-file", str(garbage))
    assert result.returncode == 1
    assert "is not a dask scheduler file" in _one_line(result.stderr)

    # A scheduler file left by a scheduler that has gone: nothing listens there.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    stale = tmp_path / "stale.json"
    stale.write_text(json.dumps({"address": f"tcp://127.0.0.1:{port}"}))
    dst = tmp_path / "dst.zarr"
    start = time.monotonic()
    result = run_cli(
        "copy", str(small), str(dst), "--scheduler-file", str(stale), "--connect-timeout", "2"
    )
    assert time.monotonic() - start < 60
    assert result.returncode == 1
    line = _one_line(result.stderr)
    assert f"could not reach the scheduler at tcp://127.0.0.1:{port} within 2 s" in line
    assert not (dst / MARKER).exists()


def test_remote_url_without_s3fs_names_the_extra(tmp_path: Path) -> None:
    blocker = tmp_path / "blocked" / "s3fs"
    blocker.mkdir(parents=True)
    (blocker / "__init__.py").write_text("raise ImportError('No module named s3fs')\n")
    env = {**os.environ, "PYTHONPATH": str(blocker.parent), "PYTHONWARNINGS": "ignore"}
    result = subprocess.run(
        [sys.executable, "-m", "zarrdist", "info", "s3://some-bucket/data.zarr"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    assert result.returncode == 1
    line = _one_line(result.stderr)
    assert 'pip install "zarrdist[remote]"' in line
    assert line.startswith("zarrdist info: s3:// URLs need a package that is not installed")


def test_closed_pipe_exits_quietly(small: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "zarrdist", "info", str(small), "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    assert process.stdout is not None
    assert process.stderr is not None
    process.stdout.close()  # like `| head` exiting before the command writes
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=120) == 141
    assert stderr == ""


def test_verify_counts_in_words(small: Path) -> None:
    result = run_cli("verify", str(small), *THREADS)
    assert result.returncode == 0, result.stderr
    counts, timing = result.stdout.strip().splitlines()
    assert counts == "verified 1 array, 12 units (chunks or shards), decoding every chunk: OK"
    assert re.fullmatch(r"verify: 0\.0 MiB in \d+\.\d\d s \(\d+\.\d MiB/s\)", timing), timing
    document = as_json(run_cli("verify", str(small), "--json", *THREADS))
    assert document["bytes"] == 40 * 30 * 4
    assert document["seconds"] > 0


def test_progress_bars_and_summary_per_phase(small: Path, tmp_path: Path) -> None:
    dst = tmp_path / "dst.zarr"
    args = ["copy", str(small), str(dst), "--zarr-format", "3", "--chunks", "20,15", "--verify"]
    result = run_cli(*args, "--scheduler", "threads", "--progress")
    assert result.returncode == 0, result.stderr
    bars = result.stderr.replace("\r", "\n").splitlines()
    assert any(line.startswith("copy   [") and "100%" in line for line in bars)
    assert any(line.startswith("verify [") and "100%" in line for line in bars)
    lines = result.stdout.splitlines()
    assert lines[0].startswith("copied 1 array: 4.7 KiB in ")
    assert "4 units (chunks or shards) written, 0 kept from before" in lines[0]
    assert lines[1].startswith("verify: 4.7 KiB compared with the source in ")
    assert lines[1].endswith(" MiB/s)")
    assert lines[2].startswith("total: ")
    assert lines[-1] == "verified against the source: OK"

    summary = as_json(run_cli(*args, "--overwrite", "--json", *THREADS))
    assert set(summary["phases"]) == {"copy", "verify"}
    for phase in summary["phases"].values():
        assert phase["seconds"] > 0
        assert phase["mib_per_s"] > 0


def test_summary_after_a_resumed_copy(tmp_path: Path) -> None:
    src, dst = tmp_path / "src.zarr", tmp_path / "dst.zarr"
    data = np.random.default_rng(3).integers(0, 50, (64, 64)).astype("f4")
    zarr.create_array(str(src), data=data, chunks=(8, 64), zarr_format=2)
    args = ["copy", str(src), str(dst), "--zarr-format", "3", "--chunks", "16,16", "--json"]
    first = as_json(run_cli(*args, *THREADS))
    assert first["units_written"] == 16

    # As if the copy had been interrupted: half the chunks and the metadata are gone.
    chunks = sorted(p for p in (dst / "c").rglob("*") if p.is_file())
    for path in chunks[:8]:
        path.unlink()
    (dst / "zarr.json").unlink()
    resumed = as_json(run_cli(*args, "--resume", *THREADS))
    assert (resumed["units_written"], resumed["units_skipped"]) == (8, 8)
    # The ratio is the destination's, the same as after the uninterrupted copy ...
    assert resumed["bytes_stored"] == first["bytes_stored"]
    assert resumed["compression_ratio"] == first["compression_ratio"]
    # ... and the throughput is this run's: half the bytes moved.
    assert resumed["bytes_this_run"] == resumed["bytes"] // 2
    assert "(8.0 KiB in this run)" in resumed["text"]
    np.testing.assert_array_equal(zarr.open_array(str(dst), mode="r")[...], data)


@pytest.mark.slow
def test_ctrl_c_prints_one_line(tmp_path: Path) -> None:
    src, dst = tmp_path / "src.zarr", tmp_path / "dst.zarr"
    data = np.random.default_rng(1).random((128, 128, 256), dtype="f4")
    zarr.create_array(str(src), data=data, chunks=(4, 128, 256), zarr_format=2)
    # gzip at level 9 on random floats is slow: the copy is still running at Ctrl-C.
    args = ["copy", str(src), str(dst), "--chunks", "128,32,16", "--compressor", "gzip:9"]
    process = subprocess.Popen(
        [sys.executable, "-m", "zarrdist", *args, "--workers", "1", "--threads", "1"],
        start_new_session=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    deadline = time.monotonic() + 120
    while not list(dst.glob("[0-9]*")) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert process.poll() is None, "the copy finished before Ctrl-C"
    # Ctrl-C at a terminal signals the whole process group, workers included.
    os.killpg(process.pid, signal.SIGINT)
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 130
    assert stdout == ""
    assert "Task exception was never retrieved" not in stderr
    assert "Traceback" not in stderr
    assert stderr.strip().splitlines()[-1] == "zarrdist copy: interrupted; re-run to resume"
    assert (dst / MARKER).exists()  # left for the re-run to resume


def test_dimension_names_follow_each_format(tmp_path: Path) -> None:
    xr = pytest.importorskip("xarray")
    from tests.etl._cli import sample_hierarchy

    v2, v3, back = tmp_path / "v2.zarr", tmp_path / "v3.zarr", tmp_path / "back.zarr"
    data = sample_hierarchy(v2, days=6)
    as_json(run_cli("copy", str(v2), str(v3), "--zarr-format", "3", "--json", *THREADS))
    for name, values in data.items():
        document = json.loads((v3 / name / "zarr.json").read_text())
        dims = ["time", "lat", "lon"] if values.ndim == 3 else [name]
        assert document["dimension_names"] == dims
        assert "_ARRAY_DIMENSIONS" not in document.get("attributes", {})
    ds = xr.open_zarr(str(v3), zarr_format=3, consolidated=False)
    assert ds["temperature"].dims == ("time", "lat", "lon")
    assert "_ARRAY_DIMENSIONS" not in ds["temperature"].attrs
    np.testing.assert_array_equal(ds["temperature"].values, data["temperature"])

    as_json(run_cli("copy", str(v3), str(back), "--zarr-format", "2", "--json", *THREADS))
    zattrs = json.loads((back / "temperature" / ".zattrs").read_text())
    assert zattrs["_ARRAY_DIMENSIONS"] == ["time", "lat", "lon"]
    assert "dimension_names" not in json.loads((back / "temperature" / ".zarray").read_text())
    # v2's fill value 0 is xarray's missing-value mark; the values are compared raw.
    ds = xr.open_zarr(str(back), zarr_format=2, consolidated=False, mask_and_scale=False)
    assert ds["precipitation"].dims == ("time", "lat", "lon")
    assert "_ARRAY_DIMENSIONS" not in ds["precipitation"].attrs
    np.testing.assert_array_equal(ds["precipitation"].values, data["precipitation"])


def test_unreachable_object_store_is_one_line() -> None:
    pytest.importorskip("s3fs")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nothing listens here once closed
    options = json.dumps({"endpoint_url": f"http://127.0.0.1:{port}", "anon": True})
    result = run_cli("info", "s3://bucket/data.zarr", "--storage-options", options)
    assert result.returncode == 1
    line = _one_line(result.stderr)
    # The store error names the store and key; the client's error and the hint follow.
    assert line.startswith("zarrdist info: failed: StoreError: ")
    assert "EndpointConnectionError" in line
    assert line.endswith("check the URL's endpoint in --storage-options and the network")


def test_copy_that_cannot_fit_its_memory_claims_nothing(small: Path, tmp_path: Path) -> None:
    dst = tmp_path / "dst.zarr"
    result = run_cli("copy", str(small), str(dst), "--max-mem", "1", *THREADS)
    assert result.returncode == 1
    line = _one_line(result.stderr)
    assert line.startswith("zarrdist copy: failed: MemoryBudgetError: ")
    assert not (dst / MARKER).exists()
