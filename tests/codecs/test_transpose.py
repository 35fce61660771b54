"""The ``transpose`` codec against zarr-python 3.1.5."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from zarrdist.codecs import ArraySpec, TransposeCodec, codec_from_json, decode_chunk
from zarrdist.errors import CodecError


@pytest.mark.parametrize("order", [(0, 1, 2), (2, 0, 1), (1, 2, 0), (2, 1, 0)])
@pytest.mark.parametrize("endian", ["little", "big"])
def test_bytes_and_json_equal_zarr(
    zarr_peer: Any, make_chain: Any, encode_bytes: Any, order: tuple[int, ...], endian: str
) -> None:
    arr = np.arange(2 * 3 * 4, dtype="<i4").reshape(2, 3, 4) * 7
    codecs = [
        {"name": "transpose", "configuration": {"order": list(order)}},
        {"name": "bytes", "configuration": {"endian": endian}},
    ]
    spec = ArraySpec(arr.shape, arr.dtype)
    chain = make_chain(codecs, spec)
    ours = encode_bytes(chain, arr, spec)
    assert ours == zarr_peer.encode(arr, codecs)
    assert (
        ours
        == np.ascontiguousarray(arr.transpose(order))
        .astype(arr.dtype.newbyteorder("<" if endian == "little" else ">"))
        .tobytes()
    )
    assert chain.to_json() == zarr_peer.to_json(codecs, arr.shape, arr.dtype)
    np.testing.assert_array_equal(decode_chunk(chain, zarr_peer.encode(arr, codecs), spec), arr)


def test_resolve_spec_and_inverse() -> None:
    codec = TransposeCodec(order=[2, 0, 1])
    spec = ArraySpec((2, 3, 4), np.dtype("f4"))
    assert codec.resolve_spec(spec).shape == (4, 2, 3)
    assert codec.inverse == (1, 2, 0)
    arr = np.zeros((2, 3, 4))
    assert codec.decode(codec.encode(arr, spec), spec).shape == (2, 3, 4)
    assert codec.to_json() == {"name": "transpose", "configuration": {"order": [2, 0, 1]}}
    assert codec_from_json(codec.to_json()) == codec
    assert codec.compute_encoded_size(96, spec) == 96


@pytest.mark.parametrize("order", [[0, 0], [1, 2], "01", [0.0, 1], None])
def test_invalid_order(order: Any) -> None:
    with pytest.raises(CodecError) as info:
        TransposeCodec(order=order)
    assert info.value.codec == "transpose"


def test_order_length_must_match_ndim() -> None:
    with pytest.raises(CodecError, match="dimensions"):
        TransposeCodec(order=(1, 0)).validate(ArraySpec((2, 3, 4), np.dtype("f4")))
    with pytest.raises(CodecError, match="order"):
        TransposeCodec.from_json({})
