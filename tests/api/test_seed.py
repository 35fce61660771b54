"""The seed's usage patterns, written as a user would, with ``import zarrdist as zarr``.

Sizes are cut down; every result is checked against NumPy (or zarr-python).
"""

from __future__ import annotations

import concurrent.futures
import os
from pathlib import Path

import dask.array as da
import numpy as np
import pytest
import zarr as zarr_python
from numcodecs import Blosc

import zarrdist as zarr
from zarrdist.stores import LoggingStore


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # the seed uses relative paths like 'data.zarr'


def test_basic_array_creation_and_operations() -> None:
    store = zarr.storage.MemoryStore()
    z = zarr.create_array(store=store, shape=(100, 100), chunks=(10, 10), dtype="float32")
    data = np.random.default_rng(0).random((100, 100)).astype("float32")
    z[:] = data
    z[0, :] = 42
    data[0, :] = 42
    np.testing.assert_array_equal(z[:], data)
    np.testing.assert_array_equal(z[0, :], data[0, :])
    np.testing.assert_array_equal(z[10:20, 10:20], data[10:20, 10:20])
    z.resize((200, 200))
    assert z.shape == (200, 200)
    more = np.ones((10, 200), "float32")
    z.append(more, axis=0)
    assert z.shape == (210, 200)
    np.testing.assert_array_equal(z[200:], more)
    assert "Shape" in str(z.info)
    z.attrs["description"] = "My data"
    assert z.attrs["description"] == "My data"
    assert z.to_numpy().shape == (210, 200)


def test_group_hierarchy() -> None:
    root = zarr.group(store="data.zarr")
    measurements = root.create_group("measurements")
    temperature = measurements.create_array("temperature", shape=(365, 24), dtype="float32")
    assert root["measurements/temperature"] == temperature
    assert root["measurements"]["temperature"].shape == (365, 24)
    assert "temperature (365, 24) float32" in repr(root.tree())
    assert "Type        : Group" in repr(root.info)
    seen = {key: type(item).__name__ for key, item in root.members()}
    assert seen == {"measurements": "Group"}
    peer = zarr_python.open_group("data.zarr", mode="r")
    assert peer["measurements/temperature"].shape == (365, 24)


def test_persistent_storage_and_save_load() -> None:
    data = np.arange(10000, dtype="f4").reshape(100, 100)
    z = zarr.create_array(store="data/myarray.zarr", shape=(100, 100), chunks=(10, 10), dtype="f4")
    z[:] = data
    z2 = zarr.open_array("data/myarray.zarr", mode="r+")
    z2[0:10, 0:10] = -1
    data[0:10, 0:10] = -1
    np.testing.assert_array_equal(zarr.open_array("data/myarray.zarr", mode="r")[:], data)
    zarr.save_array("data/simple.zarr", data)
    loaded = zarr.load("data/simple.zarr")
    np.testing.assert_array_equal(loaded, data)
    np.testing.assert_array_equal(zarr_python.load("data/simple.zarr"), data)


@pytest.mark.s3
def test_cloud_storage(s3_bucket_url: object) -> None:
    url, options = s3_bucket_url  # type: ignore[misc]
    z = zarr.create_array(
        store=f"{url}/data.zarr",
        shape=(40, 40),
        chunks=(10, 10),
        dtype="i4",
        storage_options=options,
    )
    z[:] = np.arange(1600, dtype="i4").reshape(40, 40)
    store = zarr.storage.FsspecStore.from_url(f"{url}/data.zarr", storage_options=options)
    z = zarr.open_array(store=store, mode="r")
    np.testing.assert_array_equal(z[:], np.arange(1600, dtype="i4").reshape(40, 40))


def test_sharding() -> None:
    z = zarr.create_array(
        store="sharded.zarr",
        shape=(1000, 10),
        chunks=(10, 10),
        shards=(100, 10),
        zarr_format=3,
        dtype="i2",
    )
    z[:] = np.arange(10000, dtype="i2").reshape(1000, 10)
    assert z.chunks == (10, 10)
    assert z.shards == (100, 10)
    assert sorted(os.listdir("sharded.zarr/c")) == [str(i) for i in range(10)]
    auto = zarr.create_array(
        store="auto.zarr", shape=(1000, 10), chunks=(10, 10), shards="auto", dtype="i2"
    )
    assert auto.shards is not None
    assert auto.shards[0] % 10 == 0
    np.testing.assert_array_equal(zarr_python.open_array("sharded.zarr")[:], z[:])


def test_configuration_and_context() -> None:
    zarr.config.set({"array.order": "F"})
    assert zarr.create_array({}, shape=(4, 4), dtype="i1")[:].flags.f_contiguous
    zarr.config.set({"array.order": "C"})
    with zarr.config.set({"array.write_empty_chunks": True}):
        z = zarr.create_array(store=zarr.storage.MemoryStore(), shape=(4,), chunks=(2,))
        z[:] = 0
        assert z.nchunks_initialized == 2
    z = zarr.create_array(
        {}, shape=(4,), chunks=(2,), config={"write_empty_chunks": False, "order": "C"}
    )
    z[:] = 0
    assert z.nchunks_initialized == 0
    z_f = z.with_config({"order": "F"})
    assert z_f.order == "F"


