"""The ``bytes`` codec: zarr-python's bytes and JSON, zero-copy paths, errors."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from zarrdist.chunkio.buffers import NDBufferPrototype
from zarrdist.codecs import (
    ArraySpec,
    BytesCodec,
    CodecChain,
    Endian,
    TransposeCodec,
    codec_from_json,
    decode_chunk,
    encode_chunk,
)
from zarrdist.errors import CodecError

DTYPES = [
    "bool", "i1", "u1", "<i2", "<u2", "<i4", "<u4", "<i8", "<u8", "<f2", "<f4", "<f8",
    "<c8", "<c16", "<M8[s]", "<m8[ms]", "S3", "<U3", "V4", [("a", "<i4"), ("b", "u1")],
]  # fmt: skip


def _sample(dtype: np.dtype[Any], shape: tuple[int, ...] = (3, 5)) -> np.ndarray[Any, Any]:
    raw = np.arange(np.prod(shape) * dtype.itemsize, dtype=np.uint8) * 37 % 251
    return raw.view(dtype).reshape(shape).copy()


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("endian", ["little", "big"])
def test_bytes_and_json_equal_zarr(zarr_peer: Any, dtype: Any, endian: str) -> None:
    dt = np.dtype(dtype)
    arr = _sample(dt)
    codecs: list[dict[str, Any]] = [{"name": "bytes", "configuration": {"endian": endian}}]
    spec = ArraySpec(arr.shape, dt)
    codec = BytesCodec.from_json(codecs[0]["configuration"]).evolve_from_array_spec(spec)
    codec.validate(spec)
    ours = bytes(codec.encode(arr, spec))
    assert ours == zarr_peer.encode(arr, codecs)
    assert [codec.to_json()] == zarr_peer.to_json(codecs, arr.shape, dt)
    back = codec.decode(ours, spec)
    assert back.dtype == dt
    assert back.tobytes() == arr.tobytes()


def test_json_forms() -> None:
    assert BytesCodec().to_json() == {"name": "bytes", "configuration": {"endian": "little"}}
    assert BytesCodec(endian="big").endian is Endian.big
    assert BytesCodec(endian=None).to_json() == {"name": "bytes"}
    assert codec_from_json({"name": "bytes"}) == BytesCodec()
    assert codec_from_json("bytes") == BytesCodec(endian=Endian.little)
    spec = ArraySpec((2,), np.dtype("u1"))
    assert BytesCodec().evolve_from_array_spec(spec) == BytesCodec(endian=None)
    assert hash(BytesCodec(endian="big")) == hash(BytesCodec(endian=Endian.big))


def test_encode_is_zero_copy_for_contiguous_native_input() -> None:
    arr = np.arange(12, dtype="<f8").reshape(3, 4)
    out = BytesCodec().encode(arr, ArraySpec(arr.shape, arr.dtype))
    assert isinstance(out, memoryview)
    assert np.shares_memory(np.frombuffer(out, dtype=np.uint8), arr)
    big = arr.astype(">f8")
    out = BytesCodec(endian="big").encode(big, ArraySpec(big.shape, big.dtype))
    assert np.shares_memory(np.frombuffer(out, dtype=np.uint8), big)


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize(
    "view",
    [
        lambda a: a[2:6, 1:4],  # a block of a larger array (rows contiguous)
        lambda a: a[::-1, :],  # rows reversed
        lambda a: a[:, ::-2],  # rows strided and reversed
        lambda a: a.T,  # Fortran order
        lambda a: a[3:4, 1:4],  # one row
    ],
)
def test_encode_of_a_view_gives_its_bytes_in_c_order(dtype: Any, view: Any) -> None:
    block = view(_sample(np.dtype(dtype), (8, 6)))
    out = BytesCodec().encode(block, ArraySpec(block.shape, block.dtype))
    assert bytes(out) == np.ascontiguousarray(block).tobytes()


def test_decode_is_zero_copy_when_no_swap() -> None:
    arr = np.arange(12, dtype="<i4").reshape(3, 4)
    buf = bytearray(arr.tobytes())
    back = BytesCodec().decode(buf, ArraySpec(arr.shape, arr.dtype))
    assert np.shares_memory(back, np.frombuffer(buf, dtype=np.uint8))
    np.testing.assert_array_equal(back, arr)


def test_big_endian_decodes_to_native_order() -> None:
    arr = np.arange(6, dtype="<u4").reshape(2, 3)
    data = arr.astype(">u4").tobytes()
    back = BytesCodec(endian="big").decode(data, ArraySpec(arr.shape, arr.dtype))
    assert back.dtype == np.dtype("<u4")
    np.testing.assert_array_equal(back, arr)


def test_fortran_order_input_is_serialised_in_c_order() -> None:
    arr = np.asfortranarray(np.arange(12, dtype="<i2").reshape(3, 4))
    out = BytesCodec().encode(arr, ArraySpec(arr.shape, arr.dtype))
    assert bytes(out) == np.ascontiguousarray(arr).tobytes()
    swapped = BytesCodec(endian="big").encode(arr, ArraySpec(arr.shape, arr.dtype))
    assert bytes(swapped) == np.ascontiguousarray(arr).astype(">i2").tobytes()


def test_zero_dimensional_and_empty_chunks() -> None:
    scalar = np.array(7.5, dtype="<f4")
    spec = ArraySpec((), scalar.dtype)
    out = BytesCodec().encode(scalar, spec)
    assert bytes(out) == scalar.tobytes()
    assert BytesCodec().decode(out, spec)[()] == np.float32(7.5)
    empty = BytesCodec().decode(b"", ArraySpec((0, 3), np.dtype("<f4")))
    assert empty.shape == (0, 3)


def test_wrong_length_raises_codec_error_naming_bytes() -> None:
    with pytest.raises(CodecError, match="expected 24") as info:
        BytesCodec().decode(b"\x00" * 23, ArraySpec((2, 3), np.dtype("<i4")))
    assert info.value.codec == "bytes"


def test_refusals() -> None:
    with pytest.raises(CodecError, match="endian"):
        BytesCodec(endian="middle")
    with pytest.raises(CodecError, match="variable-length"):
        BytesCodec().validate(ArraySpec((2,), np.dtype(object)))
    with pytest.raises(CodecError, match="endian must be set"):
        BytesCodec(endian=None).validate(ArraySpec((2,), np.dtype("<i4")))
    with pytest.raises(CodecError, match="shape"):
        BytesCodec().encode(np.zeros(3), ArraySpec((4,), np.dtype("<f8")))
    with pytest.raises(CodecError, match="unknown configuration"):
        BytesCodec.from_json({"endian": "little", "extra": 1})


def test_compute_encoded_size() -> None:
    spec = ArraySpec((2, 3), np.dtype("<i4"))
    assert BytesCodec().compute_encoded_size(24, spec) == 24
    assert BytesCodec.is_fixed_size


class _DeviceArray:
    """Stands in for a CuPy array: data reachable only through ``get()``."""

    def __init__(self, data: Any) -> None:
        self._data = np.array(data)
        self.shape = self._data.shape
        self.dtype = self._data.dtype

    def get(self) -> np.ndarray[Any, Any]:
        return self._data.copy()

    def transpose(self, axes: tuple[int, ...]) -> _DeviceArray:
        return _DeviceArray(self._data.transpose(axes))


def test_device_prototype_path_with_numpy_standing_in() -> None:
    fake_xp = SimpleNamespace(asarray=_DeviceArray)
    proto = NDBufferPrototype(fake_xp)  # type: ignore[arg-type]
    assert proto.is_device
    arr = np.arange(12, dtype="<i4").reshape(3, 4)
    spec = ArraySpec(arr.shape, arr.dtype, prototype=proto)
    codecs = (TransposeCodec(order=(1, 0)), BytesCodec(endian="big"))
    chain = CodecChain.from_codecs(codecs).evolve_from_array_spec(spec)
    encoded = encode_chunk(chain, _DeviceArray(arr), spec)
    assert encoded is not None
    assert bytes(encoded) == np.ascontiguousarray(arr.T).astype(">i4").tobytes()
    back = decode_chunk(chain, bytes(encoded), spec)
    assert isinstance(back, _DeviceArray)
    np.testing.assert_array_equal(back.get(), arr)


def test_buffer_prototypes_pickle_by_module_name() -> None:
    import pickle

    from zarrdist.chunkio.buffers import cpu_prototype

    assert pickle.loads(pickle.dumps(cpu_prototype)) is cpu_prototype


@pytest.mark.parametrize("order", ["C", "F"])
def test_large_host_buffers_skip_huge_page_advice_and_behave_like_numpy(order: str) -> None:
    import mmap

    from zarrdist.chunkio.buffers import cpu_prototype

    big = cpu_prototype.empty((2048, 4096), np.dtype("f8"), order=order)  # 64 MiB
    assert isinstance(big.base, mmap.mmap)
    assert big.flags.writeable
    assert big.flags[f"{order}_CONTIGUOUS"]
    big[...] = 2.0
    view = big[3:5]
    del big
    assert view.sum() == 2 * 2 * 4096  # a view keeps the mapping alive
    small = cpu_prototype.empty((16,), np.dtype("f8"))
    assert not isinstance(small.base, mmap.mmap)
    objects = cpu_prototype.empty((5 << 20,), np.dtype("O"))  # Python objects: np.empty
    assert objects.base is None
