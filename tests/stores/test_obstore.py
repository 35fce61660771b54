"""ObjectStore on obstore: the shared suite on obstore's local, memory and S3 (moto)
stores; batch calls through obstore; specs for workers."""

from __future__ import annotations

import pickle
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import obstore
import pytest
from obstore.store import LocalStore as ObsLocalStore
from obstore.store import MemoryStore as ObsMemoryStore
from obstore.store import S3Store

import zarrdist
from tests.conftest import S3Location
from tests.stores._suite import StoreTests
from zarrdist.config import config
from zarrdist.errors import StoreError
from zarrdist.stores import (
    ObjectStore,
    OffsetByteRequest,
    RangeByteRequest,
    Store,
    StoreSpec,
    SuffixByteRequest,
)


def _s3(location: S3Location, prefix: str) -> S3Store:
    bucket, _, root = location.url.removeprefix("s3://").partition("/")
    return S3Store(
        bucket,
        prefix=f"{root}/{prefix}",
        config={
            "endpoint": location.storage_options["endpoint_url"],
            "access_key_id": "testing",
            "secret_access_key": "testing",
            "region": "us-east-1",
        },
        client_options={"allow_http": True},
    )


class _ObstoreTests(StoreTests):
    """Raw access through obstore itself, bypassing zarrdist."""

    def _set_raw(self, store: Store, key: str, value: bytes) -> None:
        assert isinstance(store, ObjectStore)
        obstore.put(store.store, key, value)

    def _get_raw(self, store: Store, key: str) -> bytes | None:
        assert isinstance(store, ObjectStore)
        try:
            return bytes(obstore.get(store.store, key).bytes())
        except FileNotFoundError:
            return None


class TestObstoreLocal(_ObstoreTests):
    list_dir_keeps_empty_dirs = True
    reopen_in_subprocess = True

    @pytest.fixture
    def store_factory(self, tmp_path: Path) -> Callable[[], Store]:
        def make() -> Store:
            root = tmp_path / uuid.uuid4().hex
            root.mkdir()
            return ObjectStore(ObsLocalStore(root))

        return make


class TestObstoreMemory(_ObstoreTests):
    @pytest.fixture
    def store_factory(self) -> Callable[[], Store]:
        return lambda: ObjectStore(ObsMemoryStore())


@pytest.mark.s3
class TestObstoreS3(_ObstoreTests):
    reopen_in_subprocess = True
    machine_examples = 8

    @pytest.fixture
    def store_factory(self, s3_bucket_url: S3Location) -> Callable[[], Store]:
        return lambda: ObjectStore(_s3(s3_bucket_url, uuid.uuid4().hex))


def test_constructor_matches_zarr_python() -> None:
    import inspect

    import zarr.storage

    def shape(cls: Any) -> list[tuple[str, Any, Any]]:
        params = inspect.signature(cls).parameters.values()
        return [(p.name, p.kind, p.default) for p in params]

    assert shape(ObjectStore) == shape(zarr.storage.ObjectStore)
    with pytest.raises(TypeError, match="wraps an obstore store"):
        ObjectStore({"not": "a store"})
    reader = ObjectStore(ObsMemoryStore(), read_only=True)
    with pytest.raises(PermissionError, match="read-only"):
        reader.set("k", b"v")


@pytest.mark.s3
def test_s3_batches_and_conditional_put(s3_bucket_url: S3Location) -> None:
    store = ObjectStore(_s3(s3_bucket_url, "batch"))
    values = {f"c/{i}": bytes([i]) * (100 + i) for i in range(20)}
    with config.set({"io.max_concurrency": 3}):
        store.set_many(values)
        assert [None if v is None else bytes(v) for v in store.get_many([*values, "c/x"])] == [
            *values.values(),
            None,
        ]
    requests = [RangeByteRequest(3, 9), OffsetByteRequest(110), SuffixByteRequest(4)]
    got = [bytes(v) for v in store.get_ranges("c/7", requests)]  # type: ignore[arg-type]
    assert got == [values["c/7"][3:9], b"", values["c/7"][-4:]]
    assert store.set_if_not_exists("c/0", b"other") is False
    assert store.set_if_not_exists("new", b"first") is True
    assert store.get("c/0") == values["c/0"]
    assert store.delete_prefix("c") == 20


def test_memory_store_stays_in_its_process() -> None:
    store = ObjectStore(ObsMemoryStore())
    assert not store.supports_multiprocess_writes
    assert pickle.loads(pickle.dumps(store)) is store
    elsewhere = {**store.spec.to_json(), "pid": -1}
    with pytest.raises(StoreError, match="cannot be reached") as info:
        StoreSpec.from_json(elsewhere).open()
    assert "MemoryStore" in str(info.value.store)


@pytest.mark.slow
@pytest.mark.s3
def test_arrays_on_s3_through_a_cluster(s3_bucket_url: S3Location) -> None:
    from tests.graphs._helpers import shared_cluster

    store = ObjectStore(_s3(s3_bucket_url, "arr.zarr"))
    data = np.random.default_rng(0).standard_normal((40, 30))
    with shared_cluster() as client, client.as_current(), config.set({"direct_max_bytes": 0}):
        z = zarrdist.create_array(store, shape=data.shape, chunks=(10, 10), shards=(20, 30))
        z[:] = data
        np.testing.assert_array_equal(zarrdist.open_array(store, mode="r")[:], data)
    # zarr-python reads it through its own ObjectStore over the same obstore store.
    import zarr
    import zarr.storage

    again = zarr.open_array(zarr.storage.ObjectStore(store.store, read_only=True))
    np.testing.assert_array_equal(again[:], data)


def test_range_requests_are_exact(tmp_path: Path) -> None:
    store = ObjectStore(ObsLocalStore(tmp_path))
    store.set("v", b"0123456789")
    assert bytes(store.get("v", RangeByteRequest(2, 5)) or b"") == b"234"
