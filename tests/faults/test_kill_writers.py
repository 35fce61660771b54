"""SIGKILL of a writer at random points of plain and sharded writes, appends and
copies; then every stored unit decodes (nothing torn) and everything the writer
reported written is there (nothing lost).

Each test runs kill cases until its budget is spent: a few seconds in CI, longer
with ``ZARRDIST_FAULT_BUDGET_S`` (seconds per test). Cases tried and what each
found are printed (``pytest -s``) as ``kill-cases <mode>: <n> cases, <k> killed``.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

import zarrdist

BUDGET_S = float(os.environ.get("ZARRDIST_FAULT_BUDGET_S", "3"))

_WRITER = textwrap.dedent(
    """
    import sys
    import numpy as np
    import zarrdist
    mode, root = sys.argv[1], sys.argv[2]
    z = zarrdist.open_array(root, mode="r+")
    print("ready", flush=True)
    for i in range(10**6):
        if mode == "append":
            z.append(np.full((1, 16), i, dtype="i8"))
        else:
            z[i % 32, :] = i + 1  # a row across 4 chunks (2 shards): several objects
        print(i, flush=True)
    """
)


def _kill_at_random(
    args: list[str], rng: random.Random, latest: float = 0.4
) -> tuple[list[int], int]:
    """Run ``args``, SIGKILL it at a random moment after it is ready; the steps it
    reported done and its exit code."""
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, text=True, start_new_session=True)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready"
    time.sleep(rng.uniform(0.0, latest))
    os.killpg(proc.pid, signal.SIGKILL)
    out, _ = proc.communicate()
    # Step numbers only: a copy that finished first also prints its summary.
    return [int(line) for line in out.splitlines() if line.strip().isdigit()], proc.returncode


def _layout(mode: str) -> dict[str, object]:
    if mode == "append":
        return {"shape": (0, 16), "chunks": (3, 8)}
    if mode == "sharded":
        return {"shape": (32, 16), "chunks": (4, 4), "shards": (8, 8)}
    return {"shape": (32, 16), "chunks": (4, 4)}


def _check(mode: str, z: zarrdist.Array, done: list[int]) -> None:
    data = z[...]  # decodes every stored unit: a torn one raises, naming its key
    if mode == "append":
        assert z.shape[0] >= len(done)  # every reported append is there...
        np.testing.assert_array_equal(data, np.arange(z.shape[0])[:, None].repeat(16, 1))
        return
    last = max(done, default=-1)
    for row in range(32):
        reported = [i + 1 for i in done if i % 32 == row]
        allowed = {0, *reported, last + 2 if (last + 1) % 32 == row else 0}
        # ...each reported write is there or overwritten by a later one; the write
        # killed midway left each chunk old or new, never a mix inside one.
        assert set(data[row].tolist()) <= allowed
        if reported:
            assert data[row].min() >= max(reported)


@pytest.mark.parametrize("mode", ["plain", "sharded", "append"])
def test_writer_killed_at_random_points(tmp_path: Path, mode: str) -> None:
    rng = random.Random(f"{mode}-{os.getpid()}")
    cases = killed = 0
    deadline = time.monotonic() + BUDGET_S
    while cases == 0 or time.monotonic() < deadline:
        root = str(tmp_path / f"case{cases}.zarr")
        zarrdist.create_array(root, dtype="i8", fill_value=0, **_layout(mode))  # type: ignore[arg-type]
        done, code = _kill_at_random([sys.executable, "-c", _WRITER, mode, root], rng)
        killed += code == -signal.SIGKILL
        _check(mode, zarrdist.open_array(root, mode="r"), done)
        cases += 1
    print(f"kill-cases {mode}: {cases} cases, {killed} killed, 0 torn or lost")


@pytest.mark.slow
def test_copy_killed_at_random_points(tmp_path: Path) -> None:
    rng = random.Random(f"copy-{os.getpid()}")
    source = np.random.default_rng(1).random((256, 256))
    src = str(tmp_path / "src.zarr")
    zarrdist.create_array(src, shape=source.shape, chunks=(32, 32), dtype="f8")[...] = source
    cases = killed = 0
    deadline = time.monotonic() + BUDGET_S
    while cases == 0 or time.monotonic() < deadline:
        dst = str(tmp_path / f"dst{cases}.zarr")
        copy = [sys.executable, "-m", "zarrdist", "copy", src, dst, "--chunks", "16,16"]
        copy += ["--compressor", "gzip:9", "--threads", "1", "--no-progress"]
        script = "import subprocess, sys; print('ready', flush=True); sys.exit(subprocess.call(sys.argv[1:]))"
        # The CLI takes a second or two to start: kill anywhere in its first 5 s.
        _, code = _kill_at_random([sys.executable, "-c", script, *copy], rng, latest=5.0)
        killed += code == -signal.SIGKILL
        if os.path.exists(os.path.join(dst, "zarr.json")):
            # Every stored chunk is whole and equals the source; the rest is fill.
            copied = zarrdist.open_array(dst, mode="r")[...]
            assert np.all((copied == source) | (copied == 0))
        cases += 1
    resumed = subprocess.run(
        [*copy, "--resume"], check=False, capture_output=True, text=True, timeout=300
    )
    assert resumed.returncode == 0, resumed.stderr
    np.testing.assert_array_equal(zarrdist.open_array(dst, mode="r")[...], source)
    print(f"kill-cases copy: {cases} cases, {killed} killed, 0 torn")
