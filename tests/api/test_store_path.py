"""Every API function that takes a store and a node path takes a StorePath, whose
path comes before the node's, as in zarr-python; zarr-python reads the result."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import zarr as zarr_python

import zarrdist
from zarrdist.metadata import GroupMetadataV3
from zarrdist.storage import LocalStore, StorePath


def test_arrays_and_groups_land_below_the_store_path(tmp_path: Path) -> None:
    root = StorePath(LocalStore(tmp_path), "project")
    z = zarrdist.create_array(root, name="a", shape=(4,), chunks=(2,), dtype="i2")
    z[...] = [1, 2, 3, 4]
    assert z.path == "project/a"
    g = zarrdist.create_group(root / "runs", attributes={"n": 1})
    assert g.path == "project/runs"
    zarrdist.save_array(root / "saved", np.arange(3))
    zarrdist.save(root / "more", x=np.ones(2), y=np.zeros(2))
    w = zarrdist.create(shape=(3,), store=root, path="made", dtype="f4", fill_value=2)
    assert w.path == "project/made"
    d = zarrdist.from_array(root / "copied", data=np.arange(6).reshape(2, 3))
    assert d.path == "project/copied"
    zarrdist.zeros((2,), store=root / "zeros")

    peer = zarr_python.open_group(str(tmp_path), mode="r")
    np.testing.assert_array_equal(peer["project/a"][...], [1, 2, 3, 4])
    assert dict(peer["project/runs"].attrs) == {"n": 1}
    np.testing.assert_array_equal(peer["project/saved"][...], np.arange(3))
    np.testing.assert_array_equal(peer["project/more/x"][...], np.ones(2))
    np.testing.assert_array_equal(peer["project/made"][...], [2, 2, 2])
    np.testing.assert_array_equal(peer["project/copied"][...], np.arange(6).reshape(2, 3))
    np.testing.assert_array_equal(peer["project/zeros"][...], [0, 0])


def test_opening_through_a_store_path(tmp_path: Path) -> None:
    peer = zarr_python.create_array(
        str(tmp_path), name="g/x", shape=(3,), chunks=(3,), dtype="u1", fill_value=7
    )
    peer[:2] = [1, 2]
    store = LocalStore(tmp_path)
    expected = [1, 2, 7]
    np.testing.assert_array_equal(zarrdist.open_array(StorePath(store, "g/x"))[...], expected)
    np.testing.assert_array_equal(
        zarrdist.open_array(StorePath(store, "g"), path="x")[...], expected
    )
    np.testing.assert_array_equal(zarrdist.open(StorePath(store, "g/x"))[...], expected)
    np.testing.assert_array_equal(zarrdist.load(StorePath(store, "g") / "x"), expected)
    group = zarrdist.open_group(StorePath(store, "g"), mode="r")
    assert group.path == "g"
    assert sorted(group.array_keys()) == ["x"]
    zarrdist.consolidate_metadata(StorePath(store, "g"))
    consolidated = zarrdist.open_consolidated(StorePath(store, "g"))
    assert sorted(consolidated.array_keys()) == ["x"]


def test_create_hierarchy_below_a_store_path(tmp_path: Path) -> None:
    root = StorePath(LocalStore(tmp_path), "top")
    made = dict(zarrdist.create_hierarchy(root, {"sub": GroupMetadataV3({"k": 1})}))
    assert "top/sub" in made
    assert dict(zarr_python.open_group(str(tmp_path), path="top/sub").attrs) == {"k": 1}


def test_nodes_have_a_store_path_like_zarr_python(tmp_path: Path) -> None:
    group = zarrdist.open_group(str(tmp_path), mode="w")
    array = group.create_array("x/y", shape=(2,), dtype="i1", fill_value=3)
    peer = zarr_python.open_group(str(tmp_path))
    assert repr(array.store_path) == repr(peer["x/y"].store_path)
    assert str(group.store_path) == str(peer.store_path)
    assert array.store_path == StorePath(array.store, "x/y")
    np.testing.assert_array_equal(zarrdist.open_array(array.store_path)[...], [3, 3])
