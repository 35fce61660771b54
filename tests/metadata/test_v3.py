"""v3 ``zarr.json``: byte-equal to zarr-python 3.1.5, validation that reports every problem."""

from __future__ import annotations

import json
import warnings
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.metadata._peers import ZARR_DTYPE_CASES, pad_bytes_fill, zarr_documents
from zarrdist.chunking.grid import DefaultChunkKeyEncoding, V2ChunkKeyEncoding
from zarrdist.codecs import ShardingCodec, codec_from_json
from zarrdist.dtype.datatypes import fill_value_equal, parse_data_type
from zarrdist.errors import MetadataError, UnknownCodecError, UnknownDataTypeError
from zarrdist.metadata import ArrayMetadataV3, GroupMetadataV3, parse_node_metadata


def _ours(documents: dict[str, Any]) -> ArrayMetadataV3:
    meta = parse_node_metadata({"zarr.json": documents["zarr.json:bytes"]})
    assert isinstance(meta, ArrayMetadataV3)
    return meta


@pytest.mark.parametrize("dtype", ZARR_DTYPE_CASES, ids=str)
def test_every_dtype_round_trips_zarr_python_bytes(dtype: Any) -> None:
    documents = zarr_documents(dtype, 3)
    expected = pad_bytes_fill(documents["zarr.json:bytes"])
    assert _ours(documents).to_documents() == {"zarr.json": expected}


_CONFIGS: list[dict[str, Any]] = [
    {"dtype": "f4", "fill_value": float("nan"), "attributes": {"a": [1, {"b": None}]}},
    {"dtype": "f8", "fill_value": -np.inf, "dimension_names": ("x", None)},
    {"dtype": ">i2", "compressors": {"name": "gzip", "configuration": {"level": 4}}},
    {"dtype": "u2", "compressors": None, "filters": None},
    {
        "dtype": "i4",
        "filters": [{"name": "transpose", "configuration": {"order": [1, 0]}}],
        "compressors": [
            {
                "name": "blosc",
                "configuration": {"cname": "zstd", "clevel": 3, "shuffle": "shuffle"},
            },
            {"name": "crc32c"},
        ],
    },
    {
        "dtype": "u1",
        "shards": (4, 4),
        "compressors": {"name": "zstd", "configuration": {"level": 1}},
    },
    {"dtype": "i8", "chunk_key_encoding": {"name": "v2", "separator": "."}},
    {"dtype": "f4", "chunk_key_encoding": {"name": "default", "separator": "."}},
    {"dtype": str, "compressors": None, "fill_value": "\u00e9t\u00e9"},
    {"dtype": "c8", "fill_value": complex(1.5, float("nan"))},
    {"dtype": "M8[s]", "fill_value": np.datetime64("2000-01-01T00:00:00")},
]


@pytest.mark.parametrize("config", _CONFIGS, ids=lambda c: repr(c)[:60])
def test_configurations_round_trip_zarr_python_bytes(config: dict[str, Any]) -> None:
    config = dict(config)
    dtype = config.pop("dtype")
    documents = zarr_documents(dtype, 3, shape=(8, 8), chunks=(2, 2), **config)
    meta = _ours(documents)
    assert meta.to_documents()["zarr.json"] == documents["zarr.json:bytes"]
    assert ArrayMetadataV3.from_json(meta.to_json()) == meta


def test_constructed_metadata_equals_zarr_python() -> None:
    documents = zarr_documents("int16", 3, shape=(10, 7), chunks=(4, 4), compressors=None)
    meta = ArrayMetadataV3(shape=(10, 7), data_type="int16", chunk_shape=(4, 4))
    assert meta.to_documents()["zarr.json"] == documents["zarr.json:bytes"]
    strings = zarr_documents(str, 3, compressors=None)
    made = ArrayMetadataV3(shape=(3,), data_type=str, chunk_shape=(2,))
    assert made.to_documents()["zarr.json"] == strings["zarr.json:bytes"]


