"""zarrdist's metadata and chunk key encoding classes built with zarr-python 3.1.5's
constructor keywords (``ArrayV3Metadata(chunk_grid=...)``, ``ArrayV2Metadata(dtype=...,
compressor=<numcodecs codec>)``) equal zarr-python's objects built the same way."""

from __future__ import annotations

import dataclasses
import json
import re
from typing import Any

import numcodecs
import pytest
import zarr.core.chunk_key_encodings as peer_cke
import zarr.core.dtype as peer_dtype
from zarr.core.buffer import default_buffer_prototype
from zarr.core.chunk_grids import RegularChunkGrid as PeerRegularChunkGrid
from zarr.core.metadata.v2 import ArrayV2Metadata as PeerV2
from zarr.core.metadata.v3 import ArrayV3Metadata as PeerV3

import zarrdist.core.chunk_key_encodings as cke
import zarrdist.core.dtype as our_dtype
from zarrdist.core.chunk_grids import RegularChunkGrid
from zarrdist.core.metadata import ArrayV2Metadata, ArrayV3Metadata
from zarrdist.errors import MetadataError


@pytest.mark.parametrize("name", ["default", "v2"])
@pytest.mark.parametrize("separator", [".", "/", None])
def test_chunk_key_encoding_to_dict_equals_zarr_python(name: str, separator: str | None) -> None:
    params: dict[str, Any] = {"name": name}
    if separator is not None:
        params["separator"] = separator
    ours = cke.parse_chunk_key_encoding(cke.ChunkKeyEncodingParams(**params))  # type: ignore[typeddict-item]
    peer = peer_cke.parse_chunk_key_encoding(params)  # type: ignore[arg-type]
    assert ours.to_dict() == peer.to_dict()
    assert type(ours).from_dict(peer.to_dict()) == ours
    assert cke.ChunkKeyEncoding.from_dict(peer.to_dict()) == ours
    assert cke.parse_chunk_key_encoding(ours) is ours


def test_chunk_key_encoding_from_dict_refuses_another_encoding() -> None:
    with pytest.raises(MetadataError, match="V2ChunkKeyEncoding cannot read a 'default'"):
        cke.V2ChunkKeyEncoding.from_dict({"name": "default"})
    with pytest.raises(ValueError, match=r"Unknown chunk key encoding: .*'fancy' not found"):
        cke.parse_chunk_key_encoding({"name": "fancy"})
    with pytest.raises(ValueError, match="Unknown chunk key encoding"):
        peer_cke.parse_chunk_key_encoding({"name": "fancy"})  # type: ignore[typeddict-item]


def _v3_pair(**changes: Any) -> tuple[ArrayV3Metadata, PeerV3]:
    base: dict[str, Any] = {
        "shape": (10, 4),
        "chunk_key_encoding": {"name": "v2", "configuration": {"separator": "/"}},
        "fill_value": 3,
        "codecs": ({"name": "bytes", "configuration": {"endian": "little"}},),
        "attributes": {"a": 1},
        "dimension_names": ("x", None),
    }
    base.update(changes)
    ours = ArrayV3Metadata(
        data_type=our_dtype.Int16(),
        chunk_grid=RegularChunkGrid(chunk_shape=(5, 4)),
        **base,
    )
    peer = PeerV3(
        data_type=peer_dtype.Int16(),
        chunk_grid=PeerRegularChunkGrid(chunk_shape=(5, 4)),
        **base,
    )
    return ours, peer


def test_v3_metadata_from_zarr_python_keywords() -> None:
    ours, peer = _v3_pair()
    assert ours.to_dict() == peer.to_dict()
    assert ours.chunk_shape == (5, 4)
    assert ours.storage_transformers == peer.storage_transformers == ()
    grid_json = {"name": "regular", "configuration": {"chunk_shape": [5, 4]}}
    assert dataclasses.replace(ours, shape=(20, 4)).shape == (20, 4)
    from_json_grid = ArrayV3Metadata(
        shape=(10, 4), data_type="int16", chunk_grid=grid_json, fill_value=3,
        chunk_key_encoding=cke.V2ChunkKeyEncoding(separator="/"), attributes={"a": 1},
        dimension_names=("x", None), storage_transformers=(),
    )  # fmt: skip
    assert from_json_grid == ours
    # A zarr-python grid object is read through its to_dict().
    assert ArrayV3Metadata(
        shape=(10, 4), data_type="int16", chunk_grid=PeerRegularChunkGrid(chunk_shape=(5, 4))
    ).chunk_shape == (5, 4)


