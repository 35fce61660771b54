"""``enable_gpu()`` end to end on the CPU: the public API with a fake ``cupy``
module (NumPy underneath) and a fake nvCOMP that records what runs on the device."""

from __future__ import annotations

import sys

import numpy as np
import pytest
import zarr as zarr_python

import zarrdist as zarr
import zarrdist.stores
from tests.gpu._fake_device import DeviceArray, FakeNvcomp


def _data() -> np.ndarray:
    return np.random.default_rng(1).random((64, 48), dtype="float32")


@pytest.mark.parametrize("shards", [None, (32, 48)], ids=["chunks", "shards"])
def test_reads_decode_on_the_device(fake_gpu: FakeNvcomp, tmp_path, shards) -> None:
    data = _data()
    z = zarr.create_array(
        tmp_path / "a.zarr",
        shape=data.shape,
        chunks=(16, 16),
        shards=shards,
        dtype="float32",
        compressors=zarr.codecs.ZstdCodec(level=1),
    )
    z[...] = data
    with zarr.config.enable_gpu():
        got = z[...]
    assert isinstance(got, DeviceArray)
    np.testing.assert_array_equal(got.get(), data)
    # Sharded: a shard's 6 inner chunks in one nvCOMP batch; unsharded: 12 chunks.
    assert fake_gpu.batches == ([("zstd", 12)] if shards is None else [("zstd", 6)] * 2)


def test_reads_of_zarr_python_arrays_equal_zarr_python(fake_gpu: FakeNvcomp, tmp_path) -> None:
    data = _data()
    peer = zarr_python.create_array(
        str(tmp_path / "p.zarr"),
        shape=data.shape,
        chunks=(16, 16),
        shards=(32, 16),
        dtype="float32",
        compressors=zarr_python.codecs.GzipCodec(level=1),
    )
    peer[...] = data
    z = zarr.open_array(tmp_path / "p.zarr", mode="r")
    with zarr.config.enable_gpu():
        got = z[5:50, 3:40]
    np.testing.assert_array_equal(got.get(), peer[5:50, 3:40])
    assert fake_gpu.batches
    assert all(a == "deflate" for a, _ in fake_gpu.batches)


def test_codecs_without_a_kernel_decode_on_the_host(fake_gpu: FakeNvcomp, tmp_path) -> None:
    data = _data()
    z = zarr.create_array(
        tmp_path / "b.zarr",
        shape=data.shape,
        chunks=(16, 16),
        dtype="float32",
        compressors=zarr.codecs.BloscCodec(cname="lz4"),
    )
    z[...] = data
    with zarr.config.enable_gpu():
        got = z[...]
    assert isinstance(got, DeviceArray)
    np.testing.assert_array_equal(got.get(), data)
    assert fake_gpu.batches == []


def test_v2_arrays_fall_back_to_the_host(fake_gpu: FakeNvcomp, tmp_path) -> None:
    data = _data()
    z = zarr.create_array(
        tmp_path / "v2.zarr", shape=data.shape, chunks=(16, 16), dtype="float32", zarr_format=2
    )
    z[...] = data
    with zarr.config.enable_gpu():
        got = z[...]
    assert isinstance(got, DeviceArray)
    np.testing.assert_array_equal(got.get(), data)


def test_a_corrupt_chunk_names_its_key(fake_gpu: FakeNvcomp, tmp_path) -> None:
    z = zarr.create_array(
        tmp_path / "c.zarr",
        shape=(32,),
        chunks=(16,),
        dtype="float32",
        compressors=zarr.codecs.ZstdCodec(),
    )
    z[...] = np.arange(32, dtype="float32")
    (tmp_path / "c.zarr" / "c" / "1").write_bytes(b"not zstd")
    with zarr.config.enable_gpu(), pytest.raises(Exception, match="c/1"):
        z[...]
    np.testing.assert_array_equal(z[:16], np.arange(16, dtype="float32"))  # bytes kept


def test_writes_take_device_arrays(fake_gpu: FakeNvcomp, tmp_path) -> None:
    data = _data()
    z = zarr.create_array(tmp_path / "w.zarr", shape=data.shape, chunks=(16, 16), dtype="float32")
    with zarr.config.enable_gpu():
        z[...] = sys.modules["cupy"].asarray(data)
    peer = zarr_python.open_array(str(tmp_path / "w.zarr"), mode="r")
    np.testing.assert_array_equal(peer[...], data)


def test_to_dask_is_device_backed(fake_gpu: FakeNvcomp, tmp_path) -> None:
    data = _data()
    z = zarr.create_array(
        tmp_path / "d.zarr",
        shape=data.shape,
        chunks=(16, 16),
        dtype="float32",
        compressors=zarr.codecs.ZstdCodec(level=1),
    )
    z[...] = data
    with zarr.config.enable_gpu():
        lazy = z.to_dask()
        assert isinstance(lazy._meta, DeviceArray)
        block = lazy.blocks[1, 2].compute(scheduler="sync")
    assert isinstance(block, DeviceArray)
    np.testing.assert_array_equal(np.asarray(block), data[16:32, 32:48])
    out = zarr.create_array(tmp_path / "o.zarr", shape=data.shape, chunks=(32, 8), dtype="float32")
    with zarr.config.enable_gpu():
        out[...] = z.to_dask()  # a device-backed dask array written back
    np.testing.assert_array_equal(out[...], data)


def test_gpu_memory_store_holds_device_arrays(fake_gpu: FakeNvcomp) -> None:
    store = zarrdist.stores.GpuMemoryStore()
    data = _data()
    z = zarr.create_array(store, shape=data.shape, chunks=(16, 16), dtype="float32")
    z[...] = data
    assert all(isinstance(v, DeviceArray) for v in store.store_dict.values())
    assert isinstance(store.get_device("c/0/0"), DeviceArray)
    with zarr.config.enable_gpu():
        np.testing.assert_array_equal(z[...].get(), data)
    # The same bytes as a host MemoryStore holds.
    host = zarrdist.stores.MemoryStore()
    zarr.create_array(host, shape=data.shape, chunks=(16, 16), dtype="float32")[...] = data
    assert {k: bytes(np.asarray(v)) for k, v in store.store_dict.items()} == {
        k: bytes(v) for k, v in host.store_dict.items()
    }


def test_gpu_memory_store_without_cupy_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "cupy", None)  # import cupy raises ImportError
    with pytest.raises(ImportError, match=r"CuPy.*zarrdist\[gpu\]"):
        zarr.storage.GpuMemoryStore()
