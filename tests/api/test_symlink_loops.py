"""A symlink loop inside a hierarchy: members, tree and consolidate_metadata end,
listing each real node once, instead of walking the loop."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

import zarrdist


@pytest.mark.timeout(60)
@pytest.mark.parametrize("fmt", [2, 3])
def test_symlink_loops_do_not_make_walks_explode(tmp_path: Path, fmt: int) -> None:
    root = tmp_path / "h.zarr"
    g = zarrdist.open_group(str(root), mode="w", zarr_format=fmt)
    a = g.create_group("a")
    a.create_array("x", shape=(2,), dtype="i4")
    b = a.create_group("b")
    b.create_array("y", shape=(2,), dtype="i4")
    # Two links back up at each level: without cycle detection the walk doubles
    # with every step down the loop.
    (root / "a" / "b" / "up").symlink_to(root / "a")
    (root / "a" / "b" / "top").symlink_to(root)
    (root / "a" / "loop").symlink_to(root / "a")
    started = time.monotonic()
    names = sorted(name for name, _ in zarrdist.open_group(str(root)).members(max_depth=None))
    assert names == ["a", "a/b", "a/b/y", "a/x"]
    assert "y" in str(zarrdist.open_group(str(root)).tree())
    consolidated = zarrdist.consolidate_metadata(str(root))
    assert sorted(n for n, _ in consolidated.members(max_depth=None)) == names
    assert time.monotonic() - started < 30