def test_v3_metadata_keywords_refused_as_zarr_python_refuses_them() -> None:
    with pytest.raises(MetadataError, match="storage transformers are not supported"):
        _v3_pair(storage_transformers=({"name": "x"},))
    with pytest.raises(TypeError, match="chunk_grid or chunk_shape"):
        ArrayV3Metadata(shape=(1,), data_type="u1")
    with pytest.raises(TypeError, match="not both"):
        ArrayV3Metadata(
            shape=(1,), data_type="u1", chunk_shape=(1,), chunk_grid=RegularChunkGrid((1,))
        )


@pytest.mark.parametrize(
    ("compressor", "filters"),
    [
        (numcodecs.Zstd(level=0, checksum=False), None),
        ({"id": "zlib", "level": 3}, [{"id": "delta", "dtype": "<i4"}]),
        (None, (numcodecs.Delta(dtype="<i4"), numcodecs.Shuffle(elementsize=4))),
        (numcodecs.GZip(level=1), numcodecs.Delta(dtype="<i4")),
    ],
)
@pytest.mark.parametrize("fill_value", [0, 7, None])
def test_v2_metadata_from_zarr_python_keywords(
    compressor: Any, filters: Any, fill_value: Any
) -> None:
    kwargs: dict[str, Any] = {
        "shape": (10, 3), "chunks": (4, 3), "order": "F", "fill_value": fill_value,
        "dimension_separator": "/", "compressor": compressor, "filters": filters,
        "attributes": {"k": [1]},
    }  # fmt: skip
    ours = ArrayV2Metadata(dtype=our_dtype.Int32(), **kwargs)
    peer = PeerV2(dtype=peer_dtype.Int32(), **kwargs)
    assert ours.to_dict() == peer.to_dict()
    # Held as numcodecs codecs, as zarr-python holds them.
    assert ours.compressor == peer.compressor
    assert ours.filters == peer.filters
    prototype = default_buffer_prototype()
    peer_docs = {k: v.to_bytes() for k, v in peer.to_buffer_dict(prototype).items()}
    assert ours.to_documents() == peer_docs
    assert json.loads(ours.to_documents()[".zarray"])["fill_value"] == fill_value


def test_v2_metadata_takes_one_spelling_of_each_field() -> None:
    with pytest.raises(TypeError, match="one of data_type= and dtype="):
        ArrayV2Metadata(shape=(1,), dtype="u1", data_type="u1", chunks=(1,))
    with pytest.raises(TypeError, match="one of chunk_shape= and chunks="):
        ArrayV2Metadata(shape=(1,), dtype="u1")
    with pytest.raises(MetadataError, match="invalid compressor"):
        ArrayV2Metadata(shape=(1,), dtype="u1", chunks=(1,), compressor="zstd")  # type: ignore[arg-type]
    # zarrdist's own spelling keeps its meaning: None is the type's default fill.
    own = ArrayV2Metadata(shape=(1,), data_type="u1", chunk_shape=(1,))
    assert own.to_json()["fill_value"] == 0


