"""zarr-python's ways into a group that its own code and tests use: ``GroupMetadata.from_dict``,
``Group.from_dict``/``AsyncGroup.from_dict`` (nothing written), ``Group._async_group`` and
``Group.update_attributes_async``; each checked against zarr-python 3.1.5."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import zarr
import zarr.storage
from zarr.core.group import GroupMetadata as PeerGroupMetadata

import zarrdist
from zarrdist.core.group import AsyncGroup, Group, GroupMetadata
from zarrdist.core.sync import collect_aiterator
from zarrdist.storage import MemoryStore, StorePath
from zarrdist.stores import MemoryStore as SyncMemoryStore

DICTS = [
    {"zarr_format": 3, "node_type": "group", "attributes": {"foo": 100}},
    {"zarr_format": 2, "attributes": {"foo": 100}},
    {"zarr_format": 2, "attributes": {"k": "v"}, "_nczarr_superblock": {"version": "2.0.0"}},
]


@pytest.mark.parametrize("data", DICTS, ids=repr)
def test_group_metadata_from_dict_equals_zarr_python(data: dict[str, Any]) -> None:
    ours = GroupMetadata.from_dict(data)
    peer = PeerGroupMetadata.from_dict(data)
    assert ours.zarr_format == peer.zarr_format
    assert ours.to_dict() == peer.to_dict()
    assert ours == GroupMetadata(attributes=data["attributes"], zarr_format=data["zarr_format"])


@pytest.mark.parametrize("data", DICTS[:2], ids=repr)
def test_group_from_dict_writes_nothing(data: dict[str, Any]) -> None:
    store = MemoryStore()
    group = AsyncGroup.from_dict(StorePath(store, "test"), data=data)
    peer = zarr.AsyncGroup.from_dict(
        zarr.storage.StorePath(zarr.storage.MemoryStore(), "test"), data=dict(data)
    )  # zarr-python pops members from the dict it is given
    assert group.metadata.to_dict() == peer.metadata.to_dict()
    assert group.path == peer.path == "test"
    assert Group.from_dict(StorePath(store, "test"), data).metadata == group.metadata
    assert collect_aiterator(store.list()) == ()


@pytest.mark.parametrize("fmt", [2, 3])
def test_async_group_and_update_attributes_async(fmt: int) -> None:
    group = zarrdist.group(MemoryStore(), zarr_format=fmt, attributes={"foo": 100})
    face = group._async_group
    assert isinstance(face, AsyncGroup)
    assert Group(face) == group
    updated = asyncio.run(group.update_attributes_async({"bar": 1}))
    assert updated.attrs == {"foo": 100, "bar": 1}
    assert zarrdist.open_group(group.store, mode="r").attrs == {"foo": 100, "bar": 1}
    # Deliberately not zarr-python 3.1.5's: its Group.update_attributes_async replaces
    # the attributes (dropping "foo"), while its update_attributes, sync and async,
    # merge; zarrdist merges in all three.
    peer = zarr.group(zarr.storage.MemoryStore(), zarr_format=fmt, attributes={"foo": 100})
    assert dict(asyncio.run(peer.update_attributes_async({"bar": 1})).attrs) == {"bar": 1}


@pytest.mark.parametrize("kind", ["array", "group", "missing", "other"])
def test_build_metadata_v3_equals_zarr_python(kind: str) -> None:
    from zarr.core.group import _build_metadata_v3 as peer_build

    from zarrdist.core.group import _build_metadata_v3

    if kind == "array":
        data = zarr.create_array({}, shape=(3,), dtype="i2").metadata.to_dict()
    else:
        data = {"zarr_format": 3, "node_type": kind, "attributes": {"a": 1}}
        if kind == "missing":
            data.pop("node_type")
    try:
        expected: Any = peer_build(dict(data)).to_dict()
    except ValueError as exc:
        expected = str(exc)
    try:
        got: Any = _build_metadata_v3(dict(data)).to_dict()
    except ValueError as exc:
        got = str(exc)
    if kind == "other":  # both refuse it; the messages differ
        assert isinstance(expected, str)
        assert isinstance(got, str)
        return
    assert got == expected


@pytest.mark.parametrize("path", ["", "a", "a/b"])
def test_array_repr_as_zarr_python(path: str) -> None:
    store = SyncMemoryStore()  # its url is what the repr shows
    peer_store = zarr.storage.MemoryStore()
    ours = zarrdist.create_array(store, name=path or None, shape=(2, 3), dtype="u1")
    peer = zarr.create_array(peer_store, name=path or None, shape=(2, 3), dtype="u1")
    assert repr(ours).replace(store.url, "<store>") == repr(peer).replace(
        str(peer_store), "<store>"
    )
