"""The ``crc32c`` codec against zarr-python 3.1.5 and numcodecs."""

from __future__ import annotations

from typing import Any

import google_crc32c
import numcodecs
import numpy as np
import pytest

from zarrdist.codecs import ArraySpec, Crc32cCodec, codec_from_json, decode_chunk
from zarrdist.errors import ChecksumError, CodecError

SPEC = ArraySpec((1,), np.dtype("u1"))


@pytest.mark.parametrize("shape", [(0,), (1,), (7, 5)])
def test_bytes_and_json_equal_zarr(
    zarr_peer: Any, make_chain: Any, encode_bytes: Any, shape: tuple[int, ...]
) -> None:
    arr = np.arange(np.prod(shape), dtype="<u2").reshape(shape)
    codecs = [{"name": "bytes", "configuration": {"endian": "little"}}, {"name": "crc32c"}]
    spec = ArraySpec(arr.shape, arr.dtype)
    chain = make_chain(codecs, spec)
    ours = encode_bytes(chain, arr, spec)
    assert ours == zarr_peer.encode(arr, codecs)
    assert ours[-4:] == google_crc32c.value(arr.tobytes()).to_bytes(4, "little")
    assert chain.to_json() == zarr_peer.to_json(codecs, arr.shape, arr.dtype)
    assert chain.compute_encoded_size(arr.nbytes, spec) == len(ours)
    np.testing.assert_array_equal(decode_chunk(chain, zarr_peer.encode(arr, codecs), spec), arr)


def test_same_wire_format_as_numcodecs_crc32c() -> None:
    data = bytes(range(200))
    assert bytes(Crc32cCodec().encode(data, SPEC)) == bytes(numcodecs.CRC32C().encode(data))


def test_decode_returns_view_without_copy() -> None:
    encoded = bytearray(Crc32cCodec().encode(b"abcdef", SPEC))
    inner = Crc32cCodec().decode(encoded, SPEC)
    assert bytes(inner) == b"abcdef"
    assert isinstance(inner, memoryview)
    assert np.shares_memory(np.frombuffer(inner, np.uint8), np.frombuffer(encoded, np.uint8))


@pytest.mark.parametrize("position", [0, 3, -1, -4])
def test_any_flipped_byte_raises_checksum_error(position: int) -> None:
    encoded = bytearray(Crc32cCodec().encode(b"some chunk bytes", SPEC))
    encoded[position] ^= 0x10
    with pytest.raises(ChecksumError, match="does not match") as info:
        Crc32cCodec().decode(bytes(encoded), SPEC)
    assert info.value.codec == "crc32c"
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("data", [b"", b"\x01", b"\x01\x02\x03"])
def test_truncated_raises_codec_error(data: bytes) -> None:
    with pytest.raises(CodecError, match="too short") as info:
        Crc32cCodec().decode(data, SPEC)
    assert not isinstance(info.value, ChecksumError)
    assert info.value.codec == "crc32c"


def test_json() -> None:
    assert Crc32cCodec().to_json() == {"name": "crc32c"}
    assert codec_from_json({"name": "crc32c", "configuration": {}}) == Crc32cCodec()
    with pytest.raises(CodecError, match="unknown configuration"):
        codec_from_json({"name": "crc32c", "configuration": {"location": "end"}})
