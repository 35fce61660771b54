"""Helpers of the CLI tests: run ``zarrdist`` as a subprocess; write sources with zarr-python."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import zarr

__all__ = ["run_cli", "sample_hierarchy", "THREADS"]

#: Scheduler options for tests that do not need a cluster: local threads, no progress.
THREADS = ("--scheduler", "threads", "--no-progress")


def run_cli(
    *args: str, timeout: float = 180, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """``python -m zarrdist ARGS`` with captured text output."""
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    return subprocess.run(
        [sys.executable, "-m", "zarrdist", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=cwd,
        env=env,
        check=False,
    )


def as_json(result: subprocess.CompletedProcess[str]) -> Any:
    """stdout parsed as JSON (asserting the command succeeded)."""
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def sample_hierarchy(path: Path, *, days: int = 20) -> dict[str, np.ndarray]:
    """A time-chunked v2 group written by zarr-python: coordinates and two variables."""
    rng = np.random.default_rng(42)
    data = {
        "time": np.arange(days, dtype="i8"),
        "lat": np.linspace(-90, 90, 9),
        "lon": np.linspace(0, 350, 12),
        "temperature": rng.normal(280, 10, (days, 9, 12)).astype("f4"),
        "precipitation": np.maximum(rng.normal(0, 1, (days, 9, 12)), 0).astype("f4"),
    }
    root = zarr.open_group(str(path), mode="w", zarr_format=2)
    root.attrs["title"] = "sample"
    for name, values in data.items():
        dims = ["time", "lat", "lon"] if values.ndim == 3 else [name]
        chunks = (1, 9, 12) if values.ndim == 3 else values.shape
        array = root.create_array(
            name,
            shape=values.shape,
            dtype=values.dtype,
            chunks=chunks,
            attributes={"_ARRAY_DIMENSIONS": dims},
        )
        array[...] = values
    zarr.consolidate_metadata(str(path), zarr_format=2)
    return data
