"""zarr-python's data type API (``zarr.dtype``, ``zarr.core.dtype``) over zarrdist's
data types, each answer compared with zarr-python 3.1.5's own."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest
import zarr.core.dtype as peer

import zarrdist.core.dtype as ours
from zarrdist.core.dtype.npy import common as ours_common
from zarrdist.dtype.datatypes import DataType, parse_data_type
from zarrdist.errors import UnstableSpecificationWarning

NATIVE_DTYPES = [
    "bool",
    "i1",
    ">i2",
    "<i4",
    ">u8",
    "<f2",
    ">f4",
    "<c8",
    ">c16",
    ">U3",
    "<U1",
    "S4",
    "V2",
    ">M8[10s]",
    "<m8[us]",
    "M8",
    [("a", "<f8"), ("b", "i1")],
]


def _both(dtype: Any) -> tuple[DataType, Any]:
    native = np.dtype(dtype)
    return ours.get_data_type_from_native_dtype(native), peer.get_data_type_from_native_dtype(
        native
    )


@pytest.mark.parametrize("dtype", NATIVE_DTYPES, ids=str)
@pytest.mark.parametrize("zarr_format", [2, 3])
def test_json_and_class_match_zarr_python(dtype: Any, zarr_format: int) -> None:
    mine, theirs = _both(dtype)
    assert getattr(ours, type(theirs).__name__) is type(mine)
    assert repr(mine) == repr(theirs)
    assert mine.to_native_dtype() == theirs.to_native_dtype()
    assert mine.endianness == getattr(theirs, "endianness", None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = theirs.to_json(zarr_format=zarr_format)
        assert mine.to_json(zarr_format) == expected  # type: ignore[arg-type]
    # v3 JSON has no byte order (the bytes codec holds it): compare what it names.
    for parsed in (
        ours.get_data_type_from_json(expected, zarr_format=zarr_format),  # type: ignore[arg-type]
        type(mine).from_json(expected, zarr_format=zarr_format),  # type: ignore[arg-type]
    ):
        assert type(parsed) is type(mine)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            assert parsed.to_json(zarr_format) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize("dtype", NATIVE_DTYPES, ids=str)
def test_default_scalar_and_its_json_match_zarr_python(dtype: Any) -> None:
    mine, theirs = _both(dtype)
    for zarr_format in (2, 3):
        theirs_json = theirs.to_json_scalar(theirs.default_scalar(), zarr_format=zarr_format)
        mine_json = mine.to_json_scalar(mine.default_scalar(), zarr_format=zarr_format)
        if np.dtype(dtype).kind == "S":
            # zarrdist keeps the null padding ("AAAAAA==" for S4), which TensorStore
            # needs; zarr-python writes "" and reads either as the same stored bytes.
            decoded = theirs.from_json_scalar(mine_json, zarr_format=zarr_format)
            native = theirs.to_native_dtype()
            stored = np.array(decoded, dtype=native).tobytes()
            assert stored == np.array(theirs.default_scalar(), dtype=native).tobytes()
            continue
        assert mine_json == theirs_json


def test_a_class_claims_only_its_own_type() -> None:
    with pytest.raises(ours.DataTypeValidationError):
        ours.Int32.from_json("int8", zarr_format=3)
    with pytest.raises(ours.DataTypeValidationError):
        ours.Int32.from_native_dtype(np.dtype("i1"))
    assert not ours.DateTime64._check_native_dtype(np.dtype("m8[s]"))
    assert ours.VariableLengthBytes.from_native_dtype(np.dtype("O")) == ours.VariableLengthBytes()


def test_parse_dtype_keeps_byte_order_as_zarr_python() -> None:
    for spec in (">i4", np.dtype("<u2"), "int32", ">M8[s]"):
        mine = ours.parse_dtype(spec, zarr_format=3)
        assert mine.to_json(2) == peer.parse_dtype(spec, zarr_format=3).to_json(zarr_format=2)
    # What array metadata stores in v3 is still native order (the bytes codec has the rest).
    assert parse_data_type(">i4", 3) == ours.Int32()


@pytest.mark.parametrize(
    ("make", "value"),
    [
        (lambda m: m.Bool(), "false"),
        (lambda m: m.Bool(), 0),
        (lambda m: m.NullTerminatedBytes(length=4), "abcdefg"),
        (lambda m: m.Int16(), 7.0),
        (lambda m: m.Float32(), "1.5"),
        (lambda m: m.DateTime64(unit="s"), "2005-02-25"),
    ],
)
def test_cast_scalar_matches_zarr_python(make: Any, value: Any) -> None:
    assert make(ours).cast_scalar(value) == make(peer).cast_scalar(value)


@pytest.mark.parametrize(
    ("make", "value"),
    [
        (lambda m: m.Int8(), {"set!"}),
        (lambda m: m.Complex64(), {"type": "dict"}),
        (lambda m: m.NullTerminatedBytes(length=1), 1.0),
        (lambda m: m.DateTime64(unit="Y"), [1.3]),
    ],
)
def test_cast_scalar_refuses_as_zarr_python(make: Any, value: Any) -> None:
    with pytest.raises(TypeError, match="Cannot convert object"):
        make(peer).cast_scalar(value)
    with pytest.raises(TypeError, match="Cannot convert object"):
        make(ours).cast_scalar(value)


def test_registry_matches_and_misses_as_zarr_python() -> None:
    registry = ours.DataTypeRegistry()
    registry.register("bool", ours.Bool)
    assert registry.match_dtype(np.dtype("bool")) == ours.Bool()
    with pytest.raises(ValueError, match="No Zarr data type found"):
        registry.match_dtype(np.dtype("int8"))
    with pytest.raises(ValueError, match="No Zarr data type found"):
        registry.match_json("int8", zarr_format=3)
    mine = sorted(ours.data_type_registry.contents)
    assert mine == sorted(peer.data_type_registry.contents)


def test_unstable_types_warn_in_v3_as_zarr_python() -> None:
    for name in ("NullTerminatedBytes", "RawBytes", "FixedLengthUTF32"):
        with pytest.warns(UnstableSpecificationWarning):
            getattr(ours, name)(length=2).to_json(3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ours.Int32().to_json(3)
        ours.VariableLengthUTF8().to_json(3)


@pytest.mark.parametrize("value", [1.5, float("nan"), float("inf"), -float("inf")])
def test_float_helpers_match_zarr_python(value: float) -> None:
    from zarr.core.dtype.npy import common as peer_common

    for name in ("float_to_json_v2", "float_to_json_v3"):
        assert getattr(ours_common, name)(value) == getattr(peer_common, name)(value)
    for name in ("complex_float_to_json_v2", "complex_float_to_json_v3"):
        pair = complex(value, 2.0)
        assert getattr(ours_common, name)(pair) == getattr(peer_common, name)(pair)
    encoded = peer_common.float_to_json_v3(value)
    np.testing.assert_equal(
        ours_common.float_from_json_v3(encoded), peer_common.float_from_json_v3(encoded)
    )
