"""ZarrStoreAdapter: the shared suite over zarr-python's LocalStore, MemoryStore and
FsspecStore (on the moto S3 server), plus spec, pickling and API resolution."""

from __future__ import annotations

import pickle
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import zarr
import zarr.storage
from zarr.core.buffer import default_buffer_prototype
from zarr.core.sync import sync

import zarrdist
from tests.conftest import S3Location
from tests.stores._suite import StoreTests
from zarrdist.config import config
from zarrdist.errors import StoreError
from zarrdist.stores import (
    RangeByteRequest,
    Store,
    StoreSpec,
    SuffixByteRequest,
    ZarrStoreAdapter,
    resolve_store,
)


def _zstore(store: Store) -> Any:
    assert isinstance(store, ZarrStoreAdapter)
    return store.store


class _AdapterTests(StoreTests):
    """Raw access through the wrapped zarr-python store, bypassing the adapter."""

    def _set_raw(self, store: Store, key: str, value: bytes) -> None:
        buffer = default_buffer_prototype().buffer.from_bytes(value)
        sync(_zstore(store).set(key, buffer))

    def _get_raw(self, store: Store, key: str) -> bytes | None:
        value = sync(_zstore(store).get(key, default_buffer_prototype()))
        return None if value is None else bytes(value.to_bytes())


class TestAdapterLocal(_AdapterTests):
    list_dir_keeps_empty_dirs = True
    reopen_in_subprocess = True

    @pytest.fixture
    def store_factory(self, tmp_path: Path) -> Callable[[], Store]:
        return lambda: ZarrStoreAdapter(zarr.storage.LocalStore(tmp_path / uuid.uuid4().hex))


class TestAdapterMemory(_AdapterTests):
    @pytest.fixture
    def store_factory(self) -> Callable[[], Store]:
        return lambda: ZarrStoreAdapter(zarr.storage.MemoryStore())


class TestAdapterZarrObjectStore(_AdapterTests):
    """zarr-python's own obstore wrapper, over obstore's local files.

    Not reopened in a subprocess: a process that drove obstore's coroutines on
    zarr-python's loop thread aborts at exit in about a third of runs (obstore
    0.12). ``resolve_store`` therefore maps zarr-python's ObjectStore to zarrdist's
    own, which calls obstore synchronously.
    """

    list_dir_keeps_empty_dirs = True

    @pytest.fixture
    def store_factory(self, tmp_path: Path) -> Callable[[], Store]:
        from obstore.store import LocalStore as ObsLocalStore

        def make() -> Store:
            root = tmp_path / uuid.uuid4().hex
            root.mkdir()
            return ZarrStoreAdapter(zarr.storage.ObjectStore(ObsLocalStore(root)))

        return make


@pytest.mark.s3
class TestAdapterFsspecS3(_AdapterTests):
    reopen_in_subprocess = True
    machine_examples = 8

    @pytest.fixture
    def store_factory(self, s3_bucket_url: S3Location) -> Callable[[], Store]:
        url, options = s3_bucket_url
        return lambda: ZarrStoreAdapter(
            zarr.storage.FsspecStore.from_url(f"{url}/{uuid.uuid4().hex}", storage_options=options)
        )


def test_resolve_maps_zarr_python_object_store_to_the_native_one(tmp_path: Path) -> None:
    from obstore.store import LocalStore as ObsLocalStore

    from zarrdist.stores import ObjectStore

    inner = ObsLocalStore(tmp_path)
    store = resolve_store(zarr.storage.ObjectStore(inner, read_only=True))
    assert isinstance(store, ObjectStore)
    assert store.store is inner
    assert store.read_only


def test_resolve_wraps_zarr_stores_and_mode_r_is_read_only(tmp_path: Path) -> None:
    local = zarr.storage.LocalStore(tmp_path)
    store = resolve_store(local)
    assert isinstance(store, ZarrStoreAdapter)
    assert store.store is local
    assert not store.read_only
    reader = resolve_store(local, mode="r")
    assert reader.read_only
    assert not local.read_only  # the caller's store is left as it was


def test_zarrdist_api_reads_and_writes_through_zarr_python_stores(tmp_path: Path) -> None:
    data = np.arange(600, dtype="int32").reshape(20, 30)
    for zstore in (zarr.storage.LocalStore(tmp_path / "l"), zarr.storage.MemoryStore()):
        z = zarrdist.create_array(zstore, name="a", shape=data.shape, chunks=(7, 8), dtype="i4")
        z[:] = data
        group = zarrdist.open_group(zstore, mode="r")
        np.testing.assert_array_equal(group["a"][:], data)
        # zarr-python itself reads the same bytes back from the same store object.
        np.testing.assert_array_equal(zarr.open_array(zstore, path="a", mode="r")[:], data)
        np.testing.assert_array_equal(
            zarrdist.open_array(zstore, path="a")[2:9, 5:17], data[2:9, 5:17]
        )