def test_array_interface() -> None:
    sharding = codec_from_json(
        {
            "name": "sharding_indexed",
            "configuration": {"chunk_shape": [2, 5], "codecs": [{"name": "bytes"}]},
        }
    )
    meta = ArrayMetadataV3(
        shape=(9, 20),
        data_type=">f4",
        chunk_shape=(4, 10),
        codecs=(sharding,),
        fill_value=1.5,
        dimension_names=("y", "x"),
    )
    assert meta.dtype == np.dtype("=f4")  # v3 decodes to native order
    assert meta.is_sharded
    assert isinstance(meta.codec_chain.array_bytes, ShardingCodec)
    assert (meta.chunk_shape, meta.inner_chunk_shape) == ((4, 10), (2, 5))
    assert (meta.chunks, meta.shards) == ((2, 5), (4, 10))
    assert meta.grid_shape == (3, 2)
    assert meta.nchunks == 6
    assert meta.chunk_key((2, 1)) == "c/2/1"
    spec = meta.chunk_spec()
    assert (spec.shape, spec.dtype, spec.fill_value, spec.order) == ((4, 10), meta.dtype, 1.5, "C")
    grown = meta.with_shape((12, 20))
    assert grown.shape == (12, 20)
    assert grown.to_json() == {**meta.to_json(), "shape": [12, 20]}
    labelled = meta.with_attributes({"units": "m"})
    assert labelled.attributes == {"units": "m"}
    assert meta.attributes == {}
    with pytest.raises(MetadataError, match="attributes"):
        meta.with_attributes({"bad": object()})


def test_transpose_before_sharding_keeps_shard_granularity() -> None:
    codecs = [
        {"name": "transpose", "configuration": {"order": [1, 0]}},
        {"name": "sharding_indexed", "configuration": {"chunk_shape": [2, 2]}},
    ]
    meta = ArrayMetadataV3(shape=(8, 8), data_type="u1", chunk_shape=(4, 4), codecs=codecs)
    assert meta.is_sharded
    assert meta.inner_chunk_shape == (4, 4)


def test_fill_values_compare_by_bytes_in_metadata() -> None:
    nan = ArrayMetadataV3(shape=(2,), data_type="f4", chunk_shape=(2,), fill_value=float("nan"))
    assert nan == ArrayMetadataV3(shape=(2,), data_type="f4", chunk_shape=(2,), fill_value="NaN")
    zero = ArrayMetadataV3(shape=(2,), data_type="f4", chunk_shape=(2,), fill_value=0.0)
    assert zero != ArrayMetadataV3(shape=(2,), data_type="f4", chunk_shape=(2,), fill_value=-0.0)
    assert len({nan, zero}) == 2


def _valid() -> dict[str, Any]:
    return ArrayMetadataV3(shape=(4,), data_type="int32", chunk_shape=(2,)).to_json()


def test_every_problem_is_reported_with_the_key() -> None:
    document = {
        **_valid(),
        "shape": [4, -1],
        "chunk_key_encoding": {"name": "fancy"},
        "attributes": [1],
        "dimension_names": [1],
        "storage_transformers": [{"name": "x"}],
        "zarr_format": 2,
        "mystery": 1,
    }
    del document["fill_value"]
    with pytest.raises(MetadataError) as info:
        ArrayMetadataV3.from_json(document, key="a/b/zarr.json")
    locs = {p.loc for p in info.value.problems}
    assert locs == {
        "fill_value",
        "zarr_format",
        "shape",
        "chunk_key_encoding",
        "attributes",
        "dimension_names",
        "storage_transformers",
        "mystery",
    }
    assert info.value.key == "a/b/zarr.json"
    assert "a/b/zarr.json" in str(info.value)
    assert "storage transformers are not supported" in str(info.value)


