"""Hypothesis-driven damage to stored chunks, shard indexes and metadata documents.

Each case damages one stored object of a small array and then reads it (and, for
shards, writes into it): the outcome is data of the right shape, or a zarrdist
error naming the damaged key, within the bounds of :mod:`tests.faults._fuzz`.
"""

from __future__ import annotations

import json
from typing import Any

import google_crc32c
import numcodecs
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import zarrdist
from tests.faults._fuzz import CASE_PEAK_BYTES, FUZZ, outcome
from zarrdist.codecs import (
    BloscCodec,
    BytesCodec,
    Crc32cCodec,
    GzipCodec,
    ShardingCodec,
    ZstdCodec,
)
from zarrdist.errors import ZarrdistError
from zarrdist.stores import MemoryStore

DATA = (np.arange(64, dtype="i4") * 7919 % 1000).reshape(8, 8)

#: (name, creation keywords): one per codec that decodes stored bytes.
CODECS: dict[str, dict[str, Any]] = {
    "zstd": {"compressors": ZstdCodec(level=1)},
    "gzip": {"compressors": GzipCodec(level=1)},
    "blosc": {"compressors": BloscCodec(cname="lz4", clevel=1)},
    "crc32c": {"compressors": Crc32cCodec()},
    "bytes": {"compressors": None},
    "v2-zlib": {"compressors": numcodecs.Zlib(level=1), "zarr_format": 2},
    "v2-bz2": {"compressors": numcodecs.BZ2(level=1), "zarr_format": 2},
    "v2-lzma": {"compressors": numcodecs.LZMA(preset=1), "zarr_format": 2},
    "v2-lz4": {"compressors": numcodecs.LZ4(), "zarr_format": 2},
    "v2-blosc": {"compressors": numcodecs.Blosc(cname="zstd", clevel=1), "zarr_format": 2},
}


def _damage() -> st.SearchStrategy[Any]:
    """A damage to a byte string: flips, truncation, extension, or replacement."""
    return st.one_of(
        st.tuples(
            st.just("flip"),
            st.lists(st.tuples(st.integers(0), st.integers(1, 255)), min_size=1, max_size=8),
        ),
        st.tuples(st.just("truncate"), st.integers(0)),
        st.tuples(st.just("extend"), st.binary(min_size=1, max_size=64)),
        st.tuples(st.just("replace"), st.binary(max_size=256)),
        st.tuples(st.just("splice"), st.integers(0), st.binary(min_size=1, max_size=16)),
    )


def _apply(data: bytes, damage: Any) -> bytes:
    kind = damage[0]
    if kind == "flip":
        out = bytearray(data)
        for position, mask in damage[1]:
            if out:
                out[position % len(out)] ^= mask
        return bytes(out)
    if kind == "truncate":
        return data[: damage[1] % max(len(data), 1)]
    if kind == "extend":
        return data + damage[1]
    if kind == "replace":
        return damage[1]
    position = damage[1] % (len(data) + 1)
    return data[:position] + damage[2] + data[position + len(damage[2]) :]


def _read_back(array: Any) -> Any:
    result = array[:]
    assert result.shape == DATA.shape
    return result


@pytest.mark.parametrize("codec", sorted(CODECS))
@FUZZ
@given(damage=_damage(), which=st.integers(0, 3))
def test_fuzz_damaged_chunk(codec: str, damage: Any, which: int) -> None:
    store = MemoryStore()
    array = zarrdist.create_array(store, shape=(8, 8), chunks=(4, 4), dtype="i4", **CODECS[codec])
    array[:] = DATA
    keys = sorted(k for k in store.list() if k.startswith("c") or k[0].isdigit())
    key = keys[which % len(keys)]
    original = store.get(key)
    assert original is not None
    damaged = _apply(bytes(original), damage)
    store.set(key, damaged)
    reopened = zarrdist.open_array(store, mode="r")
    # Every codec's decode is capped at what the chunk can hold (zarrdist.codecs._bounds).
    result = outcome(lambda: _read_back(reopened), key, peak_bytes=CASE_PEAK_BYTES)
    if codec == "crc32c" and damaged != bytes(original) and not isinstance(result, ZarrdistError):
        raise AssertionError("a checksummed chunk was damaged and read without error")


