"""Chunk grids, chunk key encodings, automatic chunks and shards."""

from __future__ import annotations

import itertools
import json
import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zarrdist.chunking.grid import (
    DefaultChunkKeyEncoding,
    RegularChunkGrid,
    V2ChunkKeyEncoding,
    auto_shards,
    chunk_key_encoding_from_json,
    guess_chunks,
    normalize_chunks,
)
from zarrdist.config import config
from zarrdist.errors import MetadataError

# -- the regular grid -----------------------------------------------------------------


def test_grid_shape_and_regions_cover_the_array_once() -> None:
    grid = RegularChunkGrid((4, 3))
    shape = (10, 7)
    assert grid.grid_shape(shape) == (3, 3)
    assert grid.nchunks(shape) == 9
    covered = np.zeros(shape, dtype=int)
    for coords in grid.all_chunk_coords(shape):
        covered[grid.chunk_region(coords, shape)] += 1
    assert (covered == 1).all()
    assert grid.chunk_region((2, 2), shape) == (slice(8, 10), slice(6, 7))


def test_grid_edge_cases() -> None:
    assert RegularChunkGrid(()).grid_shape(()) == ()
    assert list(RegularChunkGrid(()).all_chunk_coords(())) == [()]
    assert RegularChunkGrid((5,)).grid_shape((0,)) == (0,)
    with pytest.raises(IndexError, match="outside"):
        RegularChunkGrid((5,)).chunk_region((2,), (10,))
    with pytest.raises(ValueError, match="dimensions"):
        RegularChunkGrid((5,)).grid_shape((10, 10))
    with pytest.raises(MetadataError, match=r"chunk_shape\.1"):
        RegularChunkGrid((5, 0))


def test_grid_json_matches_zarr_python() -> None:
    from zarr.core.chunk_grids import RegularChunkGrid as ZarrGrid

    grid = RegularChunkGrid((3, 4))
    theirs = json.loads(json.dumps(ZarrGrid(chunk_shape=(3, 4)).to_dict()))
    assert grid.to_json() == theirs
    assert RegularChunkGrid.from_json(grid.to_json()) == grid
    with pytest.raises(MetadataError, match="regular"):
        RegularChunkGrid.from_json({"name": "rectilinear", "configuration": {}})
    with pytest.raises(MetadataError, match="chunk_shape"):
        RegularChunkGrid.from_json({"name": "regular", "configuration": {}})


# -- chunk keys -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "coords", "key"),
    [
        (DefaultChunkKeyEncoding(), (), "c"),
        (DefaultChunkKeyEncoding(), (0, 1), "c/0/1"),
        (DefaultChunkKeyEncoding("."), (3, 10, 2), "c.3.10.2"),
        (V2ChunkKeyEncoding(), (), "0"),
        (V2ChunkKeyEncoding(), (0, 1), "0.1"),
        (V2ChunkKeyEncoding("/"), (12, 0), "12/0"),
    ],
)
def test_chunk_keys(encoding: Any, coords: tuple[int, ...], key: str) -> None:
    from zarr.core.chunk_key_encodings import parse_chunk_key_encoding

    assert encoding.encode_chunk_key(coords) == key
    theirs = parse_chunk_key_encoding(encoding.to_json())
    assert theirs.encode_chunk_key(coords) == key
    assert theirs.to_dict() == encoding.to_json()
    if coords:
        assert encoding.decode_chunk_key(key) == coords


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(0, 10**6), max_size=5),
    st.sampled_from(["/", "."]),
    st.booleans(),
)
def test_chunk_key_round_trip(coords: list[int], separator: Any, v2: bool) -> None:
    encoding = V2ChunkKeyEncoding(separator) if v2 else DefaultChunkKeyEncoding(separator)
    key = encoding.encode_chunk_key(coords)
    decoded = encoding.decode_chunk_key(key)
    assert decoded == (tuple(coords) or ((0,) if v2 else ()))


@pytest.mark.parametrize("key", ["zarr.json", "c/01", "c/-1", "c/a", "c/1/", "d/0", ".zarray"])
def test_non_chunk_keys(key: str) -> None:
    assert DefaultChunkKeyEncoding().parse_chunk_key(key) is None
    with pytest.raises(ValueError, match="not a 'default' chunk key"):
        DefaultChunkKeyEncoding().decode_chunk_key(key)


def test_chunk_key_encoding_json_forms() -> None:
    assert chunk_key_encoding_from_json({"name": "default"}) == DefaultChunkKeyEncoding("/")
    assert chunk_key_encoding_from_json({"name": "v2"}) == V2ChunkKeyEncoding(".")
    assert chunk_key_encoding_from_json({"name": "v2", "separator": "/"}) == V2ChunkKeyEncoding("/")
    both = {"name": "default", "configuration": {"separator": "."}}
    assert chunk_key_encoding_from_json(both) == DefaultChunkKeyEncoding(".")
    with pytest.raises(MetadataError, match="Unknown chunk key encoding"):
        chunk_key_encoding_from_json({"name": "fancy"})
    with pytest.raises(MetadataError, match="separator"):
        chunk_key_encoding_from_json({"name": "default", "configuration": {"separator": "-"}})


