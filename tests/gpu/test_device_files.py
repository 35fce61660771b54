"""Local chunk files straight into device memory (kvikio), on the CPU with a fake
kvikio and ``cupy``: which reads take the path, and that they equal host reads."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

import zarrdist as zarr
from tests.gpu._fake_device import DeviceArray, FakeKvikio, FakeNvcomp


def _array(path: Path, **kwargs: object) -> tuple[zarr.Array, np.ndarray]:
    data = np.random.default_rng(3).random((48, 32), dtype="float32")
    z = zarr.create_array(path, shape=data.shape, chunks=(16, 16), dtype="float32", **kwargs)
    z[...] = data
    return z, data


def test_chunk_files_go_straight_to_the_device(
    fake_kvikio: FakeKvikio, fake_gpu: FakeNvcomp, tmp_path: Path
) -> None:
    z, data = _array(tmp_path / "a.zarr", compressors=zarr.codecs.ZstdCodec(level=1))
    (tmp_path / "a.zarr" / "c" / "2" / "1").unlink()  # a missing chunk reads as fill
    data[32:48, 16:32] = 0
    copies = sys.modules["cupy"].copies
    with zarr.config.enable_gpu():
        got = z[...]
    assert isinstance(got, DeviceArray)
    np.testing.assert_array_equal(got.get(), data)
    assert sorted(
        Path(p).relative_to(tmp_path / "a.zarr").as_posix() for p, _ in fake_kvikio.reads
    ) == [f"c/{i}/{j}" for i in range(3) for j in range(2) if (i, j) != (2, 1)]
    assert copies == []  # no encoded bytes went through host memory to the device
    assert fake_gpu.batches == [("zstd", 5)]


def test_chains_with_a_host_codec_read_through_the_store(
    fake_kvikio: FakeKvikio, fake_gpu: FakeNvcomp, tmp_path: Path
) -> None:
    z, data = _array(
        tmp_path / "b.zarr", compressors=[zarr.codecs.ZstdCodec(), zarr.codecs.Crc32cCodec()]
    )
    with zarr.config.enable_gpu():
        np.testing.assert_array_equal(z[...].get(), data)
    assert fake_kvikio.reads == []  # crc32c is checked on the host: bytes come to the host
    assert fake_gpu.batches == [("zstd", 6)]


def test_sharded_and_host_reads_do_not_use_kvikio(
    fake_kvikio: FakeKvikio, fake_gpu: FakeNvcomp, tmp_path: Path
) -> None:
    z, data = _array(tmp_path / "s.zarr", shards=(48, 32))
    with zarr.config.enable_gpu():
        np.testing.assert_array_equal(z[...].get(), data)
    np.testing.assert_array_equal(z[...], data)  # gpu off: a host read
    assert fake_kvikio.reads == []


def test_a_corrupt_file_read_by_kvikio_names_its_key(
    fake_kvikio: FakeKvikio, fake_gpu: FakeNvcomp, tmp_path: Path
) -> None:
    z, _ = _array(tmp_path / "c.zarr", compressors=zarr.codecs.ZstdCodec())
    (tmp_path / "c.zarr" / "c" / "1" / "0").write_bytes(b"garbage")
    with zarr.config.enable_gpu(), pytest.raises(Exception, match="c/1/0"):
        z[...]
    assert len(fake_kvikio.reads) == 6
