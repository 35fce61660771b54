"""``vlen-utf8`` and ``vlen-bytes`` against zarr-python 3.1.5 and numcodecs."""

from __future__ import annotations

from typing import Any

import numcodecs
import numpy as np
import pytest

from zarrdist.codecs import (
    ArraySpec,
    VLenBytesCodec,
    VLenUTF8Codec,
    codec_from_json,
    decode_chunk,
)
from zarrdist.errors import CodecError

STRINGS = ["", "a", "héllo", "日本語", "emoji 🎉", "x" * 300]
BYTES = [b"", b"\x00", b"abc", bytes(range(256)), b"\xff" * 70, b"z"]
STRING_DTYPE = np.dtypes.StringDType()


def _strings(dtype: Any) -> np.ndarray[Any, Any]:
    return np.array(STRINGS, dtype=dtype).reshape(2, 3)


def _bytes() -> np.ndarray[Any, Any]:
    arr = np.empty(6, dtype=object)
    arr[:] = BYTES
    return arr.reshape(3, 2)


@pytest.mark.parametrize(
    "compressor", [None, {"name": "zstd", "configuration": {"level": 0, "checksum": False}}]
)
def test_utf8_bytes_and_json_equal_zarr(
    zarr_peer: Any, make_chain: Any, encode_bytes: Any, compressor: dict[str, Any] | None
) -> None:
    arr = _strings(STRING_DTYPE)
    codecs = [{"name": "vlen-utf8", "configuration": {}}, *([compressor] if compressor else [])]
    spec = ArraySpec(arr.shape, arr.dtype)
    chain = make_chain(codecs, spec)
    ours = encode_bytes(chain, arr, spec)
    theirs = zarr_peer.encode(arr, codecs)
    assert ours == theirs
    assert chain.to_json() == zarr_peer.to_json(codecs, arr.shape, arr.dtype)
    back = decode_chunk(chain, theirs, spec)
    assert back.dtype == STRING_DTYPE == zarr_peer.decode(ours, codecs, arr.shape, arr.dtype).dtype
    np.testing.assert_array_equal(back, arr)


def test_utf8_accepts_object_input_and_decodes_to_spec_dtype() -> None:
    obj = _strings(object)
    codec = VLenUTF8Codec()
    encoded = codec.encode(obj, ArraySpec(obj.shape, obj.dtype))
    assert bytes(encoded) == bytes(numcodecs.VLenUTF8().encode(obj.reshape(-1)))
    as_string = codec.decode(encoded, ArraySpec(obj.shape, STRING_DTYPE))
    assert as_string.dtype == STRING_DTYPE
    as_object = codec.decode(encoded, ArraySpec(obj.shape, np.dtype(object)))
    assert as_object.dtype == object
    assert as_object.tolist() == obj.tolist()


def test_utf8_fortran_input_goes_out_in_c_order() -> None:
    arr = np.asfortranarray(_strings(object))
    encoded = VLenUTF8Codec().encode(arr, ArraySpec(arr.shape, arr.dtype))
    assert bytes(encoded) == bytes(numcodecs.VLenUTF8().encode(np.array(STRINGS, dtype=object)))


def test_bytes_bytes_and_json_equal_zarr(
    zarr_peer: Any, make_chain: Any, encode_bytes: Any
) -> None:
    arr = _bytes()
    codecs = [{"name": "vlen-bytes", "configuration": {}}]
    spec = ArraySpec(arr.shape, arr.dtype)
    chain = make_chain(codecs, spec)
    ours = encode_bytes(chain, arr, spec)
    assert ours == zarr_peer.encode(arr, codecs)
    assert chain.to_json() == zarr_peer.to_json(codecs, arr.shape, arr.dtype)
    back = decode_chunk(chain, ours, spec)
    assert back.dtype == object
    assert back.tolist() == arr.tolist()
    assert zarr_peer.decode(ours, codecs, arr.shape, arr.dtype).tolist() == arr.tolist()


@pytest.mark.parametrize("codec", [VLenUTF8Codec(), VLenBytesCodec()], ids=repr)
def test_truncated_and_miscounted_raise_codec_error(codec: Any) -> None:
    arr = _strings(object) if isinstance(codec, VLenUTF8Codec) else _bytes().reshape(2, 3)
    good = bytes(codec.encode(arr, ArraySpec(arr.shape, arr.dtype)))
    for bad, spec in [
        (good[:-3], ArraySpec(arr.shape, np.dtype(object))),
        (good[:2], ArraySpec(arr.shape, np.dtype(object))),
        (good, ArraySpec((7,), np.dtype(object))),
    ]:
        with pytest.raises(CodecError) as info:
            codec.decode(bad, spec)
        assert info.value.codec == codec.v3_name


def test_json_and_validation() -> None:
    assert VLenUTF8Codec().to_json() == {"name": "vlen-utf8", "configuration": {}}
    assert VLenBytesCodec().to_json() == {"name": "vlen-bytes", "configuration": {}}
    assert codec_from_json({"name": "vlen-utf8"}) == VLenUTF8Codec()
    assert codec_from_json({"name": "vlen-bytes", "configuration": {}}) == VLenBytesCodec()
    with pytest.raises(CodecError):
        VLenUTF8Codec().validate(ArraySpec((2,), np.dtype("<f4")))
    with pytest.raises(CodecError):
        VLenBytesCodec().validate(ArraySpec((2,), np.dtype("<i4")))
