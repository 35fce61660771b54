"""The v2 chain: numcodecs applied by hand, and zarr-python 3.1.5's v2 chunks."""

from __future__ import annotations

import json
import pickle
import warnings
from typing import Any, Literal

import numcodecs
import numpy as np
import pytest
import zarr
from numcodecs.compat import ensure_bytes

from zarrdist.codecs import ArraySpec, V2Codec
from zarrdist.config import config
from zarrdist.errors import ChecksumError, CodecError, UnknownCodecError

FILTERS: list[list[dict[str, Any]] | None] = [
    None,
    [{"id": "delta", "dtype": "DTYPE"}],
    [{"id": "fixedscaleoffset", "offset": 5, "scale": 10, "dtype": "DTYPE", "astype": "<i4"}],
]
COMPRESSORS: list[dict[str, Any] | None] = [
    None,
    {"id": "blosc", "cname": "lz4", "clevel": 5, "shuffle": 1, "blocksize": 0},
    {"id": "blosc", "cname": "zstd", "clevel": 3, "shuffle": 2, "blocksize": 0},
    {"id": "zlib", "level": 4},
    {"id": "lz4", "acceleration": 1},
    {"id": "bz2", "level": 2},
    {"id": "lzma", "preset": 1},
    {"id": "zstd", "level": 3},
    {"id": "zstd", "level": 1, "checksum": True},
]


def _field(dtype: str, shape: tuple[int, ...] = (6, 7)) -> np.ndarray[Any, Any]:
    x = np.linspace(0, 3, int(np.prod(shape))).reshape(shape)
    return (np.cos(x) * 50).astype(dtype)


def _by_hand(
    arr: np.ndarray[Any, Any],
    filters: list[dict[str, Any]] | None,
    compressor: dict[str, Any] | None,
    order: Literal["C", "F"],
) -> bytes:
    chunk: Any = arr.astype(arr.dtype, order=order)
    for f in filters or ():
        chunk = numcodecs.get_codec(dict(f)).encode(chunk)
    if compressor is not None:
        chunk = numcodecs.get_codec(dict(compressor)).encode(chunk)
    return bytes(ensure_bytes(chunk))


def _with_dtype(filters: list[dict[str, Any]] | None, dtype: str) -> Any:
    if filters is None:
        return None
    return [{k: (dtype if v == "DTYPE" else v) for k, v in f.items()} for f in filters]


@pytest.mark.parametrize("dtype", ["<f8", ">f8", "<i4"])
@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: f[0]["id"] if f else "nofilter")
@pytest.mark.parametrize("compressor", COMPRESSORS, ids=lambda c: json.dumps(c))
def test_equals_numcodecs_by_hand(
    dtype: str, order: Literal["C", "F"], filters: Any, compressor: dict[str, Any] | None
) -> None:
    arr = _field(dtype)
    filters = _with_dtype(filters, dtype)
    codec = V2Codec(filters=filters, compressor=compressor, order=order)
    spec = ArraySpec(arr.shape, arr.dtype, order=order)
    ours = bytes(codec.encode(arr, spec))
    assert ours == _by_hand(arr, filters, compressor, order)
    back = codec.decode(ours, spec)
    assert back.dtype == arr.dtype
    assert back.flags.f_contiguous if order == "F" else back.flags.c_contiguous
    if filters and filters[0]["id"] == "fixedscaleoffset":
        np.testing.assert_allclose(back, arr, atol=0.051)
    elif filters and arr.dtype.kind == "f":
        # Delta on floats rounds in the cumulative sum: close, not bit-identical.
        np.testing.assert_allclose(back, arr, rtol=1e-12, atol=1e-12)
    else:
        assert back.tobytes(order="A") == arr.astype(arr.dtype, order=order).tobytes(order="A")
    # Input in the "other" layout encodes the same: layout is the codec's business.
    other = np.asfortranarray(arr) if order == "C" else np.ascontiguousarray(arr)
    assert bytes(codec.encode(other, spec)) == ours


@pytest.mark.parametrize(
    ("dtype", "order", "filters", "compressor"),
    [
        ("<f8", "C", None, {"id": "zstd", "level": 0, "checksum": False}),
        (">f8", "F", None, {"id": "blosc", "cname": "lz4", "clevel": 5, "shuffle": 1}),
        ("<i4", "F", [{"id": "delta", "dtype": "<i4"}], {"id": "zlib", "level": 1}),
        ("<u2", "C", [{"id": "delta", "dtype": "<u2"}], None),
    ],
)
def test_equals_zarr_python_v2_chunks(
    dtype: str, order: Literal["C", "F"], filters: Any, compressor: dict[str, Any] | None
) -> None:
    arr = _field(dtype)
    store = zarr.storage.MemoryStore()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        z = zarr.create_array(
            store,
            shape=arr.shape,
            chunks=arr.shape,
            dtype=arr.dtype,
            zarr_format=2,
            order=order,
            filters=[numcodecs.get_codec(dict(f)) for f in filters] if filters else None,
            compressors=numcodecs.get_codec(dict(compressor)) if compressor else None,
            fill_value=0,
        )
        z[...] = arr
    zarray = json.loads(store._store_dict[".zarray"].to_bytes())
    theirs = store._store_dict["0.0"].to_bytes()
    codec = V2Codec(filters=zarray["filters"], compressor=zarray["compressor"], order=order)
    spec = ArraySpec(arr.shape, np.dtype(zarray["dtype"]), order=order)
    assert bytes(codec.encode(arr, spec)) == theirs
    assert codec.filters_json() == zarray["filters"]
    assert codec.compressor_json() == zarray["compressor"]
    assert codec.decode(theirs, spec).tobytes(order="A") == arr.astype(
        spec.dtype, order=order
    ).tobytes(order="A")


