"""Data types against zarr-python 3.1.5 and TensorStore: names, in-memory dtypes, fill values."""

from __future__ import annotations

import json
import math
import warnings
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from tests.metadata._peers import (
    ZARR_DTYPE_CASES,
    pad_bytes_fill,
    zarr_documents,
    zarr_read_dtype,
)
from zarrdist.dtype.datatypes import (
    DataType,
    FixedUTF32Type,
    NullTerminatedBytesType,
    RawBytesType,
    StructuredType,
    VariableBytesType,
    VariableStringType,
    data_type_from_json,
    fill_value_equal,
    numeric_type,
    parse_data_type,
    time_type,
)
from zarrdist.errors import MetadataError, UnknownDataTypeError


def _case_id(value: Any) -> str:
    return value.__name__ if isinstance(value, type) else str(value)


def _zarr_json(documents: dict[str, Any], zarr_format: int) -> tuple[Any, Any, str | None]:
    """(data type JSON, fill value JSON, v2 object codec id) from zarr-python's documents.

    Fixed-length bytes fill values are padded, as zarrdist writes them (``pad_bytes_fill``).
    """
    key = "zarr.json" if zarr_format == 3 else ".zarray"
    doc = json.loads(pad_bytes_fill(documents[key + ":bytes"]))
    if zarr_format == 3:
        return doc["data_type"], doc["fill_value"], None
    codec = doc["filters"][0]["id"] if doc["filters"] else None
    return doc["dtype"], doc["fill_value"], codec


# -- names and in-memory dtypes, against zarr-python ------------------------------------


@pytest.mark.parametrize("zarr_format", [2, 3])
@pytest.mark.parametrize("dtype", ZARR_DTYPE_CASES, ids=_case_id)
def test_json_matches_zarr_python(dtype: Any, zarr_format: int) -> None:
    documents = zarr_documents(dtype, zarr_format)
    dtype_json, fill_json, codec = _zarr_json(documents, zarr_format)
    ours = parse_data_type(dtype, zarr_format)
    assert ours.metadata_json(zarr_format) == dtype_json
    if zarr_format == 2:
        assert ours.object_codec_id == codec
    parsed = data_type_from_json(dtype_json, zarr_format, object_codec_id=codec)
    assert parsed == ours
    assert parsed.metadata_json(zarr_format) == dtype_json
    # The default fill value zarr-python writes is ours, in the same encoding.
    assert parsed.fill_value_to_json(parsed.default_fill_value(), zarr_format) == fill_json
    assert fill_value_equal(
        parsed.fill_value_from_json(fill_json, zarr_format), parsed.default_fill_value(), parsed
    )
    # The in-memory dtype is what zarr-python gives when it reopens the array.
    assert parsed.to_native() == zarr_read_dtype(documents, zarr_format)


@pytest.mark.parametrize("zarr_format", [2, 3])
def test_variable_length_bytes_matches_zarr_python(zarr_format: int) -> None:
    from zarr.dtype import VariableLengthBytes

    documents = zarr_documents(VariableLengthBytes(), zarr_format)
    dtype_json, fill_json, codec = _zarr_json(documents, zarr_format)
    ours = parse_data_type(bytes, zarr_format)
    assert isinstance(ours, VariableBytesType)
    assert (ours.metadata_json(zarr_format), ours.object_codec_id) == (dtype_json, "vlen-bytes")
    assert data_type_from_json(dtype_json, zarr_format, object_codec_id=codec) == ours
    assert ours.fill_value_to_json(b"", zarr_format) == fill_json
    assert ours.to_native() == zarr_read_dtype(documents, zarr_format) == np.dtype(object)


def test_v2_byte_order_is_kept_and_v3_is_native() -> None:
    big = parse_data_type(">i4", 2)
    assert big.to_native() == np.dtype(">i4")
    assert big.metadata_json(2) == ">i4"
    assert big.metadata_json(3) == "int32"
    assert parse_data_type(">i4", 3).to_native() == np.dtype("=i4")
    assert parse_data_type("i4", 2).metadata_json(2) == np.dtype("=i4").str
    assert data_type_from_json("int32", 3).to_native().isnative