def _index_bytes(values: list[tuple[int, int]]) -> bytes:
    return np.asarray(values, dtype="<u8").tobytes()


@pytest.mark.parametrize("location", ["end", "start"])
@pytest.mark.parametrize("checksum", [False, True])
@FUZZ
@given(
    entries=st.lists(
        st.tuples(
            st.one_of(st.integers(0, 2**64 - 1), st.integers(0, 600), st.just(2**64 - 1)),
            st.one_of(st.integers(0, 2**64 - 1), st.integers(0, 600), st.just(2**64 - 1)),
        ),
        min_size=4,
        max_size=4,
    ),
    raw_damage=st.none() | _damage(),
)
def test_fuzz_damaged_shard_index(
    location: str, checksum: bool, entries: list[tuple[int, int]], raw_damage: Any
) -> None:
    store = MemoryStore()
    index_codecs = [BytesCodec(), Crc32cCodec()] if checksum else [BytesCodec()]
    array = zarrdist.create_array(
        store,
        shape=(8, 8),
        chunks=(8, 8),
        serializer=ShardingCodec(
            chunk_shape=(4, 4), index_location=location, index_codecs=index_codecs
        ),
        dtype="i4",
        compressors=None,
        fill_value=-1,
    )
    array[:] = DATA
    key = "c/0/0"
    shard = bytes(store.get(key) or b"")
    size = 4 * 16 + (4 if checksum else 0)
    index = _index_bytes(entries)
    if checksum:  # a valid checksum, so the entries themselves reach the checks
        index += google_crc32c.value(index).to_bytes(4, "little")
    damaged = shard[:-size] + index if location == "end" else index + shard[size:]
    if raw_damage is not None:
        damaged = _apply(damaged, raw_damage)
    store.set(key, damaged)
    reopened = zarrdist.open_array(store, mode="r+")
    outcome(lambda: _read_back(reopened), key)
    outcome(lambda: reopened[1:3, 1:3], key)  # a partial read: index, then byte ranges
    before = store.get(key)
    written = outcome(lambda: reopened.__setitem__((slice(0, 2), slice(0, 2)), 5), key)
    if isinstance(written, ZarrdistError):
        assert store.get(key) == before  # a refused write leaves the bytes as they were


def _json_values() -> st.SearchStrategy[Any]:
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(2**70), 2**70),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(max_size=12),
    )
    return st.recursive(scalars, _containers, max_leaves=12)


def _containers(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """JSON lists and objects of ``inner`` values."""
    lists = st.lists(inner, max_size=4)
    return lists | st.dictionaries(st.text(max_size=8), inner, max_size=4)


def _paths(document: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(document, dict):
        for k, v in document.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(document, list):
        for i, v in enumerate(document):
            out += _paths(v, (*prefix, i))
    return out


def _replace(document: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    copy = json.loads(json.dumps(document))
    node = copy
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return copy


@pytest.mark.parametrize(("zarr_format", "sharded"), [(2, False), (3, False), (3, True)])
@FUZZ
@given(where=st.integers(0), value=_json_values(), raw_damage=st.none() | _damage())
def test_fuzz_damaged_metadata(
    zarr_format: int, sharded: bool, where: int, value: Any, raw_damage: Any
) -> None:
    store = MemoryStore()
    extra: dict[str, Any] = {"shards": (8, 8)} if sharded else {}
    array = zarrdist.create_array(
        store, shape=(8, 8), chunks=(4, 4), dtype="i4", zarr_format=zarr_format, **extra
    )
    array[:] = DATA
    key = "zarr.json" if zarr_format == 3 else ".zarray"
    document = json.loads(bytes(store.get(key) or b"{}"))
    paths = _paths(document)
    damaged = json.dumps(_replace(document, paths[where % len(paths)], value)).encode()
    if raw_damage is not None:
        damaged = _apply(damaged, raw_damage)
    store.set(key, damaged)

    def use() -> Any:
        opened = zarrdist.open_array(store, mode="r")
        if opened.size and opened.ndim:
            return opened[(0,) * opened.ndim]  # one element: bounded whatever the shape says
        return opened[...]

    outcome(use, key, ".zattrs", "c/", "0.0")
