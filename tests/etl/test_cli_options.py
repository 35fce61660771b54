"""Option grammar of ``zarrdist`` and the target metadata it leads to (in process)."""

from __future__ import annotations

import argparse
import doctest
from pathlib import Path

import numcodecs
import numpy as np
import pytest
import zarr

import zarrdist.cli.options
from zarrdist.cli.convert import ConvertOptions, target_array_metadata, v2_config, v3_codec
from zarrdist.cli.inspect import read_node
from zarrdist.cli.main import _attach_signed_values
from zarrdist.cli.options import (
    ChunkRules,
    parse_chunk_rule,
    parse_compressor,
    parse_region,
    parse_size,
)
from zarrdist.stores import LocalStore


def test_doctests() -> None:
    assert doctest.testmod(zarrdist.cli.options).failed == 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [("512MiB", 512 << 20), ("2GB", 2 * 10**9), ("4G", 4 << 30), ("1e6", 10**6), ("10 kb", 10**4)],
)
def test_sizes(text: str, expected: int) -> None:
    assert parse_size(text) == expected


@pytest.mark.parametrize("text", ["", "lots", "-1GiB", "5 parsecs"])
def test_bad_sizes(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError, match="size"):
        parse_size(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("zstd:3", [{"name": "zstd", "configuration": {"level": 3, "checksum": False}}]),
        ("zstd:1:checksum", [{"name": "zstd", "configuration": {"level": 1, "checksum": True}}]),
        ("gzip", [{"name": "gzip", "configuration": {"level": 5}}]),
        ("crc32c", [{"name": "crc32c"}]),
        ("lz4", [{"name": "numcodecs.lz4", "configuration": {}}]),
        ("zlib:level=2", [{"name": "numcodecs.zlib", "configuration": {"level": 2}}]),
        (
            '{"name": "gzip", "configuration": {"level": 9}}',
            [{"name": "gzip", "configuration": {"level": 9}}],
        ),
        ("none", []),
    ],
)
def test_compressors(text: str, expected: list[dict[str, object]]) -> None:
    assert [c.to_json() for c in parse_compressor(text)] == expected


def test_blosc_spec() -> None:
    (codec,) = parse_compressor("blosc:zstd:bitshuffle:7")
    conf = codec.to_json()["configuration"]
    assert (conf["cname"], conf["shuffle"], conf["clevel"]) == ("zstd", "bitshuffle", 7)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("brotlix", "unknown codec 'brotlix'"),
        ("blosc:fast", "CNAME"),
        ("zstd:x", "integer"),
        ("delta", "not a compressor"),
    ],
)
def test_bad_compressors(text: str, message: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError, match=message):
        parse_compressor(text)


def test_chunk_rules() -> None:
    rules = ChunkRules(
        [parse_chunk_rule("-1,5"), parse_chunk_rule("t=2,2"), parse_chunk_rule("x=auto")]
    )
    assert rules.find("a", 2).resolve((10, 20)) == (10, 5)
    assert rules.find("t", 2).resolve((10, 20)) == (2, 2)
    assert rules.find("x", 1).auto
    assert rules.find("c", 3) is None
    assert parse_chunk_rule("none").shape is None
    with pytest.raises(argparse.ArgumentTypeError, match="chunk extents"):
        parse_chunk_rule("0,5")


def test_regions() -> None:
    positional = parse_region("2:5,-3:,7")
    assert positional.for_array((10, 10, 10), None) == (slice(2, 5), slice(7, 10), slice(7, 8))
    assert positional.for_array((10, 10), None) is None  # another rank
    named = parse_region("time=0:3")
    assert named.for_array((5, 4), ("time", "x")) == (slice(0, 3), slice(0, 4))
    assert named.for_array((5,), ("x",)) is None
    # A bound past the axis is an error, not clipped: a subset of the wrong size would
    # otherwise be copied without a word.
    with pytest.raises(argparse.ArgumentTypeError, match="outside an axis of length 10"):
        parse_region("5:50").for_array((10,), None)
    assert parse_region("0:10,-10:").for_array((10, 10), None) == (slice(0, 10), slice(0, 10))
    with pytest.raises(argparse.ArgumentTypeError, match="outside"):
        parse_region("50:60").for_array((10,), None)
    with pytest.raises(argparse.ArgumentTypeError, match="mix"):
        parse_region("0:3,time=1:2")


def test_signed_values_are_attached() -> None:
    argv = ["copy", "a", "b", "--chunks", "-1,3", "--region", "-5:", "--shards", "auto"]
    assert _attach_signed_values(argv) == [
        "copy",
        "a",
        "b",
        "--chunks=-1,3",
        "--region=-5:",
        "--shards",
        "auto",
    ]


@pytest.mark.parametrize(
    "config",
    [
        {"id": "blosc", "cname": "lz4", "clevel": 5, "shuffle": 2, "blocksize": 0},
        {"id": "zstd", "level": 3, "checksum": False},
        {"id": "gzip", "level": 4},
        {"id": "zlib", "level": 1},
    ],
)
def test_codecs_round_trip_between_formats(config: dict[str, object]) -> None:
    back = v2_config(v3_codec(config))
    assert numcodecs.get_codec(back) == numcodecs.get_codec(config)


def test_v2_to_v3_metadata_is_what_zarr_python_reads(tmp_path: Path) -> None:
    """A converted array's zarr.json opens in zarr-python with the same codec settings."""
    store = LocalStore(tmp_path / "v2.zarr")
    z = zarr.create_array(
        str(tmp_path / "v2.zarr"),
        shape=(6, 8),
        chunks=(1, 8),
        dtype=">i2",
        zarr_format=2,
        attributes={"_ARRAY_DIMENSIONS": ["t", "x"]},
        compressors=numcodecs.Blosc("zstd", 3, shuffle=numcodecs.Blosc.SHUFFLE),
    )
    z[...] = np.arange(48).reshape(6, 8)
    options = ConvertOptions(
        zarr_format=3,
        chunks=ChunkRules([parse_chunk_rule("-1,4")]),
        shards=ChunkRules([parse_chunk_rule("-1,8")]),
    )
    meta = target_array_metadata(read_node(store), "", options)
    out = LocalStore(tmp_path / "v3.zarr")
    out.set("zarr.json", meta.to_documents()["zarr.json"])
    peer = zarr.open_array(str(tmp_path / "v3.zarr"), mode="r")
    assert peer.metadata.dimension_names == ("t", "x")
    assert peer.shards == (6, 8)
    assert peer.chunks == (6, 4)
    (blosc,) = peer.compressors
    assert blosc.to_dict()["configuration"]["cname"] == "zstd"
    assert peer.dtype == np.dtype("int16")


def test_options_that_cannot_apply_name_the_array(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "a.zarr")
    zarr.create_array(
        str(tmp_path / "a.zarr"),
        shape=(4,),
        chunks=(2,),
        dtype="f4",
        zarr_format=3,
        compressors=[zarr.codecs.ZstdCodec(), zarr.codecs.Crc32cCodec()],
    )
    meta = read_node(store)
    with pytest.raises(argparse.ArgumentTypeError, match="zarr v2 allows one"):
        target_array_metadata(meta, "v", ConvertOptions(zarr_format=2))
    with pytest.raises(argparse.ArgumentTypeError, match="--shards needs --zarr-format 3"):
        target_array_metadata(
            meta,
            "v",
            ConvertOptions(
                zarr_format=2, compressors=(), shards=ChunkRules([parse_chunk_rule("4")])
            ),
        )
