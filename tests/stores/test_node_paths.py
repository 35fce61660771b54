"""Node-path helpers (zarr-python's ``zarr.storage._utils``), checked against zarr-python."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from zarr.storage import _utils as peer

from zarrdist.stores import node_paths

CASES: list[Any] = [None, "", "/", "a", "/a/b/", "a//b///c", "a\\b", Path("x/y"), b"p/q", "a.b/c"]


@pytest.mark.parametrize("path", CASES)
def test_normalize_path_as_zarr_python(path: Any) -> None:
    assert node_paths.normalize_path(path) == peer.normalize_path(path)


@pytest.mark.parametrize("path", [".", "..", "a/./b", "a/../b", "..\\a"])
def test_dot_segments_refused_as_zarr_python(path: str) -> None:
    with pytest.raises(ValueError):
        peer.normalize_path(path)
    with pytest.raises(ValueError, match=r"'\.' or '\.\.'"):
        node_paths.normalize_path(path)


def test_wrong_type_refused() -> None:
    with pytest.raises(TypeError, match="int"):
        node_paths.normalize_path(3)


@pytest.mark.parametrize("paths", [["", "a", "b"], ["a", "", "", "c"], []])
def test_join_paths_as_zarr_python(paths: list[str]) -> None:
    assert node_paths.join_paths(paths) == peer._join_paths(paths)


@pytest.mark.parametrize(("path", "prefix"), [("a/b", ""), ("a/b/c", "a/b"), ("a/b", "a")])
def test_relative_path_as_zarr_python(path: str, prefix: str) -> None:
    ours = node_paths.relative_path(path=path, prefix=prefix)
    assert ours == peer._relativize_path(path=path, prefix=prefix)


def test_relative_path_outside_prefix() -> None:
    with pytest.raises(ValueError, match="does not start with b"):
        node_paths.relative_path(path="a/b/c", prefix="b")


def test_normalize_paths_and_keys_as_zarr_python() -> None:
    paths = ["a", "/b/", "c//d"]
    assert node_paths.normalize_paths(paths) == peer._normalize_paths(paths)
    data = {"/x": 1, "y//z": 2}
    assert node_paths.normalize_path_keys(data) == peer._normalize_path_keys(data)
    with pytest.raises(ValueError, match="collides with"):
        node_paths.normalize_paths(["///a", "a"])
