"""zarr-python's async store API on zarrdist (``zarrdist.storage``, ``zarrdist.abc.store``).

The faces give what zarr-python's own stores give for the same calls; arrays made on a
face run on the synchronous store it wraps; a user's own subclass of the async ABC is
driven by the engine through its coroutines, from any thread.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import zarr
import zarr.storage
from zarr.abc import store as zabc
from zarr.core.buffer import default_buffer_prototype as zarr_prototype

import zarrdist
import zarrdist.storage
import zarrdist.stores
from zarrdist.abc.store import (
    ByteRequest,
    OffsetByteRequest,
    RangeByteRequest,
    Store,
    SuffixByteRequest,
)
from zarrdist.core.buffer import Buffer, BufferPrototype, cpu, default_buffer_prototype

REQUESTS: list[Any] = [
    None,
    RangeByteRequest(1, 4),
    RangeByteRequest(2, 100),
    OffsetByteRequest(3),
    SuffixByteRequest(2),
    SuffixByteRequest(50),
]


def _theirs(request: Any) -> Any:
    """The same request as zarr-python spells it."""
    if request is None:
        return None
    if isinstance(request, RangeByteRequest):
        return zabc.RangeByteRequest(request.start, request.end)
    if isinstance(request, OffsetByteRequest):
        return zabc.OffsetByteRequest(request.offset)
    return zabc.SuffixByteRequest(request.suffix)


Pair = tuple[Any, Any]


def _memory(tmp_path: Path) -> Pair:
    return zarrdist.storage.MemoryStore(), zarr.storage.MemoryStore()


def _local(tmp_path: Path) -> Pair:
    return (
        zarrdist.storage.LocalStore(tmp_path / "ours"),
        zarr.storage.LocalStore(tmp_path / "theirs"),
    )


def _zip(tmp_path: Path) -> Pair:
    return (
        zarrdist.storage.ZipStore(tmp_path / "ours.zip", mode="w"),
        zarr.storage.ZipStore(tmp_path / "theirs.zip", mode="w"),
    )


async def _keys(listing: AsyncIterator[str]) -> list[str]:
    return sorted([key async for key in listing])


async def _compare(ours: Any, theirs: Any) -> None:
    values = {"zarr.json": b"{}", "a/c/0": bytes(range(10)), "a/c/1": b"", "ab/x": b"xyz"}
    for key, value in values.items():
        await ours.set(key, cpu.Buffer.from_bytes(value))
        await theirs.set(key, zarr_prototype().buffer.from_bytes(value))
    for key in [*values, "missing", "a/c"]:
        for request in REQUESTS:
            got = await ours.get(key, default_buffer_prototype(), byte_range=request)
            want = await theirs.get(key, zarr_prototype(), byte_range=_theirs(request))
            assert (got is None) == (want is None), (key, request)
            if got is not None:
                assert isinstance(got, Buffer)
                assert got.to_bytes() == want.to_bytes(), (key, request)
        assert await ours.exists(key) == await theirs.exists(key), key
    assert await _keys(ours.list()) == await _keys(theirs.list())
    for prefix in ("", "a/", "a/c/", "ab/", "zz/"):
        assert await _keys(ours.list_prefix(prefix)) == await _keys(theirs.list_prefix(prefix))
    for prefix in ("", "a", "a/", "a/c"):
        assert await _keys(ours.list_dir(prefix)) == await _keys(theirs.list_dir(prefix))
    for prefix in ("", "a", "a/", "fo", "zz"):
        assert await ours.is_empty(prefix) == await theirs.is_empty(prefix), prefix
    assert await ours.getsize("a/c/0") == await theirs.getsize("a/c/0") == 10
    assert await ours.getsize_prefix("a/") == await theirs.getsize_prefix("a/") == 10
    ranges = [
        ("a/c/0", RangeByteRequest(0, 2)),
        ("ab/x", SuffixByteRequest(1)),
        ("zarr.json", None),
    ]
    got_many = await ours.get_partial_values(default_buffer_prototype(), ranges)
    want_many = await theirs.get_partial_values(
        zarr_prototype(), [(k, _theirs(r)) for k, r in ranges]
    )
    assert [g.to_bytes() for g in got_many] == [w.to_bytes() for w in want_many]
    with pytest.raises(FileNotFoundError):
        await ours.getsize("missing")


@pytest.mark.parametrize("make", [_memory, _local, _zip], ids=["memory", "local", "zip"])
def test_faces_answer_as_zarr_python_stores(tmp_path: Path, make: Callable[[Path], Pair]) -> None:
    ours, theirs = make(tmp_path)
    asyncio.run(_compare(ours, theirs))
    ours.close()
    theirs.close()


@pytest.mark.parametrize("make", [_memory, _local], ids=["memory", "local"])
def test_faces_delete_as_zarr_python_stores(tmp_path: Path, make: Callable[[Path], Pair]) -> None:
    ours, theirs = make(tmp_path)

    async def main() -> None:
        for store, proto in ((ours, default_buffer_prototype()), (theirs, zarr_prototype())):
            for key in ("g/zarr.json", "g/c/0", "g-x/zarr.json", "k"):
                await store.set(key, proto.buffer.from_bytes(b"v"))
            await store.delete("k")
            await store.delete("never-there")
            await store.delete_dir("g")
        assert await _keys(ours.list()) == await _keys(theirs.list()) == ["g-x/zarr.json"]
        await ours.clear()
        assert await ours.is_empty("")

    asyncio.run(main())


def test_read_only_faces_refuse_writes_with_zarr_pythons_words() -> None:
    async def main() -> None:
        store = zarrdist.storage.MemoryStore(read_only=True)
        for write in (store.set("k", cpu.Buffer.from_bytes(b"v")), store.delete("k")):
            with pytest.raises(ValueError, match="store was opened in read-only mode"):
                await write
        writer = store.with_read_only(False)
        await writer.set("k", cpu.Buffer.from_bytes(b"v"))
        assert (await store.get("k", default_buffer_prototype())).to_bytes() == b"v"  # type: ignore[union-attr]
        with pytest.raises(TypeError, match="Unexpected byte_range"):
            await store.get("k", default_buffer_prototype(), byte_range=(0, 1))  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="must be a Buffer"):
            await writer.set("k", b"raw")  # type: ignore[arg-type]

    asyncio.run(main())


def test_arrays_on_a_face_use_its_synchronous_store(tmp_path: Path) -> None:
    face = zarrdist.storage.LocalStore(tmp_path)
    sync_store = zarrdist.stores.resolve_store(face)
    assert type(sync_store) is zarrdist.stores.LocalStore
    assert sync_store == face
    assert face == sync_store
    data = np.arange(60, dtype="i4").reshape(6, 10)
    z = zarrdist.create_array(store=face, shape=data.shape, chunks=(4, 4), dtype="i4")
    z[...] = data
    np.testing.assert_array_equal(zarr.open_array(tmp_path, mode="r")[...], data)
    chunk = asyncio.run(face.get("c/0/0", default_buffer_prototype()))
    assert chunk is not None
    assert chunk.to_bytes() == (tmp_path / "c/0/0").read_bytes()
    # A face in a StorePath, as zarr-python code writes it.
    path = zarrdist.storage.StorePath(zarrdist.storage.MemoryStore(), "g/x")
    y = zarrdist.create_array(path, shape=(3,), dtype="u1", fill_value=7)
    assert asyncio.run(path.store.exists("g/x/zarr.json"))
    np.testing.assert_array_equal(zarrdist.open_array(path, mode="r")[...], y[...])


class DictStore(Store):
    """A user's own async store over a dict, as zarr-python users write them."""

    def __init__(self, *, read_only: bool = False) -> None:
        super().__init__(read_only=read_only)
        self.values: dict[str, bytes] = {}
        self.calls: dict[str, int] = {}
        self.threads: set[int] = set()

    def _count(self, name: str) -> None:
        self.calls[name] = self.calls.get(name, 0) + 1
        self.threads.add(threading.get_ident())

    def __eq__(self, other: object) -> bool:
        return other is self

    supports_writes = True  # type: ignore[assignment]
    supports_deletes = True  # type: ignore[assignment]
    supports_listing = True  # type: ignore[assignment]

    async def get(
        self, key: str, prototype: BufferPrototype, byte_range: ByteRequest | None = None
    ) -> Buffer | None:
        self._count("get")
        await asyncio.sleep(0)
        value = self.values.get(key)
        if value is None:
            return None
        if isinstance(byte_range, RangeByteRequest):
            value = value[byte_range.start : byte_range.end]
        elif isinstance(byte_range, OffsetByteRequest):
            value = value[byte_range.offset :]
        elif isinstance(byte_range, SuffixByteRequest):
            value = value[-byte_range.suffix :] if byte_range.suffix else b""
        return prototype.buffer.from_bytes(value)

    async def get_partial_values(
        self, prototype: BufferPrototype, key_ranges: Iterable[tuple[str, ByteRequest | None]]
    ) -> list[Buffer | None]:
        return [await self.get(k, prototype, r) for k, r in key_ranges]

    async def exists(self, key: str) -> bool:
        self._count("exists")
        return key in self.values

    async def set(self, key: str, value: Buffer) -> None:
        self._check_writable()
        self._count("set")
        self.values[key] = value.to_bytes()

    async def delete(self, key: str) -> None:
        self._check_writable()
        self._count("delete")
        self.values.pop(key, None)

    async def list(self) -> AsyncIterator[str]:  # type: ignore[override]
        for key in list(self.values):
            yield key

    async def list_prefix(self, prefix: str) -> AsyncIterator[str]:  # type: ignore[override]
        for key in list(self.values):
            if key.startswith(prefix):
                yield key

    async def list_dir(self, prefix: str) -> AsyncIterator[str]:  # type: ignore[override]
        prefix = prefix.rstrip("/") + "/" if prefix else ""
        names = {k[len(prefix) :].split("/")[0] for k in self.values if k.startswith(prefix)}
        for name in sorted(names):
            yield name