def test_spec_pickles_the_store_and_reopens_it(tmp_path: Path) -> None:
    store = ZarrStoreAdapter(zarr.storage.LocalStore(tmp_path))
    store.set("k", b"v")
    spec = store.spec
    assert spec.driver == "zarr-python"
    assert "pickle" in spec.options
    assert store.supports_multiprocess_writes
    reopened = StoreSpec.from_json(spec.to_json()).open()
    assert isinstance(reopened, ZarrStoreAdapter)
    assert reopened.store == store.store
    assert reopened.get("k") == b"v"


def test_memory_store_stays_in_its_process() -> None:
    store = ZarrStoreAdapter(zarr.storage.MemoryStore())
    store.set("k", b"v")
    assert not store.supports_multiprocess_writes
    assert "pickle" not in store.spec.options
    assert pickle.loads(pickle.dumps(store)) is store
    other = {**store.spec.to_json(), "pid": -1}
    with pytest.raises(StoreError, match="MemoryStore lives in one process") as info:
        StoreSpec.from_json(other).open()
    assert "MemoryStore" in str(info.value.store)


class _Unpicklable(zarr.storage.LocalStore):
    """A zarr-python store holding something pickle refuses (a client, a lock)."""

    def __reduce__(self) -> Any:
        raise TypeError("cannot pickle the client connection")


def test_unpicklable_store_runs_graphs_locally_and_names_itself(tmp_path: Path) -> None:
    from tests.graphs._helpers import shared_cluster

    store = ZarrStoreAdapter(_Unpicklable(tmp_path))
    assert not store.supports_multiprocess_writes
    assert "cannot be pickled" in store.spec.options["reason"]
    data = np.arange(100, dtype="f8")
    with shared_cluster() as client, client.as_current(), config.set({"direct_max_bytes": 0}):
        # Graphs on it stay in this process, so the cluster does not need the store.
        z = zarrdist.create_array(store, shape=(100,), chunks=(10,), dtype="f8")
        z[:] = data
        np.testing.assert_array_equal(z[:], data)
        # A task that takes the store to a worker fails there with the store's name.
        future = client.submit(lambda s: s.get("zarr.json"), store)
        with pytest.raises(StoreError, match=r"cannot be pickled.*_Unpicklable"):
            future.result(timeout=60)


@pytest.mark.s3
def test_zarr_fsspec_store_out_of_range_requests_clamp(s3_bucket_url: S3Location) -> None:
    url, options = s3_bucket_url
    store = resolve_store(zarr.storage.FsspecStore.from_url(url, storage_options=options))
    store.set("v", b"0123456789")
    requests = [RangeByteRequest(8, 50), RangeByteRequest(20, 30), SuffixByteRequest(30)]
    assert [bytes(v) for v in store.get_ranges("v", requests)] == [b"89", b"", b"0123456789"]  # type: ignore[arg-type]


def test_errors_of_the_wrapped_store_name_it(tmp_path: Path) -> None:
    (tmp_path / "dir" / "k").mkdir(parents=True)
    store = ZarrStoreAdapter(zarr.storage.LocalStore(tmp_path))
    # A key that is a directory reads as missing, as for zarrdist's own stores.
    assert store.get("dir/k") is None
    reader = store.with_read_only(True)
    with pytest.raises(PermissionError, match="read-only") as info:
        reader.set("x", b"1")
    assert "LocalStore" in str(info.value)
    assert not (tmp_path / "x").exists()


@pytest.mark.slow
def test_picklable_store_graphs_run_on_the_workers(tmp_path: Path) -> None:
    import dask.array as da
    from distributed import get_task_stream

    from tests.graphs._helpers import shared_cluster

    zstore = zarr.storage.LocalStore(tmp_path / "w.zarr")
    data = np.random.default_rng(3).standard_normal((60, 50))
    with (
        shared_cluster() as client,
        client.as_current(),
        # NumPy blocks held here would be written here (numpy_on_cluster): send them.
        config.set({"direct_max_bytes": 0, "numpy_on_cluster": True}),
        get_task_stream(client) as stream,
    ):
        z = zarrdist.create_array(zstore, shape=data.shape, chunks=(10, 10), shards=(20, 50))
        # Blocks that cut across shards: each shard still has one writing task.
        z[...] = da.from_array(data, chunks=(15, 25))
        np.testing.assert_array_equal(zarrdist.open_array(zstore, mode="r")[:], data)
    assert {task["worker"] for task in stream.data}  # tasks ran in worker processes
    np.testing.assert_array_equal(zarr.open_array(zstore, mode="r")[:], data)


def test_store_paths_over_zarr_python_stores(tmp_path: Path) -> None:
    zstore = zarr.storage.LocalStore(tmp_path)
    data = np.arange(12, dtype="i2")
    # zarrdist's StorePath over a zarr-python store, and zarr-python's own StorePath.
    ours = zarrdist.storage.StorePath(zstore, "g")
    zarrdist.create_array(ours, name="x", shape=(12,), chunks=(4,), dtype="i2")[:] = data
    theirs = zarr.storage.StorePath(zstore, "g")
    np.testing.assert_array_equal(zarrdist.open_array(theirs, path="x")[:], data)
    assert list(zarrdist.open_group(theirs, mode="r").array_keys()) == ["x"]
    assert isinstance(resolve_store(zarr.storage.StorePath(zstore)), ZarrStoreAdapter)