# -- parse_data_type ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dtype_like", "expected"),
    [
        (str, VariableStringType()),
        ("str", VariableStringType()),
        ("string", VariableStringType()),
        (np.dtypes.StringDType(), VariableStringType()),
        (np.dtype(str), VariableStringType()),
        (bytes, VariableBytesType()),
        ("variable_length_bytes", VariableBytesType()),
        (int, numeric_type("int64")),
        (float, numeric_type("float64")),
        (bool, numeric_type("bool")),
        (complex, numeric_type("complex128")),
        (np.float32, numeric_type("float32")),
        ("<f4", numeric_type("float32")),
        ("float32", numeric_type("float32")),
        ("U7", FixedUTF32Type(7)),
        ("S3", NullTerminatedBytesType(3)),
        ("V2", RawBytesType(2)),
        ("r16", RawBytesType(2, "r")),
        ("datetime64[ns]", time_type("datetime", "ns")),
        ("m8[10s]", time_type("timedelta", "s", 10)),
        (
            {"name": "numpy.datetime64", "configuration": {"unit": "s", "scale_factor": 5}},
            time_type("datetime", "s", 5),
        ),
        ([["a", "<i4"], ["b", "|S2"]], parse_data_type(np.dtype([("a", "i4"), ("b", "S2")]))),
    ],
    ids=repr,
)
def test_parse_data_type(dtype_like: Any, expected: DataType) -> None:
    assert parse_data_type(dtype_like, 3) == expected


@pytest.mark.parametrize("bad", ["float33", "O", object, "|O", {"name": "nope"}, "r12", 3.5])
def test_unknown_data_types_are_named(bad: Any) -> None:
    with pytest.raises(UnknownDataTypeError) as info:
        parse_data_type(bad, 3)
    assert isinstance(info.value, ValueError)
    message = str(info.value)
    assert repr(bad) in message or "ambiguous" in message


def test_v2_object_dtype_needs_an_object_codec() -> None:
    with pytest.raises(UnknownDataTypeError, match="vlen-utf8"):
        data_type_from_json("|O", 2)
    with pytest.raises(UnknownDataTypeError, match="pickle"):
        data_type_from_json("|O", 2, object_codec_id="pickle")
    assert data_type_from_json("|O", 2, object_codec_id="vlen-utf8") == VariableStringType()


def test_v2_structured_with_subarray_and_nesting() -> None:
    json_v2 = [["a", "<i4", [2]], ["b", [["c", "|u1"], ["d", ">f8"]]]]
    dt = data_type_from_json(json_v2, 2)
    assert isinstance(dt, StructuredType)
    assert dt.metadata_json(2) == json_v2
    assert dt.to_native() == np.dtype([("a", "<i4", (2,)), ("b", [("c", "u1"), ("d", ">f8")])])
    with pytest.raises(MetadataError, match="sub-array"):
        dt.metadata_json(3)


def test_structured_with_padding_is_refused() -> None:
    with pytest.raises(UnknownDataTypeError, match="padding"):
        parse_data_type(np.dtype([("a", "u1"), ("b", "<i4")], align=True), 2)


def test_tensorstore_float_types() -> None:
    ml_dtypes = pytest.importorskip("ml_dtypes")
    dt = data_type_from_json("bfloat16", 3)
    assert dt.to_native() == np.dtype(ml_dtypes.bfloat16)
    assert dt.metadata_json(2) == "bfloat16"
    nan = dt.fill_value_from_json("NaN", 3)
    assert math.isnan(float(nan))
    assert dt.fill_value_to_json(nan, 3) == "NaN"
    payload = dt.fill_value_from_json("0x7fc1", 3)
    assert dt.fill_value_to_json(payload, 3) == "0x7fc1"
    assert data_type_from_json("float8_e4m3fn", 3).item_size == 1


# -- fill value encodings -------------------------------------------------------------


def _bits(value: Any) -> bytes:
    return np.asarray(value).tobytes()


