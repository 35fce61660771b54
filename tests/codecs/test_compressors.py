"""gzip, zstd and blosc against zarr-python 3.1.5 and numcodecs."""

from __future__ import annotations

import pickle
from typing import Any

import numcodecs
import numpy as np
import pytest

from tests.interop._cases import pinned_gzip_mtime
from zarrdist.codecs import (
    ArraySpec,
    BloscCname,
    BloscCodec,
    BloscShuffle,
    GzipCodec,
    ZstdCodec,
    codec_from_json,
    decode_chunk,
)
from zarrdist.errors import ChecksumError, CodecError


def _field(dtype: str = "<f4", shape: tuple[int, ...] = (16, 24)) -> np.ndarray[Any, Any]:
    """A smooth field with a little noise: compressible, but not trivially."""
    y, x = np.meshgrid(*(np.linspace(0, 3, n) for n in shape), indexing="ij")
    noise = np.random.default_rng(0).normal(0, 0.01, shape)
    return (np.sin(x) * np.cos(y) * 100 + noise).astype(dtype)


CONFIGS = [
    {"name": "gzip", "configuration": {"level": 0}},
    {"name": "gzip", "configuration": {"level": 5}},
    {"name": "gzip", "configuration": {"level": 9}},
    {"name": "zstd", "configuration": {"level": 0, "checksum": False}},
    {"name": "zstd", "configuration": {"level": 1, "checksum": True}},
    {"name": "zstd", "configuration": {"level": -3, "checksum": False}},
    {"name": "zstd", "configuration": {"level": 19, "checksum": True}},
    *(
        {
            "name": "blosc",
            "configuration": {
                "typesize": 4,
                "cname": cname,
                "clevel": 5,
                "shuffle": shuffle,
                "blocksize": 0,
            },
        }
        for cname in ("lz4", "lz4hc", "blosclz", "zstd", "zlib")
        for shuffle in ("noshuffle", "shuffle", "bitshuffle")
    ),
    {
        "name": "blosc",
        "configuration": {
            "typesize": 2,
            "cname": "zstd",
            "clevel": 1,
            "shuffle": "shuffle",
            "blocksize": 256,
        },
    },
]


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: str(list(c["configuration"].values())))
@pytest.mark.parametrize("dtype", ["<f4", "<i2", "u1"])
def test_bytes_and_json_equal_zarr(
    zarr_peer: Any, make_chain: Any, encode_bytes: Any, config: dict[str, Any], dtype: str
) -> None:
    arr = _field(dtype)
    codecs = [{"name": "bytes", "configuration": {"endian": "little"}}, config]
    spec = ArraySpec(arr.shape, arr.dtype)
    chain = make_chain(codecs, spec)
    # gzip stamps the wall clock into its header: two encodes a second apart differ.
    with pinned_gzip_mtime():
        ours = encode_bytes(chain, arr, spec)
        theirs = zarr_peer.encode(arr, codecs)
    assert ours == theirs
    assert chain.to_json() == zarr_peer.to_json(codecs, arr.shape, arr.dtype)
    assert decode_chunk(chain, theirs, spec).tobytes() == arr.tobytes()
    assert zarr_peer.decode(ours, codecs, arr.shape, arr.dtype).tobytes() == arr.tobytes()


@pytest.mark.parametrize("dtype", ["u1", "<i2", "<f4", "<f8"])
def test_blosc_defaults_evolve_like_zarr(
    zarr_peer: Any, make_chain: Any, encode_bytes: Any, dtype: str
) -> None:
    arr = _field(dtype)
    spec = ArraySpec(arr.shape, arr.dtype)
    # zarr-python writes BloscCodec() with every field; typesize/shuffle default as 1/bitshuffle
    # and are tuned to the array only when left unset, which from_dict cannot express.
    assert BloscCodec().to_json() == {
        "name": "blosc",
        "configuration": {
            "typesize": 1,
            "cname": "zstd",
            "clevel": 5,
            "shuffle": "bitshuffle",
            "blocksize": 0,
        },
    }
    evolved = BloscCodec().evolve_from_array_spec(spec)
    itemsize = np.dtype(dtype).itemsize
    assert evolved.typesize == itemsize
    assert evolved.shuffle is (BloscShuffle.bitshuffle if itemsize == 1 else BloscShuffle.shuffle)
    codecs = [{"name": "bytes"}, evolved.to_json()]
    chain = make_chain(codecs, spec)
    assert encode_bytes(chain, arr, spec) == zarr_peer.encode(arr, codecs)


