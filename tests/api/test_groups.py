"""Group: members, nested paths, creation methods, deletion, move, tree, info, attributes.

Every hierarchy built here is read back with zarr-python 3.1.5 as the reference.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import zarr as zarr_python

import zarrdist as zarr
from tests.api._helpers import peer_store
from zarrdist.errors import (
    ContainsArrayError,
    ContainsGroupError,
    ContainsNodeError,
    MetadataError,
    NodeNotFoundError,
    ReadOnlyStoreError,
)
from zarrdist.stores import MemoryStore, Store


@pytest.fixture(params=[2, 3])
def fmt(request: pytest.FixtureRequest) -> int:
    return int(request.param)


def _build(store: Store, fmt: int) -> zarr.Group:
    root = zarr.group(store, zarr_format=fmt, attributes={"title": "root"})
    a = root.create_group("a", attributes={"level": 1})
    a.create_array("x", shape=(4,), chunks=(2,), dtype="i4")[:] = np.arange(4)
    root.create_array("y", shape=(2, 3), dtype="f8", fill_value=1.5)
    root.create_group("a/b/c")
    return root


def test_members_and_nested_paths_match_zarr_python(store: Store, fmt: int) -> None:
    root = _build(store, fmt)
    assert sorted(root) == ["a", "y"]
    assert len(root) == 2
    deep = dict(root.members(max_depth=None))
    assert sorted(deep) == ["a", "a/b", "a/b/c", "a/x", "y"]
    assert sorted(dict(root.members(max_depth=1))) == ["a", "a/b", "a/x", "y"]
    assert root.nmembers(max_depth=None) == 5
    np.testing.assert_array_equal(root["a/x"][:], np.arange(4))
    np.testing.assert_array_equal(root["a"]["x"][:], np.arange(4))
    assert isinstance(root["a/b/c"], zarr.Group)
    assert root["a/b"].path == "a/b"
    assert root["a/b"].name == "/a/b"
    assert root["a/b"].basename == "b"
    peer = zarr_python.open_group(peer_store(store), mode="r")
    assert sorted(k for k, _ in peer.members(max_depth=None)) == sorted(deep)
    np.testing.assert_array_equal(peer["a/x"][:], np.arange(4))
    assert peer["y"].fill_value == 1.5
    assert dict(peer.attrs) == {"title": "root"}
    assert dict(peer["a"].attrs) == {"level": 1}


def test_kind_iterators_contains_and_get(store: Store) -> None:
    root = _build(store, 3)
    assert list(root.array_keys()) == ["y"]
    assert list(root.group_keys()) == ["a"]
    assert [a.shape for a in root.array_values()] == [(2, 3)]
    assert [g.path for g in root.group_values()] == ["a"]
    assert [k for k, _ in root.arrays()] == ["y"]
    assert [k for k, _ in root.groups()] == ["a"]
    assert list(root.keys()) == ["a", "y"]
    assert "a/x" in root
    assert "a/b/c" in root
    assert "nothing" not in root
    assert "a/x/deeper" not in root
    assert 3 not in root
    assert root.get("nothing") is None
    assert root.get("nothing", 7) == 7
    with pytest.raises(KeyError):
        root["nothing"]
    with pytest.raises(KeyError):
        root["y/below-an-array"]


def test_create_group_and_array_refuse_existing(store: Store) -> None:
    root = _build(store, 3)
    with pytest.raises(ContainsGroupError, match=r"^a group already exists at 'a'"):
        root.create_group("a")
    with pytest.raises(ContainsArrayError, match=r"^an array already exists at 'y'"):
        root.create_array("y", shape=(1,), dtype="i1")
    with pytest.raises(ContainsArrayError):
        root.create_group("y/under-an-array")
    # overwrite=True replaces, and what was below is gone
    replaced = root.create_group("a", overwrite=True, attributes={"new": True})
    assert dict(replaced.attrs) == {"new": True}
    assert list(root["a"]) == []
    z = root.create_array("y", shape=(5,), dtype="u1", overwrite=True)
    assert root["y"].shape == (5,)
    assert z.dtype == np.dtype("u1")


def test_require_group_and_array(store: Store) -> None:
    root = _build(store, 3)
    assert root.require_group("a").attrs["level"] == 1
    new = root.require_group("fresh")
    assert "fresh" in root
    assert isinstance(new, zarr.Group)
    g1, g2 = root.require_groups("a", "other")
    assert g1.path == "a"
    assert g2.path == "other"
    with pytest.raises(TypeError):
        root.require_group("y")
    y = root.require_array("y", shape=(2, 3), dtype="f8")
    assert y.fill_value == 1.5
    assert root.require_array("y", shape=(2, 3), dtype="c16").shape == (2, 3)  # castable
    with pytest.raises(TypeError):
        root.require_array("y", shape=(2, 3), dtype="c16", exact=True)
    with pytest.raises(TypeError):
        root.require_array("y", shape=(2, 3), dtype="f4")
    with pytest.raises(TypeError):
        root.require_array("y", shape=(9,), dtype="f8")
    with pytest.raises(TypeError):
        root.require_array("a", shape=(1,), dtype="f8")
    made = root.require_dataset("z", shape=(3,), dtype="i2", fill_value=4)
    np.testing.assert_array_equal(made[:], [4, 4, 4])


def test_array_helpers_on_groups(store: Store, fmt: int) -> None:
    root = zarr.group(store, zarr_format=fmt)
    e = root.empty(name="e", shape=(3,), dtype="i4")
    zz = root.zeros(name="z", shape=(3,), dtype="f4")
    o = root.ones(name="o", shape=(2, 2), dtype="i2")
    f = root.full(name="f", shape=(2,), fill_value=9, dtype="i8")
    assert {a.zarr_format for a in (e, zz, o, f)} == {fmt}
    np.testing.assert_array_equal(zz[:], np.zeros(3, "f4"))
    np.testing.assert_array_equal(o[:], np.ones((2, 2), "i2"))
    np.testing.assert_array_equal(f[:], [9, 9])
    src = np.arange(6, dtype="u2").reshape(2, 3)
    assert root.zeros_like(name="zl", data=src)[:].tolist() == np.zeros_like(src).tolist()
    ol = root.ones_like(name="ol", data=src)
    assert ol.dtype == src.dtype
    assert ol[:].tolist() == np.ones_like(src).tolist()
    fl = root.full_like(name="fl", data=f)
    assert fl.fill_value == 9
    assert fl.shape == (2,)
    assert root.empty_like(name="el", data=o).shape == (2, 2)
    with pytest.warns(zarr.errors.ZarrDeprecationWarning, match=r"Group\.create_array instead"):
        created = root.create_dataset("ds", shape=(2,), dtype="i4", data=np.array([5, 6], "i4"))
    np.testing.assert_array_equal(created[:], [5, 6])
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        assert root.array("arr", data=np.arange(3))[:].tolist() == [0, 1, 2]
    # As zarr-python: deprecated, and its default compressor=None is the deprecated
    # keyword in either format (zarr-python's own test_group_create_array expects both).
    expected = [zarr.errors.ZarrDeprecationWarning, zarr.errors.ZarrUserWarning]
    assert [w.category for w in seen] == expected
    assert root.create("c", shape=(1,), dtype="i1").shape == (1,)


def test_setitem_saves_and_replaces(store: Store) -> None:
    root = zarr.group(store)
    root["data"] = np.arange(10).reshape(2, 5)
    np.testing.assert_array_equal(root["data"][:], np.arange(10).reshape(2, 5))
    root["data"] = [1.5, 2.5]
    assert root["data"].dtype == np.float64
    assert root["data"][:].tolist() == [1.5, 2.5]
    source = zarr.create_array({}, shape=(4,), chunks=(2,), dtype="i2")
    source[:] = [1, 2, 3, 4]
    root["copied"] = source
    assert root["copied"].chunks == (2,)
    assert root["copied"][:].tolist() == [1, 2, 3, 4]


def test_delitem_rmdir_move(store: Store, fmt: int) -> None:
    root = _build(store, fmt)
    del root["y"]
    assert "y" not in root
    del root["never-existed"]  # as zarr-python: no error
    root.move("a", "moved/here")
    assert "a" not in root
    np.testing.assert_array_equal(root["moved/here/x"][:], np.arange(4))
    assert root["moved/here"].attrs["level"] == 1
    assert sorted(dict(root.members(max_depth=None))) == [
        "moved", "moved/here", "moved/here/b", "moved/here/b/c", "moved/here/x"]  # fmt: skip
    with pytest.raises(NodeNotFoundError):
        root.move("a", "elsewhere")
    root.create_group("taken")
    with pytest.raises(ContainsNodeError):
        root.move("moved", "taken")
    with pytest.raises(ContainsNodeError):
        root.move("moved", "moved/inside")
    root.rmdir("moved")
    assert "moved" not in root
    with pytest.raises(KeyError):
        root.rmdir("moved")
    peer = zarr_python.open_group(peer_store(store), mode="r")
    assert sorted(peer) == ["taken"]


def test_attributes_update_and_refusal(store: Store, fmt: int) -> None:
    root = _build(store, fmt)
    root.attrs["k"] = [1, 2]
    root.update_attributes({"more": {"x": 1}})
    assert root.attrs.asdict() == {"title": "root", "k": [1, 2], "more": {"x": 1}}
    with pytest.raises(MetadataError):
        root.attrs["bad"] = object()
    # Also the TypeError that json and zarr-python raise for it.
    with pytest.raises(TypeError, match="int64 is not JSON serializable"):
        root.attrs["bad"] = np.int64(3)
    loop: dict[str, object] = {}
    loop["self"] = loop
    with pytest.raises(MetadataError, match="Circular reference"):
        root.attrs["bad"] = loop
    assert "bad" not in zarr.open_group(store).attrs
    del root.attrs["k"]
    reopened = zarr.open_group(store, mode="r")
    assert dict(reopened.attrs) == {"title": "root", "more": {"x": 1}}
    peer = zarr_python.open_group(peer_store(store), mode="r")
    assert dict(peer.attrs) == {"title": "root", "more": {"x": 1}}


def test_metadata_info_repr(store: Store, fmt: int) -> None:
    root = _build(store, fmt)
    assert root.metadata.zarr_format == fmt
    assert root.metadata.attributes == {"title": "root"}
    assert repr(root) == f"<Group {store.url}>"
    assert repr(root["a"]) == f"<Group {store.url}/a>"
    assert repr(root.info) == (
        "Name        : \nType        : Group\nZarr format : "
        f"{fmt}\nRead-only   : False\nStore type  : {type(store).__name__}"
    )
    complete = repr(root.info_complete())
    assert "No. members : 5\nNo. arrays  : 2\nNo. groups  : 3" in complete
    html = root._repr_html_()
    assert "<table>" in html
    assert "<li>a <em>group</em></li>" in html
    assert root.synchronizer is None
    assert root == zarr.open_group(store)
    assert hash(root) == hash(zarr.open_group(store))


def test_tree_plain_text(store: Store) -> None:
    root = _build(store, 3)
    expected = "/\n├── a\n│   ├── b\n│   │   └── c\n│   └── x (4,) int32\n└── y (2, 3) float64\n"
    assert repr(root.tree()) == expected
    assert repr(zarr.tree(root)) == expected
    assert repr(root.tree(level=0)) == "/\n├── a\n└── y (2, 3) float64\n"
    assert repr(root["a"].tree()) == "/a\n├── b\n│   └── c\n└── x (4,) int32\n"
    with pytest.raises(NotImplementedError):
        root.tree(expand=True)


def test_read_only_group_refuses_writes(store: Store) -> None:
    _build(store, 3)
    ro = zarr.open_group(store.with_read_only(True), mode="r")
    assert ro.read_only
    with pytest.raises(ReadOnlyStoreError):
        ro.create_group("new")
    with pytest.raises(ReadOnlyStoreError):
        ro.attrs["x"] = 1
    with pytest.raises(ReadOnlyStoreError):
        del ro["a"]
    with pytest.raises(ReadOnlyStoreError):
        ro["a/x"][0] = 5


def test_group_to_dask_helper(store: Store) -> None:
    root = _build(store, 3)
    arrays = root.to_dask()
    assert sorted(arrays) == ["a/x", "y"]
    np.testing.assert_array_equal(arrays["a/x"].compute(), np.arange(4))
    assert arrays["y"].sum().compute() == 9.0
    assert sorted(root.to_dask(max_depth=0)) == ["y"]


def test_negative_max_depth_is_refused(store: Store) -> None:
    root = _build(store, 3)
    with pytest.raises(ValueError, match="max_depth"):
        root.members(max_depth=-1)


def test_group_from_store_and_open(store: Store) -> None:
    made = zarr.Group.from_store(store, attributes={"a": 1}, zarr_format=2)
    assert made.zarr_format == 2
    with pytest.raises(ContainsGroupError):
        zarr.Group.from_store(store)
    opened = zarr.Group.open(store)
    assert dict(opened.attrs) == {"a": 1}


@pytest.mark.parametrize("fmt", [2, 3])
def test_group_array_documents_equal_zarr_python(fmt: int) -> None:
    """Group.create_array (numcodecs' Blosc for v2, unlike the top-level function's Zstd)
    and the deprecated Group.array (uncompressed) write what zarr-python writes."""
    ours, theirs = MemoryStore(), zarr_python.storage.MemoryStore()
    for lib, store in ((zarr, ours), (zarr_python, theirs)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # zarr-python deprecates create_dataset and array
            root = lib.group(store, zarr_format=fmt)
            root.create_array("c", shape=(6,), chunks=(3,), dtype="f4")
            root.create_array("s", shape=(2,), dtype=str)
            root.create_dataset("d", shape=(4,), dtype="i2")
            root.require_array("r", shape=(4,), dtype="u1")
            root.array("a", shape=(3,), dtype="i4", data=np.arange(3))
    expected = {k: v.to_bytes() for k, v in theirs._store_dict.items()}
    assert {k: bytes(v) for k, v in ours.store_dict.items()} == expected


def test_tree_with_rich_matches_zarr_python() -> None:
    """With rich installed, both draw with rich; the plain-text fallback draws the same."""
    pytest.importorskip("rich")
    ours, theirs = zarr.group(), zarr_python.group()
    for root in (ours, theirs):
        root.create_array("a/b", shape=(2,), dtype="i4")
        root.create_group("c")
    assert repr(ours.tree()) == repr(theirs.tree())
    assert repr(ours.tree()) == "/\n├── a\n│   └── b (2,) int32\n└── c\n"


def test_groups_and_arrays_pickle(store: Store) -> None:
    import pickle

    _build(store, 3)
    zarr.consolidate_metadata(store)
    root = zarr.open_group(store)
    for node in (root, root["a"], root["a/x"]):
        again = pickle.loads(pickle.dumps(node))
        assert type(again) is type(node)
        assert again.path == node.path
    copy = pickle.loads(pickle.dumps(root["a/x"]))
    np.testing.assert_array_equal(copy[:], np.arange(4))
    assert sorted(pickle.loads(pickle.dumps(root))) == ["a", "y"]


def test_bad_member_paths_are_missing_members(store: Store) -> None:
    root = _build(store, 3)
    assert "../y" not in root
    assert "a/./x" not in root
    with pytest.raises(KeyError):
        root["../escape"]
    with pytest.raises(ValueError, match="path"):
        root.create_group("../escape")