@pytest.mark.parametrize(
    ("dtype", "zarr_format", "json_value", "bits"),
    [
        ("float32", 3, "NaN", bytes.fromhex("0000c07f")),
        ("float32", 3, "0x7fc00001", bytes.fromhex("0100c07f")),
        ("float32", 3, "0xffc00000", bytes.fromhex("0000c0ff")),
        ("float32", 3, "Infinity", np.float32(np.inf).tobytes()),
        ("float32", 2, "-Infinity", np.float32(-np.inf).tobytes()),
        ("float32", 3, "0x3c00", np.float32(1.0).tobytes()),  # float16 hex, then cast
        ("float64", 3, "0x3ff0000000000000", np.float64(1.0).tobytes()),
        ("float64", 2, -0.0, np.float64(-0.0).tobytes()),
        ("float64", 3, "1.25", np.float64(1.25).tobytes()),
        ("float16", 3, 1e10, np.float16(np.inf).tobytes()),
        ("int16", 3, 7.0, np.int16(7).tobytes()),
        ("uint64", 2, 18446744073709551615, np.uint64(2**64 - 1).tobytes()),
        ("bool", 2, True, b"\x01"),
        ("M8[ns]", 3, "NaT", np.int64(np.iinfo(np.int64).min).tobytes()),
        ("m8[s]", 2, 42, np.int64(42).tobytes()),
        ("S4", 2, "YWI=", b"ab\x00\x00"),
        ("V2", 3, "AQI=", b"\x01\x02"),
        ("r16", 3, [1, 2], b"\x01\x02"),
        ("U2", 3, "hé", np.array("hé", dtype="U2").tobytes()),
    ],
)
def test_fill_value_encodings(dtype: str, zarr_format: int, json_value: Any, bits: bytes) -> None:
    dt = parse_data_type(dtype, zarr_format)
    value = dt.fill_value_from_json(json_value, zarr_format)
    assert np.asarray(value, dtype=dt.to_native()).tobytes() == bits


@pytest.mark.parametrize(
    ("dtype", "zarr_format", "value", "expected"),
    [
        ("float32", 3, np.frombuffer(bytes.fromhex("0100c07f"), "<f4")[0], "0x7fc00001"),
        ("float32", 2, np.frombuffer(bytes.fromhex("0100c07f"), "<f4")[0], "NaN"),
        ("float64", 3, float("nan"), "NaN"),
        ("float64", 3, -0.0, -0.0),
        ("complex64", 3, complex(float("nan"), -np.inf), ["NaN", "-Infinity"]),
        ("complex128", 2, 1 + 2j, [1.0, 2.0]),
        ("M8[ns]", 3, np.datetime64("NaT"), -(2**63)),
        ("M8[s]", 3, "1970-01-01T00:01:00", 60),
        (bytes, 3, b"\x00\xff", "AP8="),
        (str, 2, "ünï", "ünï"),
        ("S3", 3, b"abc", "YWJj"),
        ("S4", 2, b"ab", "YWIAAA=="),  # padded, so that TensorStore reads it too
    ],
)
def test_fill_value_to_json(dtype: Any, zarr_format: int, value: Any, expected: Any) -> None:
    dt = parse_data_type(dtype, zarr_format)
    assert dt.fill_value_to_json(value, zarr_format) == expected


def test_null_fill_values() -> None:
    dt = parse_data_type("int8", 2)
    assert dt.fill_value_from_json(None, 2) is None
    assert dt.fill_value_to_json(None, 2) is None
    with pytest.raises(MetadataError, match="requires a fill value"):
        dt.fill_value_from_json(None, 3)


@pytest.mark.parametrize(
    ("dtype", "json_value"),
    [
        ("int8", 128),
        ("uint8", -1),
        ("int32", 1.5),
        ("int32", "x"),
        ("float32", "NAN!"),
        ("float32", "0x7fc0000"),
        ("float32", [1.0]),
        ("complex64", 1.0),
        ("bool", "yes"),
        ("S2", "not base64!"),
        ("S2", "YWJj"),  # 3 bytes into 2
        ("U2", "abc"),
        ("M8[s]", 1.5),
        ("V2", "AQ=="),  # 1 byte into 2
    ],
)
def test_invalid_fill_values_are_refused(dtype: str, json_value: Any) -> None:
    dt = parse_data_type(dtype, 3)
    with pytest.raises(MetadataError) as info:
        dt.fill_value_from_json(json_value, 3)
    assert repr(json_value) in str(info.value)


