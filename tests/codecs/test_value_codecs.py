"""The scale_offset and cast_value codecs (zarr-python 3.3+), against NumPy."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from zarrdist.codecs import ArraySpec, CastValueCodec, ScaleOffsetCodec, codec_from_json
from zarrdist.errors import CodecError


def _spec(dtype: Any, shape: tuple[int, ...] = (6,), fill: Any = 0) -> ArraySpec:
    return ArraySpec(shape=shape, dtype=np.dtype(dtype), fill_value=fill)


# -- scale_offset ---------------------------------------------------------------------


def test_scale_offset_json_keeps_only_what_differs_from_the_defaults() -> None:
    assert ScaleOffsetCodec().to_json() == {"name": "scale_offset"}
    codec = codec_from_json(
        {"name": "scale_offset", "configuration": {"offset": "NaN", "scale": 2}}
    )
    assert codec.to_json() == {
        "name": "scale_offset",
        "configuration": {"offset": "NaN", "scale": 2},
    }
    assert codec_from_json({"name": "scale_offset"}) == ScaleOffsetCodec()


@pytest.mark.parametrize("dtype", ["int8", "uint16", "int32", "uint32", "int64", "uint64"])
def test_scale_offset_integers_round_trip_exactly(dtype: str) -> None:
    info = np.iinfo(dtype)
    offset = -3 if info.min else 1
    codec = ScaleOffsetCodec(offset=offset, scale=2)
    spec = _spec(dtype)
    x = np.array([1, 2, 5, 7, info.max // 4, info.max // 3], dtype=dtype)
    encoded = codec.encode(x, spec)
    assert encoded.dtype == x.dtype
    assert encoded.tolist() == [(int(v) - offset) * 2 for v in x]
    np.testing.assert_array_equal(codec.decode(encoded, spec), x)


def test_scale_offset_floats_follow_numpy_in_their_own_type() -> None:
    codec = ScaleOffsetCodec(offset=1.5, scale=4)
    x = np.linspace(-3, 3, 6, dtype="float32")
    encoded = codec.encode(x, _spec("float32"))
    assert encoded.dtype == np.float32
    np.testing.assert_array_equal(encoded, (x - np.float32(1.5)) * np.float32(4))
    np.testing.assert_array_equal(
        codec.decode(encoded, _spec("float32")), encoded / np.float32(4) + np.float32(1.5)
    )


def test_scale_offset_refuses_overflow_inexact_division_and_bad_parameters() -> None:
    codec = ScaleOffsetCodec(offset=-100, scale=2)
    with pytest.raises(CodecError, match="outside the range of int8"):
        codec.encode(np.array([100], dtype="i1"), _spec("i1"))
    with pytest.raises(CodecError, match="not divisible by scale=2"):
        codec.decode(np.array([3], dtype="i1"), _spec("i1"))
    with pytest.raises(CodecError, match="non-zero"):
        ScaleOffsetCodec(scale=0).validate(_spec("f8"))
    with pytest.raises(CodecError, match="out of the range of uint8"):
        ScaleOffsetCodec(offset=-1).validate(_spec("u1"))
    with pytest.raises(CodecError, match="integer and floating-point"):
        ScaleOffsetCodec().validate(_spec("c16"))
    with pytest.raises(CodecError, match="unknown configuration keys"):
        codec_from_json({"name": "scale_offset", "configuration": {"factor": 2}})


def test_scale_offset_encodes_the_fill_value_like_an_element() -> None:
    spec = ScaleOffsetCodec(offset=1.5, scale=4).resolve_spec(_spec("f8", fill=0.5))
    assert spec.fill_value == -4.0
    assert spec.dtype == np.float64


# -- cast_value -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rounding", "numpy_round"),
    [
        ("nearest-even", np.rint),
        ("towards-zero", np.trunc),
        ("towards-positive", np.ceil),
        ("towards-negative", np.floor),
        ("nearest-away", lambda v: np.sign(v) * np.floor(np.abs(v) + 0.5)),
    ],
)
def test_cast_value_rounding_modes(rounding: str, numpy_round: Any) -> None:
    codec = CastValueCodec(data_type="int16", rounding=rounding)
    x = np.array([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 2.4, -2.6])
    encoded = codec.encode(x, _spec("f8", (8,)))
    assert encoded.dtype == np.int16
    np.testing.assert_array_equal(encoded, numpy_round(x).astype("int16"))
    np.testing.assert_array_equal(codec.decode(encoded, _spec("f8", (8,))), numpy_round(x))


def test_cast_value_out_of_range_error_clamp_wrap() -> None:
    x = np.array([-5.0, 100.0, 300.0])
    with pytest.raises(CodecError, match="outside the range of uint8"):
        CastValueCodec(data_type="uint8").encode(x, _spec("f8", (3,)))
    clamped = CastValueCodec(data_type="uint8", out_of_range="clamp").encode(x, _spec("f8", (3,)))
    assert clamped.tolist() == [0, 100, 255]
    ints = np.array([-1, 255, 256, 1000], dtype="int32")
    wrapped = CastValueCodec(data_type="uint8", out_of_range="wrap").encode(ints, _spec("i4", (4,)))
    np.testing.assert_array_equal(wrapped, ints.astype("uint8"))  # NumPy wraps modulo 256
    with pytest.raises(CodecError, match="needs an integer data_type"):
        CastValueCodec(data_type="float32", out_of_range="wrap")


def test_cast_value_scalar_map_and_nan() -> None:
    codec = CastValueCodec(
        data_type="int8", scalar_map={"encode": [["NaN", -128]], "decode": [[-128, "NaN"]]}
    )
    x = np.array([np.nan, 1.0, -3.0])
    encoded = codec.encode(x, _spec("f4", (3,)))
    assert encoded.tolist() == [-128, 1, -3]
    decoded = codec.decode(encoded, _spec("f4", (3,)))
    assert decoded.dtype == np.float32
    assert np.isnan(decoded[0])
    assert decoded[1:].tolist() == [1, -3]
    with pytest.raises(CodecError, match="map it with scalar_map"):
        CastValueCodec(data_type="int8").encode(x, _spec("f4", (3,)))
    with pytest.raises(CodecError, match=r"scalar_map\.encode value 300"):
        CastValueCodec(data_type="int8", scalar_map={"encode": [[0, 300]]}).validate(_spec("f8"))


def test_cast_value_json_and_fill_value() -> None:
    doc = {"name": "cast_value", "configuration": {"data_type": "uint8", "out_of_range": "clamp"}}
    codec = codec_from_json(doc)
    assert codec.to_json() == doc
    spec = codec.resolve_spec(_spec("f8", fill=300.0))
    assert spec.dtype == np.uint8
    assert spec.fill_value == 255
    assert codec.compute_encoded_size(80, _spec("f8", (10,))) == 10
    with pytest.raises(CodecError, match="needs 'data_type'"):
        codec_from_json({"name": "cast_value", "configuration": {}})
    with pytest.raises(CodecError, match="integer or floating-point type"):
        CastValueCodec(data_type="bool")


def test_zarr_python_names() -> None:
    import zarrdist as zarr

    assert zarr.codecs.ScaleOffset(offset=1, scale=2) == ScaleOffsetCodec(offset=1, scale=2)
    assert zarr.codecs.CastValue(data_type="int8").to_json() == {
        "name": "cast_value",
        "configuration": {"data_type": "int8"},
    }