def test_gzip_is_gzip_framed_like_numcodecs() -> None:
    data = _field().tobytes()
    out = bytes(GzipCodec(level=5).encode(data, ArraySpec((1,), np.dtype("u1"))))
    assert out[:2] == b"\x1f\x8b"
    assert out == bytes(numcodecs.GZip(level=5).encode(data))


@pytest.mark.parametrize("level", [0, 3, 9])
def test_zstd_equals_numcodecs(level: int) -> None:
    data = _field().tobytes()
    spec = ArraySpec((1,), np.dtype("u1"))
    for checksum in (False, True):
        ours = bytes(ZstdCodec(level=level, checksum=checksum).encode(data, spec))
        assert ours == bytes(numcodecs.Zstd(level=level, checksum=checksum).encode(data))


def test_zstd_decodes_zarr_checksummed_data_and_detects_corruption(zarr_peer: Any) -> None:
    arr = _field()
    codecs = [{"name": "bytes"}, {"name": "zstd", "configuration": {"level": 3, "checksum": True}}]
    theirs = bytearray(zarr_peer.encode(arr, codecs))
    spec = ArraySpec(arr.shape, arr.dtype)
    codec = ZstdCodec(level=3, checksum=True)
    assert bytes(codec.decode(theirs, spec)) == arr.tobytes()
    theirs[-1] ^= 0xFF  # the content checksum is the frame's last four bytes
    with pytest.raises(ChecksumError) as info:
        codec.decode(bytes(theirs), spec)
    assert info.value.codec == "zstd"


GARBAGE = [b"", b"\x00\x01garbage" * 3, b"\xff" * 64]