def test_field_parsers_equal_zarr_python() -> None:
    import zarr.core.group as peer_group
    import zarr.core.metadata.v2 as peer_v2
    import zarr.core.metadata.v3 as peer_v3

    import zarrdist.core.group as our_group
    import zarrdist.core.metadata.v2 as our_v2
    import zarrdist.core.metadata.v3 as our_v3

    def outcome(function: Any, value: Any) -> tuple[str, Any]:
        try:
            return ("ok", function(value))
        except (ValueError, TypeError) as exc:
            kinds = [c.__name__ for c in type(exc).__mro__ if c.__module__ == "builtins"]
            return (kinds[0], str(exc))

    cases = [None, 1, 2, 3, 4, "3", "array", "group", "other", ("a", None), ["x"], 5]
    pairs = [
        (our_v3.parse_zarr_format, peer_v3.parse_zarr_format),
        (our_v2.parse_zarr_format, peer_v2.parse_zarr_format),
        (our_v3.parse_node_type_array, peer_v3.parse_node_type_array),
        (our_group.parse_node_type, peer_group.parse_node_type),
    ]
    for ours_fn, peer_fn in pairs:
        for value in cases:
            assert outcome(ours_fn, value) == outcome(peer_fn, value), (ours_fn, value)
    for names in (None, ("a", None), ["x", "y"]):
        assert our_v3.parse_dimension_names(names) == peer_v3.parse_dimension_names(names)
    with pytest.raises(TypeError, match="Expected either None or iterable of str"):
        our_v3.parse_dimension_names([1])


def test_parse_codecs_equals_zarr_python() -> None:
    import zarr.core.metadata.v3 as peer_v3

    import zarrdist.core.metadata.v3 as our_v3
    from zarrdist.codecs import ZstdCodec
    from zarrdist.errors import UnknownCodecError

    entries = [{"name": "bytes", "configuration": {"endian": "little"}}, ZstdCodec(level=2)]
    ours = our_v3.parse_codecs(entries)
    peer = peer_v3.parse_codecs([entries[0], {"name": "zstd", "configuration": {"level": 2}}])
    assert [c.to_dict() for c in ours] == [c.to_dict() for c in peer]
    with pytest.raises(UnknownCodecError):
        our_v3.parse_codecs([{"name": "no-such-codec"}])


@pytest.mark.parametrize("indent", [None, 2, 4])
@pytest.mark.parametrize("fmt", [2, 3])
def test_to_buffer_dict_equals_zarr_python(fmt: int, indent: int | None) -> None:
    import zarr

    import zarrdist

    prototype = default_buffer_prototype()
    with zarr.config.set({"json_indent": indent}), zarrdist.config.set({"json_indent": indent}):
        for library in (zarr, zarrdist):
            library.create_array(
                {}, shape=(3,), dtype="f8", zarr_format=fmt, fill_value=float("nan")
            )
        ours = zarrdist.create_array(
            {}, shape=(3,), dtype="f8", zarr_format=fmt, fill_value=float("nan")
        )
        peer = zarr.create_array(
            {}, shape=(3,), dtype="f8", zarr_format=fmt, fill_value=float("nan")
        )
        for mine, theirs in ((ours.metadata, peer.metadata),):
            got = {k: v.to_bytes() for k, v in mine.to_buffer_dict(prototype).items()}
            assert got == {k: v.to_bytes() for k, v in theirs.to_buffer_dict(prototype).items()}
        group = zarrdist.group({}, zarr_format=fmt, attributes={"a": 1}).metadata
        peer_group = zarr.group({}, zarr_format=fmt, attributes={"a": 1}).metadata
        got = {k: v.to_bytes() for k, v in group.to_buffer_dict(prototype).items()}
        assert got == {k: v.to_bytes() for k, v in peer_group.to_buffer_dict(prototype).items()}


def test_v2_empty_filters_read_as_null_with_zarr_python_s_warning() -> None:
    from zarrdist.errors import ZarrUserWarning

    document = {
        "zarr_format": 2, "shape": (1,), "chunks": (1,), "dtype": "|u1", "order": "C",
        "compressor": None, "filters": (), "fill_value": 0,
    }  # fmt: skip
    with pytest.warns(ZarrUserWarning, match="Found an empty list of filters"):
        ours = ArrayV2Metadata.from_dict(document)
    with pytest.warns(UserWarning, match="Found an empty list of filters"):
        peer = PeerV2.from_dict(document)
    assert ours.filters is None
    assert peer.filters is None
    assert ours.to_dict() == peer.to_dict()


