"""delete_prefix of the root keeps the root; temporary files of a killed writer are swept."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from zarrdist.stores import FsspecStore, LocalStore, MemoryStore, sweep_partial_files


@pytest.mark.parametrize("prefix", ["", "/", "//"])
def test_delete_prefix_of_the_root_keeps_the_root_directory(tmp_path: Path, prefix: str) -> None:
    root = tmp_path / "root"
    store = LocalStore(root)
    store.set("a/b", b"1")
    store.set("c", b"2")
    assert store.delete_prefix(prefix) == 2
    assert root.is_dir()
    assert list(store.list()) == []
    assert (tmp_path).exists()


@pytest.mark.parametrize("prefix", ["", "/"])
def test_delete_prefix_of_the_root_means_everything_in_every_store(
    tmp_path: Path, prefix: str
) -> None:
    for store in (MemoryStore(), FsspecStore.from_url(f"file://{tmp_path}/f")):
        store.set("a/b", b"1")
        store.set("c", b"2")
        assert store.delete_prefix(prefix) == 2
        assert list(store.list()) == []


def _partial(directory: Path, name: str, age: float) -> Path:
    path = directory / f".{name}.zarrdist-{'ab' * 16}.partial"
    path.write_bytes(b"torn")
    stamp = time.time() - age
    os.utime(path, (stamp, stamp))
    return path


def test_sweep_removes_old_partials_only(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "s.zarr")
    store.set("c/0/0", b"chunk")
    old = _partial(tmp_path / "s.zarr" / "c" / "0", "0", age=7200)
    fresh = _partial(tmp_path / "s.zarr", "zarr.json", age=0)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    linked = _partial(outside, "x", age=7200)
    os.symlink(outside, tmp_path / "s.zarr" / "link")
    assert sweep_partial_files(store) == 1
    assert not old.exists()
    assert fresh.exists()  # may belong to a writer still running
    assert linked.exists()  # links are not followed out of the root
    assert store.get("c/0/0") == b"chunk"
    assert sweep_partial_files(store, min_age=0) == 1
    assert not fresh.exists()
    assert sweep_partial_files(MemoryStore()) == 0