@pytest.mark.parametrize("codec", [GzipCodec(), ZstdCodec(), BloscCodec(typesize=4)], ids=repr)
@pytest.mark.parametrize("kind", ["truncated", *range(len(GARBAGE))])
def test_garbage_and_truncated_raise_codec_error(codec: Any, kind: Any) -> None:
    spec = ArraySpec((1,), np.dtype("u1"))
    if kind == "truncated":
        good = bytes(codec.encode(_field().tobytes(), spec))
        bad = good[: len(good) // 2]
    else:
        bad = GARBAGE[kind]
    if isinstance(codec, GzipCodec) and bad == b"":
        # numcodecs/gzip reads an empty stream as empty data, as zarr-python does.
        assert bytes(codec.decode(bad, spec)) == b""
        return
    with pytest.raises(CodecError) as info:
        codec.decode(bad, spec)
    assert info.value.codec == codec.v3_name
    assert codec.v3_name in str(info.value)


@pytest.mark.parametrize(
    ("cls", "config"),
    [
        (GzipCodec, {"level": 10}),
        (GzipCodec, {"level": "5"}),
        (GzipCodec, {"level": 5, "x": 1}),
        (ZstdCodec, {"level": 23}),
        (ZstdCodec, {"checksum": "yes"}),
        (BloscCodec, {"cname": "lzo"}),
        (BloscCodec, {"shuffle": "sideways"}),
        (BloscCodec, {"typesize": 0}),
        (BloscCodec, {"clevel": -1}),
    ],
)
def test_invalid_configuration(cls: Any, config: dict[str, Any]) -> None:
    with pytest.raises(CodecError) as info:
        cls.from_json(config)
    assert info.value.codec == cls.v3_name


def test_codecs_are_hashable_comparable_and_picklable() -> None:
    codecs = [
        GzipCodec(level=3),
        ZstdCodec(level=2, checksum=True),
        BloscCodec(typesize=4, cname="lz4", shuffle="shuffle"),
    ]
    for codec in codecs:
        assert codec == codec_from_json(codec.to_json())
        assert hash(codec) == hash(codec_from_json(codec.to_json()))
        assert pickle.loads(pickle.dumps(codec)) == codec
    assert BloscCodec(cname="lz4").cname is BloscCname.lz4
    assert len(set(codecs)) == 3


def _frames(codec: Any, n: int = 5) -> tuple[list[bytes], list[bytes]]:
    spec = ArraySpec((1,), np.dtype("u1"))
    raws = [(_field() + i).tobytes() for i in range(n)]
    return [bytes(codec.encode(r, spec)) for r in raws], raws


@pytest.mark.parametrize(
    "codec", [ZstdCodec(level=1), GzipCodec(), BloscCodec(typesize=4)], ids=repr
)
def test_decode_many_equals_decoding_one_by_one(codec: Any) -> None:
    frames, raws = _frames(codec)
    spec = ArraySpec((1,), np.dtype("u1"))
    assert [bytes(d) for d in codec.decode_many(frames, spec)] == raws
    assert [bytes(d) for d in codec.decode_many(frames[:1], spec)] == raws[:1]
    assert codec.decode_many([], spec) == []


def test_zstd_decode_many_reads_streamed_frames_and_names_bad_ones() -> None:
    import zstandard

    spec = ArraySpec((1,), np.dtype("u1"))
    codec = ZstdCodec(level=1, checksum=True)
    frames, raws = _frames(codec)
    # A streamed frame records no content size: the batch call refuses it, and the
    # frame-by-frame fallback decodes it.
    streamed = zstandard.ZstdCompressor().compressobj()
    frames[2] = streamed.compress(raws[2]) + streamed.flush()
    assert [bytes(d) for d in codec.decode_many(frames, spec)] == raws
    corrupt = bytearray(frames[3])
    corrupt[-1] ^= 0xFF  # the content checksum
    frames[3] = bytes(corrupt)
    with pytest.raises(ChecksumError):
        codec.decode_many(frames, spec)
    frames[3] = b""
    with pytest.raises(CodecError):
        codec.decode_many(frames, spec)


@pytest.mark.parametrize("first", [1 << 10, 32 << 10, (32 << 10) + 1, 256 << 10])
def test_zstd_decode_many_batches_small_frames_and_decodes_large_ones_alone(
    first: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    import zstandard

    from zarrdist.codecs import zstd

    rng = np.random.default_rng(3)
    raws = [bytes(rng.integers(0, 4, n, dtype="u1")) for n in (first, 5000, 300_000, 17)]
    codec = ZstdCodec(level=1)
    spec = ArraySpec((1,), np.dtype("u1"))
    frames = [codec.encode(r, spec) for r in raws]
    batched: list[int] = []

    class Counting:
        """A decompressor that counts batch calls (the C type cannot be subclassed)."""

        def __init__(self) -> None:
            self._real = zstandard.ZstdDecompressor()

        def decompress(self, data: Any) -> bytes:
            return self._real.decompress(data)

        def multi_decompress_to_buffer(self, frames: Any) -> Any:
            batched.append(len(frames))
            return self._real.multi_decompress_to_buffer(frames)

    monkeypatch.setattr(zstd._local, "context", Counting(), raising=False)
    assert [bytes(d) for d in codec.decode_many(frames, spec)] == raws
    # The first frame's size decides: up to 32 KiB decoded, one batch call.
    assert batched == ([4] if first <= 32 << 10 else [])
    assert not zstd._small_frame(b"not a zstd frame")


@pytest.mark.parametrize("checksum", [False, True])
def test_zstd_decompress_into_fills_a_reused_buffer_or_declines(checksum: bool) -> None:
    import zstandard

    from zarrdist.codecs.zstd import decompress_into

    raw = np.arange(40_000, dtype="<f4").tobytes()
    frame = zstandard.ZstdCompressor(write_checksum=checksum).compress(raw)
    buffer = bytearray(len(raw))
    assert decompress_into(frame, buffer)
    assert bytes(buffer) == raw
    assert decompress_into(memoryview(frame), buffer)  # views of fetched ranges too
    # Declined, for the usual decoding to give the value or name the fault:
    assert not decompress_into(frame, bytearray(len(raw) - 1))  # another size
    damaged = bytearray(frame)
    damaged[-1] ^= 0xFF  # the checksum, or the last block
    assert not decompress_into(bytes(damaged), bytearray(len(raw)))
    streamed = zstandard.ZstdCompressor().compressobj()
    unsized = streamed.compress(raw) + streamed.flush()  # no content size recorded
    assert not decompress_into(unsized, bytearray(len(raw)))
    assert not decompress_into(b"not a frame", bytearray(len(raw)))


def test_zstd_decompress_into_stops_at_the_needed_prefix_unless_the_frame_has_a_checksum() -> None:
    import zstandard

    from zarrdist.codecs.zstd import decompress_into

    raw = np.arange(300_000, dtype="<f4").tobytes()
    need = 1000
    plain = zstandard.ZstdCompressor().compress(raw)
    buffer = bytearray(b"\xab" * len(raw))
    assert decompress_into(plain, buffer, need)
    assert bytes(buffer[:need]) == raw[:need]
    assert bytes(buffer[need:]) == b"\xab" * (len(raw) - need)  # nothing decoded past it
    # A checksummed frame is decoded whole, so that its checksum is verified.
    checked = zstandard.ZstdCompressor(write_checksum=True).compress(raw)
    buffer = bytearray(len(raw))
    assert decompress_into(checked, buffer, need)
    assert bytes(buffer) == raw
    damaged = bytearray(checked)
    damaged[-1] ^= 0xFF
    assert not decompress_into(bytes(damaged), bytearray(len(raw)), need)
    # A frame of another size is declined before any decoding, as without ``need``.
    assert not decompress_into(plain, bytearray(len(raw) - 4), need)