def _v3_document(**changes: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "zarr_format": 3, "node_type": "array", "shape": (1,), "data_type": "uint8",
        "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": (1,)}},
        "chunk_key_encoding": {"name": "default", "separator": "."},
        "codecs": ({"name": "bytes"},), "fill_value": 0,
    }  # fmt: skip
    document.update(changes)
    return document


@pytest.mark.parametrize(
    ("data_type", "fill_value"), [("uint8", {}), ("int32", [0, 1]), ("float32", "foo")]
)
def test_bad_fill_value_is_a_type_error_as_in_zarr_python(data_type: str, fill_value: Any) -> None:
    from zarrdist.errors import FillValueError

    document = _v3_document(data_type=data_type, fill_value=fill_value)
    with pytest.raises(TypeError):
        PeerV3.from_dict(document)
    with pytest.raises(FillValueError, match="fill_value"):
        ArrayV3Metadata.from_dict(document)
    with pytest.raises(TypeError, match=re.escape(f"Invalid type: {fill_value}")):
        our_dtype.parse_dtype(data_type, zarr_format=3).from_json_scalar(fill_value, zarr_format=3)


def test_from_dict_takes_codec_objects_as_zarr_python_does() -> None:
    from zarr.codecs import BytesCodec as PeerBytes

    from zarrdist.codecs import BytesCodec

    ours = ArrayV3Metadata.from_dict(_v3_document(codecs=(BytesCodec(),), data_type="int16"))
    peer = PeerV3.from_dict(_v3_document(codecs=(PeerBytes(),), data_type="int16"))
    assert ours.to_dict() == peer.to_dict()


@pytest.mark.parametrize("extra", [{"must_understand": True}, 10])
def test_refused_extra_fields_are_headed_as_in_zarr_python(extra: Any) -> None:
    document = _v3_document(foo=extra)
    with pytest.raises(ValueError, match="Got a Zarr V3 metadata document") as peer:
        PeerV3.from_dict(document)
    with pytest.raises(MetadataError, match=r"Got a Zarr V3 metadata document .*\['foo'\]"):
        ArrayV3Metadata.from_dict(document)
    assert "foo" in str(peer.value)


def test_extra_fields_colliding_with_members_are_refused_as_in_zarr_python() -> None:
    extra = {"shape": (10,), "data_type": "uint8"}
    expected = "The following keys: ['data_type', 'shape'] are invalid because they collide"
    with pytest.raises(ValueError, match=re.escape(expected)):
        PeerV3(
            shape=(10,), data_type=peer_dtype.UInt8(),
            chunk_grid={"name": "regular", "configuration": {"chunk_shape": (10,)}},
            chunk_key_encoding={"name": "default"}, fill_value=0, codecs=({"name": "bytes"},),
            attributes={}, dimension_names=None, extra_fields=extra,
        )  # fmt: skip
    with pytest.raises(MetadataError, match=re.escape(expected)):
        ArrayV3Metadata(
            shape=(10,), data_type=our_dtype.UInt8(),
            chunk_grid={"name": "regular", "configuration": {"chunk_shape": (10,)}},
            chunk_key_encoding={"name": "default"}, fill_value=0, codecs=({"name": "bytes"},),
            attributes={}, dimension_names=None, extra_fields=extra,
        )  # fmt: skip


@pytest.mark.parametrize("fmt", [2, 3])
@pytest.mark.parametrize("fill", [b"X", b"XYZ", b"XYZW", b""])
def test_raw_bytes_fill_is_cast_as_numpy_and_zarr_python_cast_it(fmt: int, fill: bytes) -> None:
    import warnings

    import numpy as np
    import zarr

    import zarrdist

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # raw bytes are outside the v3 spec: both warn
        ours = zarrdist.create_array({}, shape=(2,), dtype="V3", fill_value=fill, zarr_format=fmt)
        peer = zarr.create_array({}, shape=(2,), dtype="V3", fill_value=fill, zarr_format=fmt)
        assert ours.metadata.to_dict()["fill_value"] == peer.metadata.to_dict()["fill_value"]
        assert ours[:].tolist() == peer[:].tolist() == np.full(2, fill, dtype="V3").tolist()
