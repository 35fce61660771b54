"""sharding_indexed: the codec object, the index, whole-shard round trips, nesting.

Partial I/O is in test_sharding_partial.py; peer-library byte equality (zarr-python,
TensorStore) in test_sharding_interop.py.
"""

from __future__ import annotations

import json
import pickle
import types
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.codecs._sharding_helpers import NO_CRC, WITH_CRC
from tests.codecs._sharding_helpers import codec as _codec
from tests.codecs._sharding_helpers import index_of as _index_of
from tests.codecs._sharding_helpers import same_bytes as _same_bytes
from tests.codecs._sharding_helpers import spec as _spec
from zarrdist.chunkio.buffers import NDBufferPrototype
from zarrdist.codecs import ArraySpec, BytesBytesCodec, CodecChain, codec_from_json
from zarrdist.codecs.bytes import BytesCodec
from zarrdist.codecs.sharding import (
    MAX_UINT64,
    ShardingCodec,
    all_fill_value,
    c_order,
    decode_index,
    decode_shard,
    empty_index,
    encode_index,
    encode_shard,
    index_size_bytes,
    is_empty_entry,
)
from zarrdist.config import config
from zarrdist.errors import ChecksumError, CodecError

# -- codec object ------------------------------------------------------------------------


def test_json_round_trip_and_registry() -> None:
    codec = ShardingCodec(
        (2, 3),
        codecs=[{"name": "bytes", "configuration": {"endian": "big"}}],
        index_codecs=NO_CRC,
        index_location="start",
    )
    entry = codec.to_json()
    assert entry == {
        "name": "sharding_indexed",
        "configuration": {
            "chunk_shape": [2, 3],
            "codecs": [{"name": "bytes", "configuration": {"endian": "big"}}],
            "index_codecs": [{"name": "bytes", "configuration": {"endian": "little"}}],
            "index_location": "start",
        },
    }
    assert codec_from_json(entry) == codec
    assert pickle.loads(pickle.dumps(codec)) == codec
    # TensorStore leaves out index_location when it is the default "end".
    config_ = {k: v for k, v in entry["configuration"].items() if k != "index_location"}
    assert ShardingCodec.from_json(config_).index_location == "end"


@pytest.mark.parametrize(
    ("configuration", "match"),
    [
        ({"codecs": []}, "chunk_shape"),
        ({"chunk_shape": [2], "bogus": 1}, "bogus"),
        ({"chunk_shape": [2], "index_location": "middle"}, "index_location"),
        ({"chunk_shape": [0]}, "positive"),
        ({"chunk_shape": 4}, "positive"),
        ({"chunk_shape": ["a"]}, "positive"),
        ({"chunk_shape": [2], "codecs": [{"name": "crc32c"}]}, "array->bytes"),
    ],
)
def test_from_json_refuses_bad_configuration(configuration: dict[str, Any], match: str) -> None:
    with pytest.raises(CodecError, match=match):
        ShardingCodec.from_json(configuration)


def test_validate_names_codec_and_shapes() -> None:
    codec = ShardingCodec((3, 2))
    with pytest.raises(CodecError, match=r"\(4, 4\).*\(3, 2\)") as info:
        codec.validate(_spec((4, 4), "u1"))
    assert info.value.codec == "sharding_indexed"
    with pytest.raises(CodecError, match="multiple"):
        codec.validate(_spec((6,), "u1"))
    codec.validate(_spec((6, 4), "u1"))


def test_compute_encoded_size_is_not_fixed() -> None:
    codec = ShardingCodec((2,))
    assert not codec.is_fixed_size
    with pytest.raises(NotImplementedError):
        codec.compute_encoded_size(16, _spec((4,), "f4"))


# -- the index ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _VariableCodec(BytesBytesCodec):
    """A stand-in compressor: output size not fixed."""

    v3_name: ClassVar[str] = "test-variable"

    @classmethod
    def from_json(cls, configuration: dict[str, Any]) -> _VariableCodec:
        return cls()

    def to_json(self) -> dict[str, Any]:
        return {"name": self.v3_name}

    def encode(self, data: Any, spec: ArraySpec) -> Any:
        return data

    def decode(self, data: Any, spec: ArraySpec) -> Any:
        return data