def test_a_users_async_store_runs_arrays_from_threads() -> None:
    store = DictStore()
    data = np.arange(400, dtype="f4").reshape(20, 20)
    z = zarrdist.create_array(store=store, shape=data.shape, chunks=(5, 5), dtype="f4")
    # Writes from several threads at once, each its own block of chunks.
    with ThreadPoolExecutor(4) as pool:
        list(
            pool.map(
                lambda i: z.__setitem__(slice(5 * i, 5 * i + 5), data[5 * i : 5 * i + 5]), range(4)
            )
        )
    assert store.calls["set"] >= 1 + 16  # zarr.json and every chunk, through its coroutine
    np.testing.assert_array_equal(z[...], data)
    # Reads from threads, and through a dask graph on the threaded scheduler.
    with ThreadPoolExecutor(4) as pool:
        rows = list(pool.map(lambda i: z[i], range(20)))
    np.testing.assert_array_equal(np.stack(rows), data)
    np.testing.assert_array_equal(z.to_dask().compute(scheduler="threads"), data)
    # The coroutines ran on fsspec's loop thread, not on the callers' threads.
    from fsspec.asyn import get_loop

    loop_threads = {getattr(get_loop(), "_thread_id", None)}
    assert store.threads
    assert store.threads.isdisjoint({threading.get_ident()})
    assert None in loop_threads or store.threads <= loop_threads
    # What zarr-python reads from the same store's bytes.
    theirs = zarr.storage.MemoryStore(
        {k: zarr_prototype().buffer.from_bytes(v) for k, v in store.values.items()}
    )
    np.testing.assert_array_equal(zarr.open_array(theirs, mode="r")[...], data)
    # Mode "r" would need with_read_only, which this store does not implement (as
    # zarr-python, which refuses it the same way).
    again = zarrdist.open_array(store)
    np.testing.assert_array_equal(again[3:9, 2:17], data[3:9, 2:17])


