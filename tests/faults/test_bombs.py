"""Decompression bombs: a small stored chunk that claims or expands to far more than
its chunk can hold is refused with a zarrdist error naming the key and codec,
before the memory is allocated (peak traced memory stays far below the bomb)."""

from __future__ import annotations

import gzip
import tracemalloc
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numcodecs
import numpy as np
import pytest
import zstandard

import zarrdist
from zarrdist.errors import CodecError, StoreError
from zarrdist.stores import MemoryStore

BOMB = 64 << 20  # decoded bytes a bomb expands to
CHUNK = 1024  # what a chunk of the arrays below really holds
PEAK = 16 << 20  # traced memory a refused read may use


def _zeros() -> bytes:
    return bytes(BOMB)


def _zstd_streamed() -> bytes:
    # A frame without a recorded content size: only streaming can bound it.
    out = zstandard.ZstdCompressor().compressobj()
    return out.compress(_zeros()) + out.flush()


V3: dict[str, tuple[dict[str, Any], Callable[[], bytes]]] = {
    "zstd": ({"name": "zstd", "configuration": {"level": 1}}, lambda: zstandard.compress(_zeros())),
    "zstd-streamed": ({"name": "zstd", "configuration": {"level": 1}}, _zstd_streamed),
    "gzip": ({"name": "gzip", "configuration": {"level": 1}}, lambda: gzip.compress(_zeros(), 1)),
    "blosc": (
        {"name": "blosc", "configuration": {"cname": "lz4", "clevel": 1, "shuffle": "noshuffle"}},
        lambda: numcodecs.Blosc("lz4", 1, 0).encode(_zeros()),
    ),
    "numcodecs.zlib": ({"name": "numcodecs.zlib"}, lambda: numcodecs.Zlib(1).encode(_zeros())),
}

V2: dict[str, numcodecs.abc.Codec] = {
    "zlib": numcodecs.Zlib(1),
    "bz2": numcodecs.BZ2(1),
    "lzma": numcodecs.LZMA(preset=0),
    "lz4": numcodecs.LZ4(),
    "blosc": numcodecs.Blosc("zstd", 1),
    "zstd": numcodecs.Zstd(1),
}


def _refused(read: Callable[[], Any], key: str) -> BaseException:
    tracemalloc.start()
    try:
        with pytest.raises((CodecError, StoreError)) as info:
            read()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < PEAK, f"read allocated {peak} bytes before refusing"
    assert key in str(info.value)
    return info.value


@pytest.mark.parametrize("name", sorted(V3))
def test_v3_bomb_is_refused_before_decoding(name: str) -> None:
    compressor, make = V3[name]
    store = MemoryStore()
    z = zarrdist.create_array(
        store, shape=(CHUNK,), chunks=(CHUNK,), dtype="u1", compressors=[compressor]
    )
    bomb = make()
    assert len(bomb) < BOMB // 100
    store.set("c/0", bomb)
    error = _refused(lambda: z[:], "c/0")
    assert "refusing to decompress" in str(error)


@pytest.mark.parametrize("name", sorted(V2))
def test_v2_bomb_is_refused_before_decoding(name: str) -> None:
    codec = V2[name]
    store = MemoryStore()
    z = zarrdist.create_array(
        store, shape=(CHUNK,), chunks=(CHUNK,), dtype="u1", zarr_format=2, compressors=codec
    )
    store.set("0", bytes(codec.encode(_zeros())))
    _refused(lambda: z[:], "0")


def test_bomb_inside_a_shard_is_refused() -> None:
    store = MemoryStore()
    # A shard whose one inner chunk decodes to BOMB bytes, planted in an array
    # whose inner chunks hold CHUNK bytes (same layout: one inner chunk per shard).
    big = zarrdist.create_array(
        store,
        name="big",
        shape=(BOMB,),
        chunks=(BOMB,),
        shards=(BOMB,),
        dtype="u1",
        config={"write_empty_chunks": True},
    )
    big[:] = 0
    small = zarrdist.create_array(
        store, name="small", shape=(CHUNK,), chunks=(CHUNK,), shards=(CHUNK,), dtype="u1"
    )
    store.set("small/c/0", store.get("big/c/0"))
    _refused(lambda: small[:], "small/c/0")


def test_zip_member_bomb_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bomb.zip"
    source = MemoryStore()
    zarrdist.create_array(source, shape=(CHUNK,), chunks=(CHUNK,), dtype="u1", compressors=None)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("zarr.json", bytes(source.get("zarr.json")))
        zf.writestr("c/0", _zeros())
    assert path.stat().st_size < BOMB // 100
    z = zarrdist.open_array(zarrdist.storage.ZipStore(path, mode="r"), mode="r")
    error = _refused(lambda: z[:], "c/0")
    assert "refusing to decompress" in str(error)


def test_honest_chunks_still_decode() -> None:
    # The caps sit above what real chunks need, incompressible data included.
    data = np.random.default_rng(0).integers(0, 255, CHUNK, dtype="u1")
    for compressor, _ in V3.values():
        z = zarrdist.create_array(
            MemoryStore(), shape=(CHUNK,), chunks=(CHUNK,), dtype="u1", compressors=[compressor]
        )
        z[:] = data
        np.testing.assert_array_equal(z[:], data)
    for codec in V2.values():
        z = zarrdist.create_array(
            MemoryStore(),
            shape=(CHUNK,),
            chunks=(CHUNK,),
            dtype="u1",
            zarr_format=2,
            compressors=codec,
        )
        z[:] = data
        np.testing.assert_array_equal(z[:], data)