def test_index_size_and_round_trip() -> None:
    cps = (3, 2)
    assert index_size_bytes(CodecChain.from_codecs(WITH_CRC), cps) == 16 * 6 + 4
    assert index_size_bytes(CodecChain.from_codecs(NO_CRC), cps) == 16 * 6
    index = empty_index(cps)
    index[1, 0] = (7, 9)
    for codecs in (WITH_CRC, NO_CRC):
        chain = CodecChain.from_codecs(codecs)
        data = encode_index(index, chain)
        # The stored index is little-endian uint64 pairs in C order (then the crc32c).
        assert data[: 16 * 6] == index.astype("<u8").tobytes()
        back = decode_index(data, chain, cps, shard_nbytes=16)
        assert np.array_equal(back, index)
        assert is_empty_entry(back).tolist() == [[True, True], [False, True], [True, True]]
    with pytest.raises(CodecError, match="fixed-size"):
        index_size_bytes(CodecChain.from_codecs((BytesCodec(), _VariableCodec())), cps)


def test_corrupt_index_errors() -> None:
    cps = (2,)
    chain = CodecChain.from_codecs(WITH_CRC)
    index = empty_index(cps)
    index[0] = (0, 8)
    data = bytearray(encode_index(index, chain))
    with pytest.raises(CodecError, match="expected 36") as info:
        decode_index(bytes(data[:-1]), chain, cps)
    assert info.value.codec == "sharding_indexed"
    data[3] ^= 0xFF
    with pytest.raises(ChecksumError) as crc:
        decode_index(bytes(data), chain, cps)
    assert crc.value.codec == "crc32c"
    # Without a checksum, the entries themselves are checked.
    plain = CodecChain.from_codecs(NO_CRC)
    with pytest.raises(CodecError, match=r"outside the shard's chunk bytes \[0, 7\)"):
        decode_index(encode_index(index, plain), plain, cps, shard_nbytes=7)
    index[1] = (MAX_UINT64, 3)
    with pytest.raises(CodecError, match="only one of offset/length"):
        decode_index(encode_index(index, plain), plain, cps)
    # An entry whose offset + length overflows uint64 must not wrap around unnoticed.
    index[1] = (2**64 - 2, 5)
    with pytest.raises(CodecError, match="outside"):
        decode_index(encode_index(index, plain), plain, cps, shard_nbytes=100)
    index[0], index[1] = (10, 4), (3, 4)
    with pytest.raises(
        CodecError,
        match=r"\(1,\) points at bytes \[3, 7\) outside the shard's chunk bytes \[5, 100\)",
    ):
        decode_index(encode_index(index, plain), plain, cps, shard_nbytes=100, data_start=5)


def test_corrupt_and_truncated_shards() -> None:
    spec = _spec((4, 4), "i4", 0)
    data = np.arange(1, 17, dtype="i4").reshape(4, 4)
    codec = _codec((2, 2), spec)
    shard = encode_shard(codec, data, spec, write_empty_chunks=False)
    assert shard is not None
    with pytest.raises(CodecError, match="shorter than its 68-byte index"):
        decode_shard(codec, shard[:10], spec)
    with pytest.raises(CodecError, match=r"\[48, 64\) outside .* \[0, 63\)"):
        decode_shard(codec, shard[1:], spec)  # the index is read from the end
    broken = bytearray(shard)
    broken[-5] ^= 1  # last index byte before the crc32c
    with pytest.raises(ChecksumError):
        decode_shard(codec, bytes(broken), spec)
    start = _codec((2, 2), spec, index_codecs=NO_CRC, index_location="start")
    shard = encode_shard(start, data, spec, write_empty_chunks=False)
    assert shard is not None
    with pytest.raises(CodecError, match="outside"):
        decode_shard(start, shard[:-4], spec)


# -- whole-shard round trips -------------------------------------------------------------

_DTYPES = {
    "bool": (False, lambda r, n: r.integers(0, 2, n).astype(bool)),
    "uint8": (0, lambda r, n: r.integers(0, 3, n).astype("u1")),
    "int16": (-1, lambda r, n: r.integers(-1, 2, n).astype("i2")),
    "uint32": (7, lambda r, n: r.integers(6, 9, n).astype("u4")),
    "float32": (0.0, lambda r, n: r.integers(0, 3, n).astype("f4")),
    "float64": (np.nan, lambda r, n: r.integers(0, 3, n).astype("f8")),
    "complex64": (1 + 1j, lambda r, n: r.integers(0, 3, n) + 1j),
    "datetime64[s]": ("NaT", lambda r, n: r.integers(0, 3, n).astype("M8[s]")),
    "S3": (b"", lambda r, n: np.array([b"", b"ab", b"xyz"])[r.integers(0, 3, n)]),
    "U2": ("", lambda r, n: np.array(["", "a", "zz"])[r.integers(0, 3, n)]),
}


