"""zarr-python's node functions (``zarr.core.sync_group``/``zarr.core.group``) and store
helpers (``zarr.storage._common``) on zarrdist, checked against zarr-python."""

from __future__ import annotations

import asyncio
from typing import Any

import numpy as np
import pytest
import zarr as zarr_python
from zarr.core import sync_group as peer_sync_group

import zarrdist as zarr
from zarrdist.api.aio import AsyncArray, AsyncGroup
from zarrdist.api.aio import hierarchy as aio_hierarchy
from zarrdist.api.aio.storage import contains_array, contains_group, make_store_path
from zarrdist.api.hierarchy import nodes
from zarrdist.errors import NodeNotFoundError
from zarrdist.stores import LocalStore, MemoryStore, StorePath


def _spec() -> dict[str, Any]:
    return {
        "g": zarr.GroupMetadata(attributes={"k": 1}),
        "g/a": zarr.ArrayMetadata(shape=(4,), dtype="i2"),
    }


def test_create_nodes_writes_only_the_nodes(tmp_path: Any) -> None:
    store = LocalStore(tmp_path / "ours")
    created = dict(nodes.create_nodes(store=store, nodes=_spec()))
    assert sorted(created) == ["g", "g/a"]
    assert not store.exists("zarr.json")  # no implicit root, as zarr-python's create_nodes
    peer_store = zarr_python.storage.LocalStore(tmp_path / "peer")
    peer_spec = {
        "g": zarr_python.core.group.GroupMetadata(attributes={"k": 1}),
        "g/a": zarr_python.create_array({}, shape=(4,), dtype="i2").metadata,
    }
    dict(peer_sync_group.create_nodes(store=peer_store, nodes=peer_spec))
    peer = zarr_python.open_group(tmp_path / "peer", path="g", mode="r")
    assert dict(peer.attrs) == dict(created["g"].attrs)
    assert peer["a"].shape == created["g/a"].shape  # type: ignore[union-attr]


def test_create_rooted_hierarchy_returns_the_root() -> None:
    root = nodes.create_rooted_hierarchy(store=MemoryStore(), nodes=_spec())
    assert isinstance(root, zarr.Group)
    assert root.path == "g"
    assert dict(root.attrs) == {"k": 1}
    assert root["a"].dtype == np.dtype("i2")


def test_create_rooted_hierarchy_without_root() -> None:
    spec = {"a": zarr.GroupMetadata(), "b": zarr.GroupMetadata()}
    with pytest.raises(ValueError, match="does not specify a root node"):
        nodes.create_rooted_hierarchy(store=MemoryStore(), nodes=spec)
    with pytest.raises(ValueError):
        peer_sync_group.create_rooted_hierarchy(
            store=zarr_python.storage.MemoryStore(),
            nodes={
                "a": zarr_python.core.group.GroupMetadata(),
                "b": zarr_python.core.group.GroupMetadata(),
            },
        )


def test_get_node_by_format() -> None:
    store = MemoryStore()
    zarr.create_array(store, name="x", shape=(3,), dtype="u1", zarr_format=2)
    assert isinstance(nodes.get_node(store, "x", 2), zarr.Array)
    assert isinstance(nodes.get_node(store, "", 2), zarr.Group)
    with pytest.raises(NodeNotFoundError):
        nodes.get_node(store, "x", 3)
    with pytest.raises(ValueError, match="zarr_format"):
        nodes.get_node(store, "x", 4)


def test_async_faces() -> None:
    async def go() -> tuple[Any, Any, Any]:
        store = MemoryStore()
        made = [x async for x in aio_hierarchy.create_hierarchy(store=store, nodes=_spec())]
        root = await aio_hierarchy.create_rooted_hierarchy(store=MemoryStore(), nodes=_spec())
        node = await aio_hierarchy.get_node(store, "g/a", 3)
        return made, root, node

    made, root, node = asyncio.run(go())
    assert [p for p, _ in made] == ["", "g", "g/a"]
    assert isinstance(root, AsyncGroup)
    assert isinstance(node, AsyncArray)


def test_make_store_path_and_contains(tmp_path: Any) -> None:
    async def go() -> tuple[Any, ...]:
        sp = await make_store_path(str(tmp_path), path="/a/", mode="r")
        mem = await make_store_path(None, path="b")
        nested = await make_store_path(StorePath(MemoryStore(), "x"), path="y")
        store = MemoryStore()
        zarr.create_group(store, path="g", zarr_format=2)
        found = (
            await contains_group(StorePath(store, "g"), zarr_format=2),
            await contains_group(StorePath(store, "g"), zarr_format=3),
            await contains_array(StorePath(store, "g"), zarr_format=2),
        )
        return sp, mem, nested, found

    sp, mem, nested, found = asyncio.run(go())
    assert isinstance(sp.store, LocalStore)
    assert sp.path == "a"
    assert sp.read_only
    assert isinstance(mem.store, MemoryStore)
    assert mem.path == "b"
    assert nested.path == "x/y"
    assert found == (True, False, False)
    with pytest.raises(TypeError, match="Unsupported type for store_like: 'int'"):
        asyncio.run(make_store_path(1))
    with pytest.raises(ValueError):
        asyncio.run(contains_array(StorePath(MemoryStore()), zarr_format="3.0"))  # type: ignore[arg-type]


def test_store_path_open_modes() -> None:
    store = MemoryStore()
    store.set("p/k", b"1")
    with pytest.raises(FileExistsError):
        asyncio.run(StorePath.open(store, "p", mode="w-"))
    assert asyncio.run(StorePath.open(store, "p", mode="r")).read_only
    asyncio.run(StorePath.open(store, "p", mode="w"))
    assert not store.exists("p/k")
    with pytest.raises(ValueError):
        asyncio.run(StorePath.open(store.with_read_only(True), "p", mode="a"))


@pytest.mark.parametrize("lib", [zarr, zarr_python])
def test_messages_shared_with_zarr_python(lib: Any) -> None:
    """The first sentence of these refusals is zarr-python's (code matches on it)."""
    store = MemoryStore() if lib is zarr else zarr_python.storage.MemoryStore()
    root = lib.group(store)
    with pytest.raises(ValueError, match="Consolidated metadata requested"):
        lib.open_group(store, use_consolidated=True)
    meta = zarr.GroupMetadata() if lib is zarr else zarr_python.core.group.GroupMetadata()
    with pytest.raises(ValueError, match="It is an error to use this method to create a root node"):
        dict(root.create_hierarchy({"": meta}))
    root.create_array("a", shape=(2,), dtype="u1")
    with pytest.raises(
        ValueError, match=r"A parent of .* is an array - only groups may have child"
    ):
        root.create_group("a/b")
