"""Chunk and shard locks: shared by every alias of a store and every TMPDIR, one
file per store, permissions from the store, a timeout that names the key, and
workers of a dask cluster reaching the store through different paths."""

from __future__ import annotations

import functools
import operator
import os
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

import zarrdist
from zarrdist.config import config
from zarrdist.errors import StoreError
from zarrdist.stores import LocalStore

WRITES = 30

_WRITER = textwrap.dedent(
    """
    import sys, time
    import zarrdist
    root, w, start, n = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
    z = zarrdist.open_array(root, mode="r+")
    time.sleep(max(0.0, start - time.time()))
    for i in range(n):
        z[w * n + i] = w * 1000 + i + 1  # one element: a read-modify-write of the shard
    """
)


def _aliases(tmp_path: Path, n: int) -> list[tuple[str, dict[str, str]]]:
    (tmp_path / "link").symlink_to(tmp_path / "a.zarr")
    out = []
    for w in range(n):
        tmpdir = tmp_path / f"tmp{w}"
        tmpdir.mkdir()
        root = tmp_path / ("link" if w % 2 else "a.zarr")
        out.append((str(root), {**os.environ, "TMPDIR": str(tmpdir)}))
    return out


@pytest.mark.slow
def test_processes_through_aliases_and_tmpdirs_share_a_shard(tmp_path: Path) -> None:
    writers = 3
    # A shard of 2048 inner chunks: each one-element write re-encodes it, long
    # enough that unlocked writers overlap and lose each other's elements.
    z = zarrdist.create_array(
        str(tmp_path / "a.zarr"), shape=(2048,), chunks=(1,), shards=(2048,), dtype="i4"
    )
    start = time.time() + 2.0
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _WRITER, root, str(w), str(start), str(WRITES)], env=env
        )
        for w, (root, env) in enumerate(_aliases(tmp_path, writers))
    ]
    for p in procs:
        assert p.wait(timeout=120) == 0
    expected = [w * 1000 + i + 1 for w in range(writers) for i in range(WRITES)]
    np.testing.assert_array_equal(z[: writers * WRITES], expected)


def test_one_lock_file_per_store_hidden_from_readers(tmp_path: Path) -> None:
    root = tmp_path / "a.zarr"
    z = zarrdist.create_array(str(root), shape=(64,), chunks=(1,), shards=(8,), dtype="i4")
    for i in range(64):
        z[i] = i
    z.append(np.arange(3))
    z.attrs["k"] = 1
    z.resize((10,))
    # One lock file, beside the root: no file per chunk, nothing inside the store.
    locks = [p.name for p in tmp_path.iterdir() if "zarrdist-lock" in p.name]
    assert locks == [".a.zarr.zarrdist-lock"]
    assert not [p for p in root.rglob("*") if "lock" in p.name]
    # Readers see the array only (zarr-python lists it without warnings).
    import zarr

    np.testing.assert_array_equal(zarr.open_array(str(root), mode="r")[:], np.arange(10))


@pytest.mark.parametrize(("directory_mode", "lock_mode"), [(0o755, 0o600), (0o775, 0o660)])
def test_lock_file_permissions_follow_the_store(
    tmp_path: Path, directory_mode: int, lock_mode: int
) -> None:
    # Only users who may write the store may open its lock file to hold a lock.
    root = tmp_path / "a.zarr"
    root.mkdir()
    os.chmod(root, directory_mode)
    old = os.umask(0o022)
    try:
        with LocalStore(root).lock("c/0"):
            pass
    finally:
        os.umask(old)
    mode = stat.S_IMODE((tmp_path / ".a.zarr.zarrdist-lock").stat().st_mode)
    assert mode == lock_mode


_HOLDER = textwrap.dedent(
    """
    import sys, time
    from zarrdist.stores import LocalStore
    with LocalStore(sys.argv[1]).lock(sys.argv[2]):
        print("held", flush=True)
        time.sleep(60)
    """
)


@pytest.mark.timeout(60)
def test_a_held_lock_times_out_naming_the_key(tmp_path: Path) -> None:
    z = zarrdist.create_array(str(tmp_path / "a.zarr"), shape=(4,), chunks=(2,), dtype="i4")
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(tmp_path / "a.zarr"), "c/0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        with config.set({"io.lock_timeout": 0.5}), pytest.raises(StoreError) as info:
            z[0] = 5
        assert time.monotonic() - started < 10
        assert "lock not acquired within 0.5 s" in str(info.value)
        assert info.value.key == "c/0"
        z[3] = 7  # another chunk's lock is free
    finally:
        holder.kill()
        holder.wait()
    np.testing.assert_array_equal(z[:], [0, 0, 0, 7])  # nothing of the refused write


@pytest.mark.slow
def test_cluster_workers_through_aliases_share_a_shard(tmp_path: Path) -> None:
    from tests.graphs._helpers import shared_cluster

    root = tmp_path / "a.zarr"
    z = zarrdist.create_array(str(root), shape=(24,), chunks=(1,), shards=(24,), dtype="i4")
    (tmp_path / "link").symlink_to(root)
    paths = [str(root if i % 2 else tmp_path / "link") for i in range(24)]
    with shared_cluster() as client:
        # Each task opens the array on a worker through one of the two paths and
        # writes one element: a read-modify-write of the one shard.
        arrays = client.map(functools.partial(zarrdist.open_array, mode="r+"), paths, pure=False)
        done = client.map(operator.setitem, arrays, range(24), range(1, 25), pure=False)
        for future in done:
            future.result(timeout=60)
    np.testing.assert_array_equal(z[:], np.arange(1, 25))