def _is_fill(chunk: np.ndarray[Any, Any], fill: Any) -> bool:
    if chunk.dtype.kind in "fc" and np.isnan(fill):
        return bool(np.isnan(chunk).all())
    if chunk.dtype.kind in "mM" and np.isnat(fill):
        return bool(np.isnat(chunk).all())
    return bool((chunk == fill).all())


@st.composite
def _shards(draw: st.DrawFn) -> tuple[ArraySpec, np.ndarray[Any, Any], tuple[int, ...]]:
    ndim = draw(st.integers(1, 3))
    cps = tuple(draw(st.lists(st.integers(1, 3), min_size=ndim, max_size=ndim)))
    inner = tuple(draw(st.lists(st.integers(1, 3), min_size=ndim, max_size=ndim)))
    name = draw(st.sampled_from(sorted(_DTYPES)))
    fill, make = _DTYPES[name]
    shape = tuple(c * i for c, i in zip(cps, inner, strict=True))
    spec = _spec(shape, name, fill)
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    data = make(rng, int(np.prod(shape))).astype(spec.dtype).reshape(shape)
    # Blank out a random subset of inner chunks so sparse shards are common.
    for coords in c_order(cps):
        if draw(st.booleans()):
            data[tuple(slice(c * n, (c + 1) * n) for c, n in zip(coords, inner, strict=True))] = (
                spec.fill_value
            )
    return spec, data, inner


@settings(max_examples=60, deadline=None)
@given(
    case=_shards(),
    location=st.sampled_from(["start", "end"]),
    index_codecs=st.sampled_from([WITH_CRC, NO_CRC]),
    write_empty=st.booleans(),
)
def test_round_trip(
    case: tuple[ArraySpec, np.ndarray[Any, Any], tuple[int, ...]],
    location: str,
    index_codecs: tuple[Any, ...],
    write_empty: bool,
) -> None:
    spec, data, inner = case
    codec = _codec(inner, spec, index_codecs=index_codecs, index_location=location)
    shard = encode_shard(codec, data, spec, write_empty_chunks=write_empty)
    cps = codec.chunks_per_shard(spec)
    empty = {c: _is_fill(data[codec.inner_selection(c)], spec.fill_value) for c in c_order(cps)}
    if shard is None:
        assert not write_empty
        assert all(empty.values())
        return
    assert _same_bytes(decode_shard(codec, shard, spec), data)
    assert _same_bytes(codec.decode(shard, spec), data)
    absent = is_empty_entry(_index_of(codec, shard, spec))
    for coords, is_empty in empty.items():
        assert bool(absent[coords]) == (is_empty and not write_empty)
    chunk_bytes = int((~absent).sum()) * int(np.prod(inner)) * spec.dtype.itemsize
    assert len(shard) == chunk_bytes + codec.index_size(cps)


def test_encode_follows_write_empty_chunks_config() -> None:
    spec = _spec((4,), "f4", 0)
    codec = _codec((2,), spec)
    data = np.array([0, 0, 1, 2], dtype="f4")
    sparse = codec.encode(data, spec)
    assert sparse is not None
    assert len(sparse) == 8 + 36
    assert codec.encode(np.zeros(4, "f4"), spec) is None
    with config.set({"array.write_empty_chunks": True}):
        dense = codec.encode(np.zeros(4, "f4"), spec)
    assert dense is not None
    assert len(dense) == 16 + 36
    assert _same_bytes(codec.decode(dense, spec), np.zeros(4, "f4"))


def test_negative_zero_is_not_the_fill_value() -> None:
    spec = _spec((2,), "f8", 0.0)
    codec = _codec((1,), spec, index_codecs=NO_CRC)
    shard = encode_shard(codec, np.array([-0.0, 0.0]), spec, write_empty_chunks=False)
    assert shard is not None
    assert is_empty_entry(_index_of(codec, shard, spec)).tolist() == [False, True]
    assert np.signbit(decode_shard(codec, shard, spec)).tolist() == [True, False]


