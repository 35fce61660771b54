"""The async face (``AsyncArray``, ``AsyncGroup``, ``zarrdist.api.asynchronous``): the
same coroutine run with zarr-python 3.1.5 and with zarrdist gives the same values, the
stores each writes are read back by the other, and the work runs off the event loop."""

from __future__ import annotations

import asyncio
import inspect
import threading
from typing import Any

import numpy as np
import pytest
import zarr
import zarr.api.asynchronous as peer_async
import zarr.storage

import zarrdist
import zarrdist.api.asynchronous as our_async
from zarrdist.stores import MemoryStore


async def _array_session(za: Any, store: Any) -> dict[str, Any]:
    a = await za.create_array(store=store, shape=(10, 8), chunks=(4, 4), dtype="i4", fill_value=-1)
    await a.setitem((slice(0, 5), slice(None)), np.arange(40, dtype="i4").reshape(5, 8))
    out: dict[str, Any] = {"type": type(a).__name__}
    out["row"] = await a.getitem(2)
    out["block"] = await a.getitem((slice(3, 7), slice(1, 6)))
    out["oindex"] = await a.oindex.getitem(([0, 4, 9], [1, 7]))
    out["vindex"] = await a.vindex.getitem(([0, 4, 9], [1, 7, 2]))
    out["ortho"] = await a.get_orthogonal_selection(([1, 2], slice(None, None, 3)))
    out["initialized"] = await a.nchunks_initialized()
    await a.resize((12, 8))
    out["shape"] = a.shape
    out["appended"] = await a.append(np.full((3, 8), 5, dtype="i4"))
    out["tail"] = await a.getitem(slice(10, None))
    out["updated_type"] = type(await a.update_attributes({"units": "m"})).__name__
    out["attrs"] = a.attrs
    out["props"] = (a.ndim, a.size, a.nchunks, a.chunks, str(a.dtype), a.read_only, a.path)
    return out


@pytest.mark.parametrize("fmt", [2, 3])
def test_array_session_matches_zarr_python(fmt: int) -> None:
    async def run(za: Any, store: Any) -> dict[str, Any]:
        return await _array_session(za, store)

    ours = asyncio.run(run(our_async, MemoryStore()))
    theirs = asyncio.run(run(peer_async, zarr.storage.MemoryStore()))
    assert ours["type"] == theirs["type"] == "AsyncArray"
    assert ours["updated_type"] == theirs["updated_type"] == "AsyncArray"
    for key in theirs:
        np.testing.assert_equal(ours[key], theirs[key], err_msg=key)


def test_group_session_matches_zarr_python() -> None:
    async def run(za: Any, store: Any) -> list[Any]:
        g = await za.group(store=store, attributes={"title": "t"})
        sub = await g.create_group("sub")
        arr = await g.create_array("x", shape=(4,), dtype="f8", fill_value=0.5)
        await sub.create_array("y", shape=(2, 2), dtype="u1")
        got = await g.getitem("x")
        seen = [
            type(g).__name__,
            type(sub).__name__,
            type(arr).__name__,
            type(got).__name__,
            await got.getitem(slice(None)),
            sorted([k async for k in g.keys()]),  # noqa: SIM118
            sorted([k async for k in g.array_keys()]),
            sorted([k async for k in g.group_keys()]),
            sorted(name for name, _ in [m async for m in g.members(max_depth=None)]),
            await g.contains("x"),
            await g.contains("nope"),
            await g.nmembers(max_depth=None),
            g.attrs,
            (await g.require_group("sub")).path,
            (await g.get("missing", "default")),
        ]
        await g.delitem("x")
        seen.append(sorted([k async for k in g.keys()]))  # noqa: SIM118
        reopened = await za.open_group(store=store, mode="r")
        seen.append((type(reopened).__name__, reopened.read_only, reopened.attrs))
        return seen

    ours = asyncio.run(run(our_async, MemoryStore()))
    theirs = asyncio.run(run(peer_async, zarr.storage.MemoryStore()))
    np.testing.assert_equal(ours, theirs)


def test_every_zarr_python_async_function_exists_with_its_parameters() -> None:
    for name in peer_async.__all__:
        ours = getattr(our_async, name)
        assert inspect.iscoroutinefunction(ours) or inspect.isasyncgenfunction(ours), name
        theirs = getattr(peer_async, name)
        assert inspect.isasyncgenfunction(ours) == inspect.isasyncgenfunction(theirs), name
    assert zarrdist.AsyncArray is our_async.AsyncArray
    assert zarrdist.AsyncGroup is our_async.AsyncGroup