# -- automatic chunks -----------------------------------------------------------------

_SHAPES = [
    shape
    for n in range(4)
    for shape in itertools.product([0, 1, 7, 100, 1000, 4096, 12345, 10**6], repeat=n)
    if math.prod(shape) < 10**12
]


@pytest.mark.parametrize("itemsize", [1, 2, 4, 8, 16, 100])
def test_auto_chunks_match_zarr_python(itemsize: int) -> None:
    from zarr.core.chunk_grids import _guess_chunks

    mismatches = [
        (shape, guess_chunks(shape, itemsize), _guess_chunks(shape, itemsize))
        for shape in _SHAPES
        if guess_chunks(shape, itemsize) != _guess_chunks(shape, itemsize)
    ]
    assert mismatches == []
    assert normalize_chunks("auto", (10**6,), itemsize) == _guess_chunks((10**6,), itemsize)


@pytest.mark.parametrize(
    ("chunks", "shape", "expected"),
    [
        (5, (10, 10), (5, 5)),
        ((5, -1), (10, 10), (5, 10)),
        ((None, 3), (10, 10), (10, 3)),
        ((4,), (10, 10), (4, 10)),
        (False, (10, 0), (10, 1)),
        (((4, 4, 2), (10,)), (10, 10), (4, 10)),
        ((), (), ()),
        (np.int64(3), (9,), (3,)),
    ],
)
def test_normalize_chunks(chunks: Any, shape: tuple[int, ...], expected: tuple[int, ...]) -> None:
    assert normalize_chunks(chunks, shape, 4) == expected


def test_normalize_chunks_with_a_cap() -> None:
    chunks = normalize_chunks("auto", (4096, 4096), 8, max_bytes=1 << 20)
    assert math.prod(chunks) * 8 <= 1 << 20
    assert normalize_chunks(True, (100,), 1) == normalize_chunks(None, (100,), 1) == (100,)


@pytest.mark.parametrize(
    ("chunks", "loc"),
    [((5, 0), "chunks.1"), ((0,), "chunks.0"), ((-2, 3), "chunks.0"), ((1.5, 2), "chunks.0")],
)
def test_normalize_chunks_refuses_bad_extents(chunks: Any, loc: str) -> None:
    with pytest.raises(MetadataError) as info:
        normalize_chunks(chunks, (10, 10), 1)
    assert [p.loc for p in info.value.problems] == [loc]
    assert loc in str(info.value)


def test_normalize_chunks_refuses_bad_forms() -> None:
    with pytest.raises(MetadataError, match="more dimensions"):
        normalize_chunks((1, 2, 3), (10, 10), 1)
    with pytest.raises(MetadataError, match="'auto', an int"):
        normalize_chunks("big", (10,), 1)
    with pytest.raises(MetadataError):
        normalize_chunks(0, (10,), 1)


# -- automatic shards -----------------------------------------------------------------


def test_auto_shards_targets_the_config_size() -> None:
    assert config.get("array.target_shard_size_bytes") == 128 * 2**20
    shards = auto_shards((10_000, 10_000), (100, 100), 4)
    nbytes = math.prod(shards) * 4
    assert 64 * 2**20 < nbytes <= 128 * 2**20
    with config.set({"array.target_shard_size_bytes": 2**20}):
        assert math.prod(auto_shards((10_000, 10_000), (100, 100), 4)) * 4 <= 2**20


def test_auto_shards_small_cases() -> None:
    assert auto_shards((), (), 8) == ()
    assert auto_shards((5,), (10,), 8, target_bytes=10) == (10,)  # one chunk over the target
    assert auto_shards((100,), (10,), 1, target_bytes=10**9) == (100,)  # capped by the array
    assert auto_shards((10**6, 10), (1000, 10), 8) == (10**6, 10)


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.integers(1, 4000), min_size=1, max_size=4).flatmap(
        lambda shape: st.tuples(
            st.just(tuple(shape)),
            st.tuples(*(st.integers(1, s) for s in shape)),
        )
    ),
    st.sampled_from([1, 2, 4, 8]),
    st.integers(1, 1 << 24),
)
def test_auto_shards_properties(
    shapes: tuple[tuple[int, ...], tuple[int, ...]], itemsize: int, target: int
) -> None:
    shape, chunks = shapes
    shards = auto_shards(shape, chunks, itemsize, target_bytes=target)
    counts = [s // c for s, c in zip(shards, chunks, strict=True)]
    assert all(s % c == 0 for s, c in zip(shards, chunks, strict=True))
    assert all(1 <= n <= -(-a // c) for n, a, c in zip(counts, shape, chunks, strict=True))
    chunk_bytes = math.prod(chunks) * itemsize
    assert math.prod(shards) * itemsize <= max(target, chunk_bytes)
    # No dimension could take one more chunk and still fit (the shard is maximal).
    for i, (n, a, c) in enumerate(zip(counts, shape, chunks, strict=True)):
        if n < -(-a // c):
            grown = math.prod(counts) // n * (n + 1)
            assert grown * chunk_bytes > target, (i, counts)