def test_fortran_order_and_prototype_are_used() -> None:
    calls: list[str] = []

    def record(name: str) -> Any:
        def call(*args: Any, **kwargs: Any) -> Any:
            calls.append(name)
            return getattr(np, name)(*args, **kwargs)

        return call

    # A stand-in device module: numpy behind a module that is not numpy, so every
    # array the decoder creates must come through the prototype.
    fake = types.ModuleType("fake_xp")
    for name in ("empty", "full", "asarray", "ascontiguousarray", "all", "isnan"):
        setattr(fake, name, record(name))
    spec = _spec((4, 4), "i2", 5, order="F", prototype=NDBufferPrototype(fake))
    codec = _codec((2, 2), spec)
    data = np.full((4, 4), 5, dtype="i2")
    data[:2, 2:] = [[1, 2], [3, 4]]
    shard = codec.encode(data, spec)
    assert shard is not None
    out = codec.decode(shard, spec)
    assert "full" in calls
    assert "asarray" in calls
    assert out.flags.f_contiguous
    assert np.array_equal(out, data)


# -- nested sharding ---------------------------------------------------------------------


def test_nested_sharding_round_trip() -> None:
    spec = _spec((8, 8), "u2", 0)
    nested = ShardingCodec((2, 2), index_codecs=NO_CRC, index_location="start")
    codec = _codec((4, 4), spec, codecs=[nested])
    data = np.zeros((8, 8), dtype="u2")
    data[0:2, 0:2] = 1
    data[5, 7] = 9
    shard = encode_shard(codec, data, spec, write_empty_chunks=False)
    assert shard is not None
    assert np.array_equal(decode_shard(codec, shard, spec), data)
    outer = _index_of(codec, shard, spec)
    assert is_empty_entry(outer).tolist() == [[False, True], [True, False]]
    # Each stored inner shard holds only its non-empty inner-inner chunk.
    offset, nbytes = (int(v) for v in outer[0, 0])
    assert nbytes == 4 * 16 + 8
    inner_spec = codec.inner_spec(spec)
    inner_index = _index_of(nested, shard[offset : offset + nbytes], inner_spec)
    assert is_empty_entry(inner_index).tolist() == [[False, True], [True, True]]
    # write_empty_chunks reaches the nested codec: every level stores every chunk.
    dense = encode_shard(codec, data, spec, write_empty_chunks=True)
    assert dense is not None
    assert len(dense) == 4 * (4 * 16 + 4 * 8) + 4 * 16 + 4
    assert np.array_equal(decode_shard(codec, dense, spec), data)


@pytest.mark.gpu
def test_round_trip_on_gpu() -> None:
    cupy = pytest.importorskip("cupy")
    from zarrdist.chunkio.buffers import gpu_prototype

    spec = _spec((8, 8), "f4", 0, prototype=gpu_prototype())
    codec = _codec((4, 4), spec)
    data = cupy.zeros((8, 8), dtype="f4")
    data[5, 6] = 3
    shard = codec.encode(data, spec)
    assert shard is not None
    assert is_empty_entry(_index_of(codec, shard, spec)).tolist() == [[True, True], [True, False]]
    out = codec.decode(shard, spec)
    assert isinstance(out, cupy.ndarray)
    assert cupy.array_equal(out, data)


def test_index_location_takes_zarr_pythons_enum() -> None:
    import zarr.codecs as peer

    from zarrdist.codecs import ShardingCodec, ShardingCodecIndexLocation

    ours = ShardingCodec(chunk_shape=(2,), index_location=ShardingCodecIndexLocation.start)
    assert ours.index_location == "start"
    theirs = peer.ShardingCodec(
        chunk_shape=(2,), index_location=peer.ShardingCodecIndexLocation.start
    )
    # zarr-python's dict holds tuples where the JSON document has lists.
    assert ours.to_json() == json.loads(json.dumps(theirs.to_dict()))


@pytest.mark.parametrize("dtype", ["f4", "c16"])
def test_nan_fill_means_every_element_is_nan(dtype: str) -> None:
    spec = _spec((3, 4), dtype, np.nan)
    chunk = np.full((3, 4), np.nan, dtype=dtype)
    assert all_fill_value(chunk, spec)
    assert all_fill_value(chunk[:0], spec)  # nothing in it: nothing but fill
    for where in [(0, 0), (2, 3), (1, 2)]:
        mixed = chunk.copy()
        mixed[where] = 0.5
        assert not all_fill_value(mixed, spec)
        assert not all_fill_value(mixed.T, spec)  # any layout
