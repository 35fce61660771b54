"""FsspecStore: the shared suite on file://, memory:// and a moto S3 server; batching."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import fsspec
import pytest
from fsspec.asyn import AsyncFileSystem

from tests.conftest import S3Location
from tests.stores._suite import StoreTests
from zarrdist.config import config
from zarrdist.errors import StoreError
from zarrdist.stores import FsspecStore, RangeByteRequest, Store, StoreSpec, SuffixByteRequest


class _FsspecTests(StoreTests):
    """Raw access through the store's own file system, bypassing the store."""

    def _set_raw(self, store: Store, key: str, value: bytes) -> None:
        assert isinstance(store, FsspecStore)
        path = f"{store.path}/{key}"
        store.fs.makedirs(store.fs._parent(path), exist_ok=True)
        store.fs.pipe_file(path, value)

    def _get_raw(self, store: Store, key: str) -> bytes | None:
        assert isinstance(store, FsspecStore)
        try:
            return bytes(store.fs.cat_file(f"{store.path}/{key}"))
        except FileNotFoundError:
            return None


class TestFsspecLocalFile(_FsspecTests):
    list_dir_keeps_empty_dirs = True
    reopen_in_subprocess = True

    @pytest.fixture
    def store_factory(self, tmp_path: Path) -> Callable[[], Store]:
        return lambda: FsspecStore.from_url(f"file://{tmp_path / uuid.uuid4().hex}")


class TestFsspecMemory(_FsspecTests):
    @pytest.fixture
    def store_factory(self) -> Callable[[], Store]:
        return lambda: FsspecStore.from_url(f"memory://zarrdist-tests/{uuid.uuid4().hex}")


@pytest.mark.s3
class TestFsspecS3(_FsspecTests):
    reopen_in_subprocess = True
    machine_examples = 8

    @pytest.fixture
    def store_factory(self, s3_bucket_url: S3Location) -> Callable[[], Store]:
        url, options = s3_bucket_url
        return lambda: FsspecStore.from_url(f"{url}/{uuid.uuid4().hex}", storage_options=options)


@pytest.mark.s3
def test_s3_spec_carries_url_and_options(s3_bucket_url: S3Location) -> None:
    store = FsspecStore.from_url(
        s3_bucket_url.url + "/", storage_options=s3_bucket_url.storage_options
    )
    assert store.spec.to_json() == {
        "driver": "fsspec",
        "url": s3_bucket_url.url,
        "storage_options": s3_bucket_url.storage_options,
        "read_only": False,
    }
    assert store.url == s3_bucket_url.url


@pytest.mark.s3
def test_s3_batch_calls_with_a_small_concurrency_limit(s3_bucket_url: S3Location) -> None:
    store = FsspecStore.from_url(s3_bucket_url.url, storage_options=s3_bucket_url.storage_options)
    values = {f"c/{i}": bytes([i]) * (100 + i) for i in range(20)}
    with config.set({"io.max_concurrency": 3}):
        store.set_many(values)
        assert store.get_many([*values, "c/none"]) == [*values.values(), None]
        ranges = [RangeByteRequest(i, i + 5) for i in range(10)]
        assert store.get_ranges("c/7", ranges) == [values["c/7"][i : i + 5] for i in range(10)]
    assert sorted(store.list_dir("c")) == sorted(k[2:] for k in values)
    assert store.delete_prefix("c") == 20
    assert list(store.list()) == []


def test_memory_filesystem_store_from_fs_and_path() -> None:
    fs = fsspec.filesystem("memory")
    root = f"/zarrdist-tests/{uuid.uuid4().hex}"
    store = FsspecStore(fs, path=root)
    store.set("a/b", b"v")
    assert store.url == f"memory://{root}"
    reopened = StoreSpec.from_json(store.spec.to_json()).open()
    assert reopened.get("a/b") == b"v"


def test_accepts_an_fsmap(tmp_path: Path) -> None:
    mapper = fsspec.get_mapper(f"file://{tmp_path}/m")
    store = FsspecStore(mapper)
    store.set("x/y", b"data")
    assert (tmp_path / "m" / "x" / "y").read_bytes() == b"data"
    assert mapper["x/y"] == b"data"
    assert store.url == f"file://{tmp_path}/m"
    # zarr-python's spelling, read-only too.
    reader = FsspecStore.from_mapper(mapper, read_only=True)
    assert reader.get("x/y") == b"data"
    assert reader.read_only
    with pytest.raises(TypeError, match="needs an fsspec FSMap"):
        FsspecStore.from_mapper({"x": b"y"})  # type: ignore[arg-type]


def test_read_only_from_url(tmp_path: Path) -> None:
    store = FsspecStore.from_url(f"file://{tmp_path}", read_only=True)
    assert store.spec.to_json()["read_only"] is True
    assert StoreSpec.from_json(store.spec.to_json()).open().read_only


class _SlowFS(AsyncFileSystem):  # type: ignore[misc]
    """An async file system that records how many requests are in flight at once."""

    protocol = "zarrdist-slow"
    cachable = False

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.data: dict[str, bytes] = {}
        self.in_flight = 0
        self.peak = 0
        self.failing: set[str] = set()

    async def _enter(self) -> None:
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        await asyncio.sleep(0.01)
        self.in_flight -= 1

    async def _cat_file(
        self, path: str, start: int | None = None, end: int | None = None, **kw: Any
    ) -> bytes:
        await self._enter()
        if path in self.failing:
            raise PermissionError(13, "access denied", path)
        if path not in self.data:
            raise FileNotFoundError(path)
        value = self.data[path]
        return value[start:end] if start is None or start >= 0 else value[start:]

    async def _pipe_file(self, path: str, value: bytes, **kw: Any) -> None:
        await self._enter()
        self.data[path] = value

    async def _isfile(self, path: str) -> bool:
        return path in self.data


@pytest.mark.parametrize("limit", [1, 4])
def test_batches_run_concurrently_up_to_the_limit(limit: int) -> None:
    fs = _SlowFS()
    store = FsspecStore(fs, path="/root")
    with config.set({"io.max_concurrency": limit}):
        store.set_many({f"k{i}": b"%d" % i for i in range(12)})
        assert fs.peak == limit
        fs.peak = 0
        assert store.get_many([f"k{i}" for i in range(12)]) == [b"%d" % i for i in range(12)]
        assert fs.peak == limit
        fs.peak = 0
        got = store.get_ranges("k11", [RangeByteRequest(0, 1), SuffixByteRequest(1)] * 3)
        assert got == [b"1", b"1"] * 3
        assert fs.peak == min(limit, 6)


def test_errors_name_the_url_and_key() -> None:
    fs = _SlowFS()
    store = FsspecStore(fs, path="/root")
    store.set_many({"good": b"1", "bad": b"2"})
    fs.failing.add("/root/bad")
    with pytest.raises(StoreError, match="access denied") as info:
        store.get_many(["good", "bad", "missing"])
    assert info.value.key == "bad"
    assert info.value.store == store.url
    with pytest.raises(StoreError) as single:
        store.get("bad")
    assert single.value.key == "bad"
    assert store.get_many(["good", "missing"]) == [b"1", None]