def test_unknown_data_type_is_an_unknown_data_type_error() -> None:
    document = {**_valid(), "data_type": "int128", "attributes": 5}
    with pytest.raises(UnknownDataTypeError) as info:
        ArrayMetadataV3.from_json(document)
    assert "int128" in str(info.value)
    assert {p.loc for p in info.value.problems} == {"data_type", "attributes"}


def test_unknown_codec_names_codec_and_key() -> None:
    document = {**_valid(), "codecs": [{"name": "bytes"}, {"name": "lzma9000"}]}
    raw = json.dumps(document).encode()
    with pytest.raises(UnknownCodecError) as info:
        parse_node_metadata({"zarr.json": raw}, key_prefix="grp/arr")
    assert info.value.codec == "lzma9000"
    assert info.value.key == "grp/arr/zarr.json"
    assert "codecs.1" in str(info.value)


def test_invalid_codec_chain_is_a_problem() -> None:
    document = {**_valid(), "codecs": [{"name": "gzip", "configuration": {"level": 1}}]}
    with pytest.raises(MetadataError) as info:
        ArrayMetadataV3.from_json(document)
    assert [p.loc for p in info.value.problems] == ["codecs"]


@pytest.mark.parametrize("raw", [b"[1, 2]", b'"zarr"', b"null", b"{not json"])
def test_zarr_json_that_is_not_an_object(raw: bytes) -> None:
    with pytest.raises(MetadataError) as info:
        parse_node_metadata({"zarr.json": raw}, key_prefix="x")
    assert info.value.key == "x/zarr.json"


def test_extension_fields() -> None:
    extension = {"must_understand": False, "payload": [1, 2]}
    document = {**_valid(), "my_extension": extension}
    meta = ArrayMetadataV3.from_json(document)
    assert meta.extra_fields == {"my_extension": extension}
    assert meta.to_json() == document
    assert list(meta.to_json())[-1] == "my_extension"
    for bad in ({"must_understand": True}, {"payload": 1}, "text"):
        with pytest.raises(MetadataError, match="must_understand"):
            ArrayMetadataV3.from_json({**_valid(), "my_extension": bad})
    with pytest.raises(MetadataError, match="collides"):
        ArrayMetadataV3(shape=(1,), data_type="u1", chunk_shape=(1,), extra_fields={"shape": {}})


def test_tensorstore_style_documents_parse() -> None:
    document = {
        "chunk_grid": {"configuration": {"chunk_shape": [2]}, "name": "regular"},
        "chunk_key_encoding": {"name": "default"},
        "codecs": [{"name": "bytes"}],
        "data_type": "float32",
        "fill_value": "0x7fc00001",
        "node_type": "array",
        "shape": [3],
        "zarr_format": 3,
    }
    meta = ArrayMetadataV3.from_json(document)
    assert meta.chunk_key_encoding == DefaultChunkKeyEncoding("/")
    assert meta.fill_value.tobytes() == bytes.fromhex("0100c07f")
    assert meta.to_json()["fill_value"] == "0x7fc00001"
    assert meta.to_json()["codecs"] == [{"name": "bytes", "configuration": {"endian": "little"}}]


def test_groups() -> None:
    documents = {}
    import zarr
    from zarr.storage import MemoryStore

    store = MemoryStore()
    zarr.open_group(store, mode="w", zarr_format=3, attributes={"k": [1.5, "NaN"]})
    documents = {k: v.to_bytes() for k, v in store._store_dict.items()}
    meta = parse_node_metadata(documents)
    assert isinstance(meta, GroupMetadataV3)
    assert meta.to_documents() == documents
    assert GroupMetadataV3(attributes={"k": [1.5, "NaN"]}) == meta
    with pytest.raises(MetadataError) as info:
        GroupMetadataV3.from_json({"zarr_format": 3, "node_type": "group", "attributes": 1, "x": 2})
    assert {p.loc for p in info.value.problems} == {"attributes", "x"}


