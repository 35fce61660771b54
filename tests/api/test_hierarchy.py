"""create_hierarchy: constructible metadata, implicit groups, one graph, checks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import zarr as zarr_python
from zarr.core.group import GroupMetadata as PeerGroupMetadata

import zarrdist as zarr
from tests.api._helpers import peer_store
from zarrdist.api.hierarchy import create as hierarchy_create
from zarrdist.errors import ContainsArrayError, ContainsGroupError
from zarrdist.metadata import ArrayMetadataV2, ArrayMetadataV3, GroupMetadataV2, GroupMetadataV3
from zarrdist.stores import LocalStore, MemoryStore, Store


def test_seed_batch_creation(tmp_path: Path) -> None:
    nodes = {
        "foo/bar": zarr.GroupMetadata(),
        "foo/bar/baz": zarr.ArrayMetadata(shape=(100,), dtype="f4"),
        "foo/qux": zarr.ArrayMetadata(shape=(100, 100), dtype="i4"),
    }
    created = dict(zarr.create_hierarchy(store=LocalStore(tmp_path / "data.zarr"), nodes=nodes))
    assert sorted(created) == ["", "foo", "foo/bar", "foo/bar/baz", "foo/qux"]
    assert isinstance(created["foo/qux"], zarr.Array)
    assert created["foo/qux"].shape == (100, 100)
    assert isinstance(created["foo"], zarr.Group)
    peer = zarr_python.open_group(str(tmp_path / "data.zarr"), mode="r")
    assert sorted(k for k, _ in peer.members(max_depth=None)) == sorted(created)[1:]
    assert peer["foo/bar/baz"].dtype == np.dtype("f4")


def test_constructible_metadata_classes() -> None:
    g3, g2 = zarr.GroupMetadata(attributes={"a": 1}), zarr.GroupMetadata(zarr_format=2)
    assert isinstance(g3, GroupMetadataV3)
    assert g3.attributes == {"a": 1}
    assert isinstance(g2, GroupMetadataV2)
    assert isinstance(g3, zarr.GroupMetadata)
    assert isinstance(g2, zarr.GroupMetadata)
    a3 = zarr.ArrayMetadata(shape=(10,), dtype="i2", chunks=(5,), fill_value=3)
    a2 = zarr.ArrayMetadata(shape=(4, 4), dtype="f8", zarr_format=2)
    assert isinstance(a3, ArrayMetadataV3)
    assert a3.chunks == (5,)
    assert a3.fill_value == 3
    assert isinstance(a2, ArrayMetadataV2)
    assert isinstance(a2, zarr.ArrayMetadata)
    assert not isinstance(a3, zarr.GroupMetadata)


def test_all_nodes_are_written_as_one_graph(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[dict[Any, Any]] = []
    real = hierarchy_create.run_graph

    def spy(dsk: dict[Any, Any], keys: Any, **kwargs: Any) -> Any:
        calls.append(dict(dsk))
        return real(dsk, keys, **kwargs)

    monkeypatch.setattr(hierarchy_create, "run_graph", spy)
    store = MemoryStore()
    nodes = {
        f"g{i}/a{j}": zarr.ArrayMetadata(shape=(2,), dtype="u1") for i in range(3) for j in range(4)
    }
    created = dict(zarr.create_hierarchy(store, nodes))
    assert len(calls) == 1
    writes = [k for k in calls[0] if isinstance(k, tuple) and k[0].startswith("zarrdist-hier")]
    assert len(writes) == len(created) == 1 + 3 + 12  # root, groups, arrays
    assert sorted(zarr.open_group(store)) == ["g0", "g1", "g2"]


def test_existing_implicit_groups_are_kept(store: Store) -> None:
    zarr.create_group(store, path="a", attributes={"keep": True})
    created = dict(zarr.create_hierarchy(store, {"a/b/c": zarr.GroupMetadata()}))
    assert sorted(created) == ["a/b", "a/b/c"]
    assert dict(zarr.open_group(store, path="a").attrs) == {"keep": True}


def test_existing_explicit_nodes_need_overwrite(store: Store) -> None:
    root = zarr.group(store)
    root.create_group("g").create_array("inside", shape=(1,), dtype="i1")
    root.create_array("x", shape=(1,), dtype="i1")
    with pytest.raises(ContainsGroupError):
        zarr.create_hierarchy(store, {"g": zarr.GroupMetadata()})
    with pytest.raises(ContainsArrayError):
        zarr.create_hierarchy(store, {"x": zarr.ArrayMetadata(shape=(2,))})
    with pytest.raises(ContainsArrayError):
        zarr.create_hierarchy(store, {"x/y": zarr.GroupMetadata()})
    assert "g/inside" in root
    made = dict(
        zarr.create_hierarchy(
            store,
            {"g": zarr.GroupMetadata(attributes={"n": 1}), "x": zarr.ArrayMetadata((3,))},
            overwrite=True,
        )
    )
    assert sorted(made) == ["g", "x"]
    assert "g/inside" not in root
    assert root["x"].shape == (3,)
    assert dict(root["g"].attrs) == {"n": 1}


def test_invalid_inputs(store: Store) -> None:
    with pytest.raises(ValueError, match="mix"):
        zarr.create_hierarchy(
            store, {"a": zarr.GroupMetadata(), "b": zarr.GroupMetadata(zarr_format=2)}
        )
    with pytest.raises(ValueError, match="below"):
        zarr.create_hierarchy(store, {"a": zarr.ArrayMetadata((1,)), "a/b": zarr.GroupMetadata()})
    with pytest.raises(TypeError, match="metadata"):
        zarr.create_hierarchy(store, {"a": {"not": "metadata"}})
    assert list(zarr.create_hierarchy(store, {})) == []


def test_zarr_python_metadata_and_bytes_match(tmp_path: Path) -> None:
    template = zarr_python.create_array(
        {}, shape=(6, 6), chunks=(3, 3), dtype="i4", attributes={"k": "v"}
    )
    nodes = {"g": PeerGroupMetadata(attributes={"x": 1}), "g/arr": template.metadata}
    peer = zarr_python.storage.LocalStore(str(tmp_path / "peer"))
    dict(zarr_python.create_hierarchy(store=peer, nodes=nodes))
    ours = LocalStore(tmp_path / "ours")
    dict(zarr.create_hierarchy(ours, nodes))
    written = sorted(p.relative_to(tmp_path / "ours") for p in (tmp_path / "ours").rglob("*.json"))
    expected = sorted(p.relative_to(tmp_path / "peer") for p in (tmp_path / "peer").rglob("*.json"))
    assert written == expected
    for rel in written:
        assert (tmp_path / "ours" / rel).read_bytes() == (tmp_path / "peer" / rel).read_bytes()


@pytest.mark.parametrize("fmt", [2, 3])
def test_group_create_hierarchy(store: Store, fmt: int) -> None:
    sub = zarr.group(store, zarr_format=fmt).create_group("sub")
    made = dict(
        sub.create_hierarchy(
            {
                "a/b": zarr.GroupMetadata(zarr_format=fmt),
                "c": zarr.ArrayMetadata(shape=(2,), dtype="i1", zarr_format=fmt),
            }
        )
    )
    assert sorted(made) == ["a", "a/b", "c"]
    assert made["c"].path == "sub/c"
    reopened = zarr.open_group(store, path="sub")
    assert sorted(dict(reopened.members(max_depth=None))) == ["a", "a/b", "c"]
    peer = zarr_python.open_group(peer_store(store), path="sub", mode="r")
    assert sorted(k for k, _ in peer.members(max_depth=None)) == ["a", "a/b", "c"]
    with pytest.raises(ValueError, match="redefine"):
        sub.create_hierarchy({"": zarr.GroupMetadata(zarr_format=fmt)})
    with pytest.raises(ValueError, match="zarr_format"):
        sub.create_hierarchy({"d": zarr.GroupMetadata(zarr_format=5 - fmt)})