def test_consolidated_metadata() -> None:
    root = zarr.create_group("data.zarr")
    for i in range(30):
        root.create_array(f"array_{i}", shape=(10,), dtype="f4")
    root = zarr.consolidate_metadata("data.zarr")
    assert len(root) == 30
    logged = LoggingStore(zarr.storage.LocalStore("data.zarr"))
    root = zarr.open_group(logged)
    before = sum(logged.counter.values())
    arr = root["array_15"]  # no store read needed
    assert sum(logged.counter.values()) == before
    assert arr.shape == (10,)


def test_working_with_attributes() -> None:
    z = zarr.create_array({}, shape=(3,), dtype="i4")
    z.attrs["experiment"] = "test_001"
    z.attrs["created"] = "2025-02-11"
    z.attrs["parameters"] = {"rate": 0.01, "steps": 1000}
    assert z.attrs["experiment"] == "test_001"
    assert sorted(z.attrs.keys()) == ["created", "experiment", "parameters"]
    del z.attrs["created"]
    assert "created" not in z.attrs
    with pytest.raises(ValueError):
        z.attrs["when"] = np.datetime64("2025-01-01")


def test_codec_patterns() -> None:
    codecs = [zarr.codecs.BytesCodec(), zarr.codecs.BloscCodec(cname="zstd", clevel=5)]
    z = zarr.create_array({}, shape=(100,), chunks=(10,), dtype="i4", codecs=codecs, zarr_format=3)
    z[:] = np.arange(100)
    assert [type(c).__name__ for c in z.compressors] == ["BloscCodec"]
    np.testing.assert_array_equal(z[:], np.arange(100))
    v2 = zarr.create_array(
        {},
        shape=(100,),
        chunks=(10,),
        dtype="i4",
        compressor=Blosc(cname="zstd", clevel=5, shuffle=Blosc.SHUFFLE),
        zarr_format=2,
    )
    v2[:] = np.arange(100)
    assert v2.compressors[0].codec_id == "blosc"
    none = zarr.create_array({}, shape=(4,), dtype="u1", compressor=None, zarr_format=2)
    assert none.compressors == ()


def test_dask_integration() -> None:
    z = zarr.create_array("dask.zarr", shape=(20, 20), chunks=(5, 5), dtype="f8")
    z[:] = np.arange(400.0).reshape(20, 20)
    darr = z.to_dask()
    assert darr.sum().compute() == np.arange(400.0).sum()
    assert da.from_array(z, chunks=(10, 10)).mean().compute() == np.arange(400.0).mean()
    out = zarr.from_dask(darr * 2, "output.zarr")
    np.testing.assert_array_equal(out[:], np.arange(400.0).reshape(20, 20) * 2)


def test_concurrent_access() -> None:
    zarr.create_array("data.zarr", shape=(100,), chunks=(15,), dtype="i4")
    z = zarr.open_array("data.zarr", mode="r+")
    data = [np.full(10, i, "i4") for i in range(10)]

    def write_chunk(i: int) -> None:
        z[i * 10 : (i + 1) * 10] = data[i]

    with concurrent.futures.ThreadPoolExecutor(4) as executor:
        list(executor.map(write_chunk, range(10)))
    np.testing.assert_array_equal(z[:], np.repeat(np.arange(10), 10))


def test_copy_workaround_and_full_copy() -> None:
    src_array = zarr.create_array(
        {}, shape=(6,), dtype="i2", fill_value=9, attributes={"keep": "me"}
    )
    src_array[:3] = [1, 2, 3]
    dest_store = zarr.storage.MemoryStore()
    copied = zarr.from_array(src_array, store=dest_store)
    assert copied[:].tolist() == [1, 2, 3, 9, 9, 9]
    assert copied.fill_value == 9
    assert dict(copied.attrs) == {"keep": "me"}
    dest = zarr.group(zarr.storage.MemoryStore())
    assert zarr.copy(src_array, dest, name="c")[0] == 1
    assert dest["c"][:].tolist() == [1, 2, 3, 9, 9, 9]


def test_zip_store() -> None:
    with zarr.storage.ZipStore("file.zip", mode="w") as store:
        z = zarr.create_array(store, shape=(10,), chunks=(5,), dtype="i4")
        z[:] = np.arange(10)
    store = zarr.storage.ZipStore("file.zip", mode="r")
    np.testing.assert_array_equal(zarr.open_array(store, mode="r")[:], np.arange(10))
    store.close()


def test_info_complete_and_edge_cases() -> None:
    z = zarr.create_array({}, shape=(10,), chunks=(5,), dtype="i4")
    z[:5] = 1
    assert z.nchunks_initialized == 1
    assert "Chunks initialized" in z.info_complete()
    scalar = zarr.create_array({}, shape=(), dtype="f8", fill_value=np.inf)
    assert scalar[()] == np.inf
    empty = zarr.create_array({}, shape=(0,), dtype="i1")
    assert empty[:].shape == (0,)
    strings = zarr.create_array({}, shape=(2,), dtype=str)
    strings[:] = ["a", "bc"]
    assert strings[:].tolist() == ["a", "bc"]
