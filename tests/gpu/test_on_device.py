"""On a GPU: reads into CuPy arrays decoded by nvCOMP equal the host reads and
zarr-python's. Skipped where CuPy sees no GPU (tests/gpu/conftest.py)."""

from __future__ import annotations

import numpy as np
import pytest
import zarr as zarr_python

import zarrdist as zarr
from zarrdist.codecs.device import nvcomp_backend

pytestmark = pytest.mark.gpu

COMPRESSORS = {
    "zstd": lambda: zarr.codecs.ZstdCodec(level=1),
    "gzip": lambda: zarr.codecs.GzipCodec(level=1),
    "lz4": lambda: zarr.codecs.numcodecs.LZ4(),
    "zlib": lambda: zarr.codecs.numcodecs.Zlib(level=1),
    "blosc-host-fallback": lambda: zarr.codecs.BloscCodec(cname="lz4"),
}


@pytest.mark.parametrize("compressor", sorted(COMPRESSORS))
@pytest.mark.parametrize("shards", [None, (64, 64)], ids=["chunks", "shards"])
def test_device_reads_equal_host_reads(tmp_path, compressor: str, shards) -> None:
    import cupy

    data = np.random.default_rng(2).random((128, 96), dtype="float32")
    z = zarr.create_array(
        tmp_path / "a.zarr",
        shape=data.shape,
        chunks=(32, 32),
        shards=shards,
        dtype="float32",
        compressors=COMPRESSORS[compressor](),
    )
    z[...] = data
    with zarr.config.enable_gpu():
        got = z[...]
        part = z[7:99, 5:61]
    assert isinstance(got, cupy.ndarray)
    np.testing.assert_array_equal(cupy.asnumpy(got), data)
    np.testing.assert_array_equal(cupy.asnumpy(part), data[7:99, 5:61])


def test_big_endian_transposed_chunks(tmp_path) -> None:
    import cupy

    data = np.arange(64 * 48, dtype="int32").reshape(64, 48)
    z = zarr.create_array(
        tmp_path / "t.zarr",
        shape=data.shape,
        chunks=(16, 16),
        dtype="int32",
        filters=[zarr.codecs.TransposeCodec(order=(1, 0))],
        serializer=zarr.codecs.BytesCodec(endian="big"),
        compressors=zarr.codecs.ZstdCodec(),
    )
    z[...] = data
    with zarr.config.enable_gpu():
        np.testing.assert_array_equal(cupy.asnumpy(z[...]), data)


def test_nvcomp_is_installed_and_decodes_zstd() -> None:
    import numcodecs

    backend = nvcomp_backend()
    raw = np.arange(1 << 16, dtype="<u4").tobytes()
    encoded = numcodecs.Zstd(level=1).encode(raw)
    device = backend.xp.asarray(np.frombuffer(encoded, dtype="u1"))
    (out,) = backend.decompress("zstd", [device], [len(raw)])
    assert out.get().tobytes() == raw


def test_zarr_python_reads_what_device_writes_wrote(tmp_path) -> None:
    import cupy

    data = cupy.random.default_rng(3).random((64, 64), dtype="float32")
    z = zarr.create_array(tmp_path / "w.zarr", shape=(64, 64), chunks=(16, 16), dtype="float32")
    with zarr.config.enable_gpu():
        z[...] = data
    peer = zarr_python.open_array(str(tmp_path / "w.zarr"), mode="r")
    np.testing.assert_array_equal(peer[...], cupy.asnumpy(data))


def test_to_dask_meta_is_cupy_and_computes_on_device(tmp_path) -> None:
    import cupy

    data = np.random.default_rng(4).random((64, 64), dtype="float32")
    z = zarr.create_array(tmp_path / "d.zarr", shape=(64, 64), chunks=(16, 16), dtype="float32")
    z[...] = data
    with zarr.config.enable_gpu():
        lazy = z.to_dask()
        assert isinstance(lazy._meta, cupy.ndarray)
        total = lazy.sum().compute(scheduler="threads")
    assert isinstance(total, cupy.ndarray)
    np.testing.assert_allclose(float(total), float(data.sum()), rtol=1e-5)


def test_gpu_memory_store_round_trip() -> None:
    import cupy

    store = zarr.storage.GpuMemoryStore()
    z = zarr.create_array(store, shape=(32, 32), chunks=(8, 8), dtype="float32")
    data = cupy.arange(32 * 32, dtype="float32").reshape(32, 32)
    with zarr.config.enable_gpu():
        z[...] = data
        assert bool((z[...] == data).all())
    assert all(isinstance(v, cupy.ndarray) for v in store.store_dict.values())


def test_local_cuda_cluster_one_worker_per_gpu(tmp_path) -> None:
    import cupy
    from dask_cuda import LocalCUDACluster
    from distributed import Client

    data = np.random.default_rng(5).random((64, 64), dtype="float32")
    z = zarr.create_array(tmp_path / "c.zarr", shape=(64, 64), chunks=(16, 16), dtype="float32")
    z[...] = data
    # One worker per visible GPU (dask-cuda's default); each task's chunks decode on
    # its worker's GPU, and the result comes back as a CuPy array.
    with LocalCUDACluster() as cluster, Client(cluster) as client:
        assert len(client.scheduler_info()["workers"]) == cupy.cuda.runtime.getDeviceCount()
        with zarr.config.enable_gpu():
            lazy = z.to_dask()
            total = client.compute(lazy.sum()).result()
    assert isinstance(total, cupy.ndarray)
    np.testing.assert_allclose(float(total), float(data.sum()), rtol=1e-5)


def test_cupy_backed_dask_arrays_write(tmp_path) -> None:
    import cupy
    import dask.array as da

    data = cupy.random.default_rng(6).random((64, 64), dtype="float32")
    lazy = da.from_array(data, chunks=(32, 16), asarray=False)
    assert isinstance(lazy._meta, cupy.ndarray)
    z = zarr.create_array(
        tmp_path / "dw.zarr",
        shape=(64, 64),
        chunks=(16, 16),
        dtype="float32",
        compressors=zarr.codecs.ZstdCodec(level=1),
    )
    with zarr.config.enable_gpu():
        z[...] = lazy
    peer = zarr_python.open_array(str(tmp_path / "dw.zarr"), mode="r")
    np.testing.assert_array_equal(peer[...], cupy.asnumpy(data))
