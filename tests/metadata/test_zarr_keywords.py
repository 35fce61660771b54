"""zarrdist's metadata and chunk key encoding classes built with zarr-python 3.1.5's
constructor keywords (``ArrayV3Metadata(chunk_grid=...)``, ``ArrayV2Metadata(dtype=...,
compressor=<numcodecs codec>)``) equal zarr-python's objects built the same way."""

from __future__ import annotations

import dataclasses
import json
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
    with pytest.raises(ValueError, match="Unknown chunk key encoding: .*'fancy' not found"):
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
        ArrayV3Metadata(shape=(1,), data_type="u1", chunk_shape=(1,), chunk_grid=RegularChunkGrid((1,)))


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
def test_v2_metadata_from_zarr_python_keywords(compressor: Any, filters: Any, fill_value: Any) -> None:
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
