"""``to_dict``/``from_dict`` of array, group and codec metadata equal zarr-python
3.1.5's for the same array (xarray calls ``serializer.to_dict()``)."""

from __future__ import annotations

import math
from typing import Any

import pytest
import zarr
import zarr.storage
from numcodecs import Delta
from zarr.core.metadata.v2 import ArrayV2Metadata as PeerV2
from zarr.core.metadata.v3 import ArrayV3Metadata as PeerV3

import zarrdist
from zarrdist.core.metadata import ArrayV2Metadata, ArrayV3Metadata
from zarrdist.stores import MemoryStore

CASES: dict[str, dict[str, Any]] = {
    "v3": {"shape": (4, 3), "chunks": (2, 3), "dtype": "f4", "attributes": {"a": [1, 2]}},
    "v3-names": {"shape": (3, 2), "dtype": "i2", "dimension_names": ["x", None]},
    "v3-nan": {"shape": (3,), "dtype": "f8", "fill_value": float("nan")},
    "v3-sharded": {"shape": (8,), "chunks": (2,), "shards": (4,), "dtype": "u1"},
    "v3-nocomp": {"shape": (2,), "dtype": "i8", "compressors": None},
    "v3-str": {"shape": (2,), "dtype": str},
    "v2": {"shape": (4,), "chunks": (2,), "dtype": "f4", "zarr_format": 2},
    "v2-attrs": {"shape": (2, 2), "dtype": "i4", "zarr_format": 2, "attributes": {"k": "v"}},
    "v2-filters": {"shape": (4,), "dtype": "u1", "zarr_format": 2, "filters": [Delta("u1")]},
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_array_metadata_to_dict_equals_zarr_pythons(case: str) -> None:
    ours = zarrdist.create_array(MemoryStore(), **CASES[case])
    theirs = zarr.create_array(zarr.storage.MemoryStore(), **CASES[case])
    assert _nan_safe(ours.metadata.to_dict()) == _nan_safe(theirs.metadata.to_dict())
    for mine, peer in zip(
        (*ours.filters, ours.serializer, *ours.compressors),
        (*theirs.filters, theirs.serializer, *theirs.compressors),
        strict=True,
    ):
        if peer is not None and hasattr(peer, "to_dict"):
            assert mine.to_dict() == peer.to_dict()


@pytest.mark.parametrize("case", sorted(CASES))
def test_from_dict_reads_zarr_pythons_dict_and_back(case: str) -> None:
    theirs = zarr.create_array(zarr.storage.MemoryStore(), **CASES[case])
    peer_dict = theirs.metadata.to_dict()
    cls = ArrayV2Metadata if theirs.metadata.zarr_format == 2 else ArrayV3Metadata
    ours = cls.from_dict(peer_dict)
    assert _nan_safe(ours.to_dict()) == _nan_safe(peer_dict)
    peer_cls = PeerV2 if theirs.metadata.zarr_format == 2 else PeerV3
    # zarr-python's metadata equality fails on a NaN fill value: compare its dicts.
    assert _nan_safe(peer_cls.from_dict(ours.to_dict()).to_dict()) == _nan_safe(peer_dict)


def test_v2_filters_stay_a_list_as_in_zarr_python() -> None:
    document = {
        "zarr_format": 2, "shape": (1, 2), "chunks": (1, 1), "dtype": "|u1", "order": "C",
        "compressor": {"id": "gzip", "level": 1}, "fill_value": 0,
        "filters": [{"id": "gzip", "level": 1}],
    }  # fmt: skip
    ours = ArrayV2Metadata.from_dict(document).to_dict()
    assert ours == PeerV2.from_dict(document).to_dict()
    assert ours["filters"] == [{"id": "gzip", "level": 1}]


@pytest.mark.parametrize("fmt", [2, 3])
def test_group_metadata_to_dict(fmt: int) -> None:
    ours = zarrdist.group(MemoryStore(), zarr_format=fmt, attributes={"t": 1})
    theirs = zarr.group(zarr.storage.MemoryStore(), zarr_format=fmt, attributes={"t": 1})
    assert ours.metadata.to_dict() == theirs.metadata.to_dict()
    assert type(ours.metadata).from_dict(theirs.metadata.to_dict()) == ours.metadata


def test_codec_from_dict_builds_the_codec() -> None:
    codec = zarrdist.codecs.ZstdCodec.from_dict({"name": "zstd", "configuration": {"level": 3}})
    assert codec.to_dict() == zarr.codecs.ZstdCodec(level=3).to_dict()


def _nan_safe(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return "NaN"
    if isinstance(value, dict):
        return {k: _nan_safe(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return tuple(_nan_safe(v) for v in value)
    return value