def test_fill_values_compare_by_bytes() -> None:
    f8 = parse_data_type("float64")
    assert fill_value_equal(float("nan"), np.float64("nan"), f8)
    assert not fill_value_equal(0.0, -0.0, f8)
    assert not fill_value_equal(None, 0.0, f8)
    assert fill_value_equal(None, None, f8)
    s = parse_data_type(str)
    assert fill_value_equal("a", np.str_("a"), s)


# -- Hypothesis: round trips, and agreement with zarr-python's own conversions -----------

_FIXED = [
    "bool", "int8", "uint16", "int64", "uint64", "float16", "float32", "float64",
    "complex64", "complex128", "U3", "S4", "V3", "M8[ns]", "m8[10ms]",
    np.dtype([("a", "<i2"), ("b", "S2")]),
]  # fmt: skip


def _values(native: np.dtype[Any]) -> st.SearchStrategy[Any]:
    if native.kind in "SV" or native.fields is not None:
        raw = st.binary(min_size=native.itemsize, max_size=native.itemsize)
        return raw.map(lambda b: np.frombuffer(b, dtype=native)[0])
    if native.kind == "U":
        alphabet = st.characters(exclude_categories=["Cs"], exclude_characters="\x00")
        return st.text(alphabet, max_size=native.itemsize // 4).map(np.str_)
    return hnp.from_dtype(native)


@pytest.mark.parametrize("zarr_format", [2, 3])
@pytest.mark.parametrize("dtype", _FIXED, ids=_case_id)
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_fill_value_round_trip(dtype: Any, zarr_format: int, data: st.DataObject) -> None:
    dt = parse_data_type(dtype, zarr_format)
    value = data.draw(_values(dt.to_native().newbyteorder("=")))
    encoded = dt.fill_value_to_json(value, zarr_format)
    decoded = dt.fill_value_from_json(encoded, zarr_format)
    if zarr_format == 2 and dt.to_native().kind in "fc" and np.isnan(value).any():
        # v2 has one NaN spelling, so payloads reduce to the default NaN.
        assert np.isnan(decoded).all() == np.isnan(value).all()
    else:
        assert fill_value_equal(decoded, value, dt)


@pytest.mark.parametrize("zarr_format", [2, 3])
@pytest.mark.parametrize("dtype", _FIXED[:13], ids=_case_id)
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_fill_json_agrees_with_zarr_python(
    dtype: Any, zarr_format: int, data: st.DataObject
) -> None:
    from zarr.core.dtype import get_data_type_from_native_dtype

    dt = parse_data_type(dtype, zarr_format)
    value = data.draw(_values(dt.to_native().newbyteorder("=")))
    if dt.to_native().kind in "fc" and np.isnan(value).any():
        return  # zarr-python writes every NaN as "NaN"; payload encoding is tested above
    theirs = get_data_type_from_native_dtype(dt.to_native())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = theirs.to_json_scalar(value, zarr_format=zarr_format)
        ours = dt.fill_value_to_json(value, zarr_format)
        if dt.to_native().kind != "S":  # zarr-python strips the padding we keep
            assert ours == (list(expected) if isinstance(expected, tuple) else expected)
        back = theirs.from_json_scalar(ours, zarr_format=zarr_format)
    assert fill_value_equal(back, value, dt)


@settings(max_examples=50, deadline=None)
@given(st.text(max_size=20), st.binary(max_size=20))
def test_variable_length_fill_round_trip(text: str, raw: bytes) -> None:
    s, b = VariableStringType(), VariableBytesType()
    for zarr_format in (2, 3):
        assert s.fill_value_from_json(s.fill_value_to_json(text, zarr_format), zarr_format) == text
        assert b.fill_value_from_json(b.fill_value_to_json(raw, zarr_format), zarr_format) == raw


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 64), st.sampled_from(["Y", "D", "h", "s", "ms", "ns"]))
def test_time_types_round_trip_json(scale: int, unit: str) -> None:
    for kind in ("datetime", "timedelta"):
        dt = time_type(kind, unit, scale)  # type: ignore[arg-type]
        for zarr_format in (2, 3):
            assert data_type_from_json(dt.metadata_json(zarr_format), zarr_format) == dt
        assert dt.to_native() == np.dtype(f"{'M' if kind == 'datetime' else 'm'}8[{scale}{unit}]")