def test_json_forms_are_numcodecs_get_config() -> None:
    codec = V2Codec(filters=({"id": "delta", "dtype": "<i4"},), compressor={"id": "zstd"})
    assert codec.filters_json() == [numcodecs.Delta(dtype="<i4").get_config()]
    # zarr-python drops a false zstd checksum from .zarray (its issue #2647).
    assert codec.compressor_json() == {"id": "zstd", "level": 0}
    assert V2Codec(compressor={"id": "zstd", "checksum": True}).compressor_json() == {
        "id": "zstd",
        "level": 0,
        "checksum": True,
    }
    assert V2Codec().filters_json() is None
    assert V2Codec().compressor_json() is None
    same = V2Codec.from_json(codec.to_json()["configuration"])
    assert same.filters_json() == codec.filters_json()
    objects = V2Codec(filters=[numcodecs.Delta(dtype="<i4")], compressor=numcodecs.Zstd())
    assert objects == same
    assert hash(objects) == hash(same)
    assert pickle.loads(pickle.dumps(codec)) == codec


@pytest.mark.parametrize("object_codec", ["vlen-utf8", "json2", "msgpack2"])
def test_object_arrays_need_and_use_an_object_codec(object_codec: str) -> None:
    arr = np.array(["a", "bb", "", "ccé"], dtype=object).reshape(2, 2)
    spec = ArraySpec(arr.shape, np.dtype(object))
    codec = V2Codec(filters=({"id": object_codec},), compressor={"id": "zlib", "level": 1})
    encoded = codec.encode(arr, spec)
    filt = numcodecs.get_codec({"id": object_codec})
    assert bytes(encoded) == bytes(numcodecs.Zlib(1).encode(filt.encode(arr)))
    assert codec.decode(encoded, spec).tolist() == arr.tolist()
    as_strings = codec.decode(encoded, ArraySpec(arr.shape, np.dtypes.StringDType()))
    assert as_strings.dtype == np.dtypes.StringDType()
    with pytest.raises(CodecError, match="object codec"):
        V2Codec(compressor={"id": "zlib"}).encode(arr, spec)


def test_string_dtype_input_goes_through_object_codec() -> None:
    arr = np.array(["x", "yz"], dtype=np.dtypes.StringDType())
    codec = V2Codec(filters=({"id": "vlen-utf8"},))
    encoded = codec.encode(arr, ArraySpec(arr.shape, arr.dtype))
    assert bytes(encoded) == bytes(numcodecs.VLenUTF8().encode(arr.astype(object)))


def test_pickle_refused_unless_allowed() -> None:
    with pytest.raises(UnknownCodecError, match="allow_pickle") as info:
        V2Codec(filters=({"id": "pickle"},))
    assert info.value.codec == "pickle"
    arr = np.array([{"a": 1}, [2]], dtype=object)
    spec = ArraySpec(arr.shape, arr.dtype)
    with config.set({"codecs.allow_pickle": True}):
        codec = V2Codec(filters=({"id": "pickle", "protocol": 5},))
        assert codec.decode(codec.encode(arr, spec), spec).tolist() == arr.tolist()


def test_errors_name_the_failing_codec() -> None:
    spec = ArraySpec((4,), np.dtype("<f8"))
    with pytest.raises(CodecError) as info:
        V2Codec(compressor={"id": "zlib"}).decode(b"garbage!", spec)
    assert info.value.codec == "zlib"
    assert info.value.key is None
    with pytest.raises(CodecError) as info:
        V2Codec(compressor={"id": "blosc"}).decode(b"\x00" * 40, spec)
    assert info.value.codec == "blosc"
    with pytest.raises(CodecError, match="expected 4"):
        V2Codec().decode(np.zeros(3).tobytes(), spec)
    with pytest.raises(CodecError, match="multiple"):
        V2Codec().decode(b"\x00" * 9, spec)
    with pytest.raises(UnknownCodecError):
        V2Codec(compressor={"id": "no-such-codec"})
    with pytest.raises(CodecError):
        V2Codec(compressor={"id": "zlib", "level": "high", "x": 1})
    with pytest.raises(CodecError, match="order"):
        V2Codec(order="K")  # type: ignore[arg-type]
    encoded = bytearray(V2Codec(compressor={"id": "crc32c"}).encode(np.zeros(4), spec))
    encoded[0] ^= 1
    with pytest.raises(ChecksumError):
        V2Codec(compressor={"id": "crc32c"}).decode(bytes(encoded), spec)
