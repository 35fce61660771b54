"""LocalStore and symlinks: writes and deletes never leave the root through a linked
directory; reads follow links (a store may be assembled from them); listings skip
links that lead back above themselves, so hierarchy walks end."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import zarrdist
from zarrdist.errors import StoreError
from zarrdist.stores import LocalStore


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    target = tmp_path / "outside"
    target.mkdir()
    (target / "keep.txt").write_bytes(b"precious")
    return target


def test_set_through_a_link_out_of_the_root_is_refused(tmp_path: Path, outside: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    (root / "esc").symlink_to(outside)
    store = LocalStore(root)
    with pytest.raises(StoreError, match="symlink") as info:
        store.set("esc/c/0", b"x")
    assert info.value.key == "esc/c/0"
    assert sorted(p.name for p in outside.iterdir()) == ["keep.txt"]
    with pytest.raises(StoreError, match="symlink"):
        zarrdist.create_array(store, name="esc/a", shape=(4,), dtype="i4")
    assert sorted(p.name for p in outside.iterdir()) == ["keep.txt"]


def test_delete_prefix_through_a_link_out_of_the_root_is_refused(
    tmp_path: Path, outside: Path
) -> None:
    root = tmp_path / "root"
    root.mkdir()
    (root / "esc").symlink_to(outside)
    store = LocalStore(root)
    with pytest.raises(StoreError, match="symlink"):
        store.delete_prefix("esc/sub")
    (outside / "sub").mkdir()
    (outside / "sub" / "k").write_bytes(b"v")
    with pytest.raises(StoreError, match="symlink"):
        store.delete_prefix("esc/sub")
    assert (outside / "sub" / "k").read_bytes() == b"v"
    # Deleting the link itself removes the link, never what it points to.
    store.delete_prefix("esc")
    assert not (root / "esc").exists()
    assert (outside / "keep.txt").read_bytes() == b"precious"


def test_links_inside_the_root_and_a_linked_root_still_work(tmp_path: Path) -> None:
    real = tmp_path / "real"
    zarrdist.create_array(str(real), shape=(4,), chunks=(2,), dtype="i4")
    (tmp_path / "alias").symlink_to(real)
    z = zarrdist.open_array(str(tmp_path / "alias"), mode="r+")
    z[:] = [1, 2, 3, 4]
    np.testing.assert_array_equal(zarrdist.open_array(str(real))[:], [1, 2, 3, 4])
    store = LocalStore(real)
    (real / "inner").symlink_to(real / "c")  # a link that stays inside: allowed
    store.set("inner/9", b"x")
    assert (real / "c" / "9").read_bytes() == b"x"


def test_reads_follow_links(tmp_path: Path, outside: Path) -> None:
    # Documented policy: reads follow links, so read untrusted stores from a copy
    # without links (docs/reliability.md).
    root = tmp_path / "root"
    root.mkdir()
    (root / "esc").symlink_to(outside)
    assert LocalStore(root).get("esc/keep.txt") == b"precious"