def test_async_api_reads_zarr_python_store_and_the_other_way(tmp_path: Any) -> None:
    data = np.arange(60, dtype="f4").reshape(6, 10)
    zarr.create_array(str(tmp_path / "theirs"), data=data, chunks=(2, 5))

    async def read_theirs() -> Any:
        a = await our_async.open_array(store=str(tmp_path / "theirs"), mode="r")
        return await a.getitem(...)

    np.testing.assert_array_equal(asyncio.run(read_theirs()), data)

    async def write_ours() -> None:
        await our_async.save_array(str(tmp_path / "ours"), data)
        g = await our_async.open_group(store=str(tmp_path / "g"), mode="w")
        nodes = {"a": zarrdist.GroupMetadata(), "a/b": zarrdist.GroupMetadata()}
        made = [p async for p, _ in our_async.create_hierarchy(store=g.store, nodes=nodes)]
        assert sorted(made) == ["a", "a/b"]

    asyncio.run(write_ours())
    np.testing.assert_array_equal(zarr.open_array(str(tmp_path / "ours"), mode="r")[...], data)
    assert sorted(zarr.open_group(str(tmp_path / "g"), mode="r").group_keys()) == ["a"]


def test_array_async_array_faces_the_same_array() -> None:
    z = zarrdist.zeros((6,), chunks=(2,), dtype="i2")
    face = z.async_array

    async def go() -> Any:
        await face.setitem(slice(1, 4), 9)
        return await face.getitem(...)

    np.testing.assert_array_equal(asyncio.run(go()), z[...])
    assert z[2] == 9
    assert face.store is z.store
    assert face.shape == z.shape


def test_reads_run_off_the_event_loop_and_concurrently() -> None:
    z = zarrdist.create_array(MemoryStore(), shape=(64, 64), chunks=(8, 8), dtype="i8")
    z[...] = np.arange(64 * 64).reshape(64, 64)
    loop_thread: list[int] = []
    read_threads: set[int] = set()
    real_get = z._get  # the sync read the face must call, instrumented

    def tracing_get(indexer: Any) -> Any:
        read_threads.add(threading.get_ident())
        return real_get(indexer)

    z._get = tracing_get  # type: ignore[method-assign]

    async def go() -> list[Any]:
        loop_thread.append(threading.get_ident())
        face = zarrdist.AsyncArray(z)
        return await asyncio.gather(*(face.getitem(i) for i in range(64)))

    rows = asyncio.run(go())
    assert read_threads
    assert loop_thread[0] not in read_threads
    np.testing.assert_array_equal(np.stack(rows), np.arange(64 * 64).reshape(64, 64))


def test_large_read_runs_as_a_graph_on_the_active_client(tmp_path: Any) -> None:
    distributed = pytest.importorskip("distributed")
    z = zarrdist.create_array(str(tmp_path / "a"), shape=(40,), chunks=(10,), dtype="i4")
    z[...] = np.arange(40)
    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as c,
        distributed.Client(c) as client,
        zarrdist.config.set({"direct_max_bytes": 0, "numpy_on_cluster": True}),  # send NumPy reads
        distributed.get_task_stream(client) as stream,
    ):

        async def go() -> Any:
            return await z.async_array.getitem(slice(5, 35))

        out = asyncio.run(go())
    np.testing.assert_array_equal(out, np.arange(5, 35))
    assert stream.data, "the read ran no task on the cluster"


def test_async_group_open_and_errors_are_zarr_pythons() -> None:
    store = MemoryStore()

    async def go() -> None:
        await zarrdist.AsyncGroup.from_store(store, attributes={"a": 1})
        g = await zarrdist.AsyncGroup.open(store)
        assert g.attrs == {"a": 1}
        with pytest.raises(KeyError):
            await g.getitem("missing")
        ro = await our_async.open_group(store=store, mode="r")
        with pytest.raises(ValueError, match=r"read-only|read only"):
            await ro.create_group("x")

    asyncio.run(go())


@pytest.mark.parametrize("zarr_format", [2, 3])
def test_async_group_from_metadata_and_store_path(zarr_format: int) -> None:
    """zarr-python's ``AsyncGroup(metadata=..., store_path=...)``: a face over that group,
    nothing written until a member is created (as in zarr-python)."""
    from zarrdist.stores import StorePath

    ours_store, peer_store = MemoryStore(), zarr.storage.MemoryStore()
    ours = zarrdist.AsyncGroup(
        metadata=zarrdist.GroupMetadata(zarr_format=zarr_format), store_path=StorePath(ours_store)
    )
    peer = zarr.AsyncGroup(
        metadata=zarr.core.group.GroupMetadata(zarr_format=zarr_format),
        store_path=zarr.storage.StorePath(peer_store),
    )
    assert list(ours_store.list_prefix("")) == list(peer_store._store_dict) == []
    zarrdist.Group(ours).create_group("foo")
    zarr.Group(peer).create_group("foo")
    assert sorted(ours_store.list_prefix("")) == sorted(peer_store._store_dict)
    with pytest.raises(TypeError, match="AsyncGroup"):
        zarrdist.AsyncGroup(metadata=zarrdist.GroupMetadata())


@pytest.mark.parametrize("name", ["create_array", "create_group", "create_hierarchy", "members"])
def test_async_group_methods_show_the_sync_parameters(name: str) -> None:
    ours = inspect.signature(getattr(zarrdist.AsyncGroup, name)).parameters
    assert ours == inspect.signature(getattr(zarrdist.Group, name)).parameters