def test_a_face_subclass_with_its_own_coroutine_is_bridged() -> None:
    seen: list[str] = []

    class NoisyMemory(zarrdist.storage.MemoryStore):
        async def set(self, key: str, value: Buffer) -> None:
            seen.append(key)
            await super().set(key, value)

    store = NoisyMemory()
    z = zarrdist.create_array(store=store, shape=(4,), chunks=(2,), dtype="u1")
    z[...] = 1
    # Chunks through the override; metadata too (set, or set_if_not_exists).
    assert {"c/0", "c/1"} <= set(seen)
    assert asyncio.run(store.exists("zarr.json"))
    np.testing.assert_array_equal(z[...], np.ones(4, "u1"))


def test_logging_face_counts_the_engines_calls() -> None:
    store = zarrdist.storage.LoggingStore(zarrdist.storage.MemoryStore(), log_level="DEBUG")
    z = zarrdist.create_array(store=store, shape=(4,), chunks=(4,), dtype="u1")
    z[...] = 3
    assert store.counter["set"] + store.counter["set_if_not_exists"] == 2
    np.testing.assert_array_equal(z[...], np.full(4, 3, "u1"))
    assert store.counter["get"] >= 1


def test_buffers_as_zarr_pythons() -> None:
    from zarr.core.buffer import cpu as zcpu

    data = b"\x00\x01\x02\x03\x04"
    ours, theirs = cpu.Buffer.from_bytes(data), zcpu.Buffer.from_bytes(data)
    assert ours.to_bytes() == theirs.to_bytes()
    assert ours[1:3].to_bytes() == theirs[1:3].to_bytes()
    assert len(ours) == len(theirs)
    np.testing.assert_array_equal(ours.as_numpy_array(), theirs.as_numpy_array())
    assert (ours + cpu.Buffer.from_bytes(b"!")).to_bytes() == data + b"!"
    assert ours == cpu.Buffer.from_bytes(data)
    nd = cpu.buffer_prototype.nd_buffer.create(shape=(2, 3), dtype="i2", fill_value=4)
    np.testing.assert_array_equal(nd.as_numpy_array(), np.full((2, 3), 4, "i2"))
    assert nd.reshape((3, 2)).shape == (3, 2)
    with pytest.raises(ValueError, match="single scalar"):
        nd.as_scalar()
    assert (
        cpu.buffer_prototype.nd_buffer.create(shape=(), dtype="i8", fill_value=5).as_scalar() == 5
    )


def test_faces_and_bridged_stores_pickle() -> None:
    import pickle

    async def main() -> None:
        face = zarrdist.storage.MemoryStore()
        await face.set("k", cpu.Buffer.from_bytes(b"v"))
        again = pickle.loads(pickle.dumps(face))
        assert again == face
        # In this process the pickle reopens the same store: writes are seen by both.
        await again.set("k2", cpu.Buffer.from_bytes(b"w"))
        assert sorted(face._store_dict) == ["k", "k2"]

    asyncio.run(main())
    store = DictStore()
    zarrdist.create_array(store=store, shape=(4,), chunks=(2,), dtype="i1")[...] = 5
    # The bridge's spec pickles the user's store (not the bridge inside it).
    spec = zarrdist.stores.resolve_store(store).spec
    reopened = spec.open()
    np.testing.assert_array_equal(zarrdist.open_array(reopened)[...], np.full(4, 5, "i1"))
