"""Reads of many small chunks: batched decoding and run placement (zarrdist.chunkio.units,
zarrdist.chunkio.placement) give exactly what NumPy and zarr-python 3.1.5 give."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import zarr

import zarrdist
from zarrdist.codecs import BytesCodec, ZstdCodec
from zarrdist.config import config
from zarrdist.errors import CodecError

SELECTIONS = [
    (slice(None), slice(None)),
    (slice(3, 50), slice(5, 90)),
    (slice(None, None, -1), slice(None)),
    (7, slice(None)),
    (slice(None), slice(0, 96, 2)),
]


def _data(shape: tuple[int, ...], dtype: str) -> np.ndarray[Any, Any]:
    return (np.arange(np.prod(shape)) % 1009).astype(dtype).reshape(shape)


def _create(tmp_path: Path, shape: Any, data: Any, shards: Any, order: str, dtype: str) -> Any:
    return zarrdist.create_array(
        str(tmp_path / "a"),
        shape=shape,
        dtype=data.dtype,
        chunks=(4, 8),
        shards=shards,
        order=order,
        serializer=BytesCodec(endian="big" if dtype.startswith(">") else "little"),
        compressors=[ZstdCodec(level=1)],
        fill_value=0,
    )


@pytest.mark.parametrize("scheduler", ["sync", "threads"])
@pytest.mark.parametrize(
    ("dtype", "order", "shards"),
    [("<u2", "C", None), (">f8", "C", None), ("<i4", "F", None), ("<f4", "C", (16, 32))],
)
def test_small_chunk_reads_equal_numpy_and_zarr(
    tmp_path: Path, scheduler: str, dtype: str, order: str, shards: Any
) -> None:
    shape, data = (64, 96), _data((64, 96), dtype)
    # order= on a v3 array has no effect but a warning, as in zarr-python 3.1.5.
    with pytest.warns(RuntimeWarning, match="`order` keyword argument has no effect"):
        z = _create(tmp_path, shape, data, shards, order, dtype)
    z[...] = data
    z[8:12] = 0  # a band of chunks never stored: read back as the fill value
    expected = data.copy()
    expected[8:12] = 0
    theirs = zarr.open_array(str(tmp_path / "a"), mode="r")
    with config.set({"scheduler": scheduler}):
        for selection in SELECTIONS:
            got = z[selection]
            np.testing.assert_array_equal(got, expected[selection])
            if selection[0] != slice(None, None, -1):  # zarr-python has no negative steps
                np.testing.assert_array_equal(got, theirs[selection])
        # The output's memory order follows zarr-python's choice for the array.
        assert z[...].flags.c_contiguous == theirs[...].flags.c_contiguous


def test_a_bad_chunk_among_many_names_its_key_and_changes_nothing(tmp_path: Path) -> None:
    data = _data((32, 64), "<u2")
    z = zarrdist.create_array(
        str(tmp_path / "a"), shape=data.shape, dtype=data.dtype, chunks=(4, 8), fill_value=0
    )
    z[...] = data
    bad = tmp_path / "a" / "c" / "3" / "5"
    bad.write_bytes(b"\x28\xb5\x2f\xfd not a zstd frame")
    stored = {p: p.read_bytes() for p in (tmp_path / "a").rglob("*") if p.is_file()}
    with pytest.raises(CodecError) as info:
        z[...]
    assert info.value.key == "c/3/5"
    assert "c/3/5" in str(info.value)
    assert {p: p.read_bytes() for p in (tmp_path / "a").rglob("*") if p.is_file()} == stored
    # Reads that do not touch the bad chunk still work.
    np.testing.assert_array_equal(z[:12], data[:12])


def test_large_outputs_are_plain_writable_arrays(tmp_path: Path) -> None:
    data = _data((4096, 2048), "<f4")  # 32 MiB: mapped without huge-page advice
    z = zarrdist.create_array(
        str(tmp_path / "a"), shape=data.shape, dtype=data.dtype, chunks=(256, 256)
    )
    z[...] = data
    out = z[...]
    np.testing.assert_array_equal(out, data)
    assert out.flags.writeable
    assert out.flags.c_contiguous
    out[0, 0] = -1  # the caller owns the output
    assert z[0, 0] == data[0, 0]


@pytest.mark.parametrize("scheduler", ["sync", "threads"])
@pytest.mark.parametrize("shards", [None, (6,)])
def test_a_vectorized_permutation_of_whole_chunks_reads_like_numpy(
    tmp_path: Path, scheduler: str, shards: Any
) -> None:
    # Found by Hypothesis: the permutation reads chunk 0 whole but out of order.
    z = zarrdist.create_array(
        str(tmp_path / "a"), shape=(4,), dtype="i4", chunks=(3,), shards=shards
    )
    data = np.array([850, 636, 511, 269], dtype="i4")
    z[...] = data
    coords = np.array([0, 2, 1, 3])
    with config.set({"scheduler": scheduler, "direct_max_bytes": 0}):
        np.testing.assert_array_equal(z.vindex[coords], data[coords])
    np.testing.assert_array_equal(z.vindex[coords], data[coords])


@pytest.mark.parametrize("sharded", [False, True])
def test_large_chunks_decode_into_a_reused_buffer_and_bad_ones_name_their_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sharded: bool
) -> None:
    calls: list[int] = []
    original = ZstdCodec.decode_into

    def spy(self: ZstdCodec, data: Any, out: memoryview) -> bool:
        calls.append(id(out.obj))  # the buffer the view is of
        return original(self, data, out)

    # The read path asks the codec (its decode_into capability), naming none itself.
    monkeypatch.setattr(ZstdCodec, "decode_into", spy)
    shape, chunks = (64, 64, 32), (32, 32, 32)  # 128 KiB chunks of float32
    data = _data(shape, "<f4")
    z = zarrdist.create_array(
        str(tmp_path / "a"),
        shape=shape,
        dtype="<f4",
        chunks=chunks,
        shards=(64, 64, 32) if sharded else None,
        compressors=[ZstdCodec(level=1)],
        fill_value=0,
    )
    z[...] = data
    with config.set({"scheduler": "sync", "threading.max_workers": 1}):
        np.testing.assert_array_equal(z[...], data)
        np.testing.assert_array_equal(z[5:50, 3:60, 1:31], data[5:50, 3:60, 1:31])
    assert len(calls) >= 4
    assert len(set(calls)) == 1  # one buffer, reused chunk after chunk
    np.testing.assert_array_equal(zarr.open_array(str(tmp_path / "a"), mode="r")[...], data)
    if sharded:
        return
    # A damaged chunk is declined by the fast path and named by the usual decoding.
    path = tmp_path / "a" / "c" / "1" / "0" / "0"
    before = path.read_bytes()
    path.write_bytes(before[:-8] + bytes(8))
    with pytest.raises(CodecError) as info:
        z[...]
    assert info.value.key == "c/1/0/0"
    assert path.read_bytes() == before[:-8] + bytes(8)  # a read changes no stored bytes


@pytest.mark.parametrize("checksum", [False, True])
def test_a_point_read_is_one_store_request_decoded_only_as_far_as_the_point(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, checksum: bool
) -> None:
    # A single-element read costs one request for one key, runs no graph and
    # decodes the chunk only up to the element (all of it when a checksum must be
    # verified); values equal NumPy's at the chunks' first and last elements.
    from zarrdist.graphs import read as graph_read
    from zarrdist.stores import LocalStore

    shape, chunks = (64, 64, 64), (32, 32, 32)  # 128 KiB chunks of float32
    data = _data(shape, "<f4")
    z = zarrdist.create_array(
        str(tmp_path / "a"),
        shape=shape,
        dtype="<f4",
        chunks=chunks,
        compressors=[ZstdCodec(level=1, checksum=checksum)],
        fill_value=0,
    )
    z[...] = data
    requests: list[list[str]] = []
    original_get = LocalStore.get_many_into

    def get_spy(self: LocalStore, keys: Any, buffer: Any) -> Any:
        requests.append(list(keys))
        return original_get(self, keys, buffer)

    decoded: list[int] = []
    original_decode = ZstdCodec.decode_prefix_into

    def decode_spy(self: ZstdCodec, data: Any, out: memoryview, need: int) -> bool:
        decoded.append(need)
        return original_decode(self, data, out, need)

    def no_graph(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a point read built a graph")

    monkeypatch.setattr(LocalStore, "get_many_into", get_spy)
    monkeypatch.setattr(ZstdCodec, "decode_prefix_into", decode_spy)
    monkeypatch.setattr(graph_read, "read", no_graph)
    points = [(0, 0, 0), (1, 2, 3), (31, 31, 31), (63, 63, 63), (40, 0, 33)]
    for point in points:
        assert z[point] == data[point]
    assert requests == [[k] for k in ("c/0/0/0", "c/0/0/0", "c/0/0/0", "c/1/1/1", "c/1/0/1")]
    # Bytes up to and including the element, in the chunk's C order.
    itemsize = 4
    expected = [(((i % 32) * 32 + j % 32) * 32 + k % 32 + 1) * itemsize for i, j, k in points]
    assert decoded == [n for n in expected if n < 32**3 * itemsize]
    fresh = zarrdist.open_array(str(tmp_path / "a"), mode="r")
    np.testing.assert_array_equal(fresh[0, 0:5, 30:], data[0, 0:5, 30:])
    np.testing.assert_array_equal(fresh[5:40, 3], data[5:40, 3])