# -- Hypothesis: from_json(to_json(m)) == m --------------------------------------------

_DTYPES = ["bool", "int8", "uint32", "float32", "float64", "complex64", str, bytes, "S3", "U2",
           "M8[ms]", np.dtype([("a", "<i2"), ("b", "<f4")])]  # fmt: skip
_COMPRESSORS: list[list[dict[str, Any]]] = [
    [],
    [{"name": "gzip", "configuration": {"level": 5}}],
    [{"name": "zstd", "configuration": {"level": 3, "checksum": True}}],
    [{"name": "crc32c"}],
]


@st.composite
def array_metadata(draw: st.DrawFn) -> ArrayMetadataV3:
    ndim = draw(st.integers(0, 3))
    shape = tuple(draw(st.lists(st.integers(0, 50), min_size=ndim, max_size=ndim)))
    chunks = tuple(draw(st.lists(st.integers(1, 10), min_size=ndim, max_size=ndim)))
    data_type = parse_data_type(draw(st.sampled_from(_DTYPES)), 3)
    native = data_type.to_native()
    if data_type.is_variable_length:
        fill = draw(st.text(max_size=5)) if native.kind == "T" else draw(st.binary(max_size=5))
    else:
        raw = draw(st.binary(min_size=native.itemsize, max_size=native.itemsize))
        fill = np.frombuffer(raw, dtype=native)[0]
        if native.kind == "U" and not _valid_utf32(raw):
            fill = None
        if native.kind in "SU":
            fill = (
                fill.rstrip("\x00" if native.kind == "U" else b"\x00") if fill is not None else None
            )
    serializer: list[dict[str, Any]] = [{"name": "bytes"}]
    if data_type.is_variable_length:
        serializer = [{"name": data_type.object_codec_id}]
    elif ndim and draw(st.booleans()):
        inner = tuple(
            draw(st.sampled_from([d for d in range(1, c + 1) if c % d == 0])) for c in chunks
        )
        serializer = [{"name": "sharding_indexed", "configuration": {"chunk_shape": list(inner)}}]
    encoding = draw(st.sampled_from([DefaultChunkKeyEncoding("/"), DefaultChunkKeyEncoding("."),
                                     V2ChunkKeyEncoding("."), V2ChunkKeyEncoding("/")]))  # fmt: skip
    names = draw(
        st.none() | st.lists(st.none() | st.text(max_size=3), min_size=ndim, max_size=ndim)
    )
    attributes = draw(
        st.dictionaries(
            st.text(max_size=4), st.none() | st.integers() | st.text(max_size=4), max_size=3
        )
    )
    return ArrayMetadataV3(
        shape=shape,
        data_type=data_type,
        chunk_shape=chunks,
        codecs=tuple(serializer + draw(st.sampled_from(_COMPRESSORS))),
        fill_value=fill,
        chunk_key_encoding=encoding,
        attributes=attributes,
        dimension_names=None if names is None else tuple(names),
    )


def _valid_utf32(raw: bytes) -> bool:
    try:
        raw.decode("utf-32-le")
    except UnicodeDecodeError:
        return False
    return True


@settings(max_examples=120, deadline=None)
@given(array_metadata())
def test_from_json_to_json_round_trip(meta: ArrayMetadataV3) -> None:
    documents = meta.to_documents()
    again = parse_node_metadata(documents)
    assert again == meta
    assert again.to_documents() == documents
    assert fill_value_equal(again.fill_value, meta.fill_value, meta.data_type)
    # zarr-python reads what we write to the same metadata.
    from zarr.core.metadata.v3 import ArrayV3Metadata

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = ArrayV3Metadata.from_dict(json.loads(documents["zarr.json"]))
        assert theirs.to_dict()["codecs"] is not None
        assert json.loads(json.dumps(theirs.to_dict(), allow_nan=True)) == json.loads(
            documents["zarr.json"]
        )
