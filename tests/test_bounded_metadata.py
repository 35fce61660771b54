"""Untrusted metadata and huge grids cost bounded time and memory, with errors naming the key."""

from __future__ import annotations

import json
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

import zarrdist
from zarrdist.config import config
from zarrdist.errors import MetadataError
from zarrdist.stores import LocalStore, MemoryStore


def _deep(depth: int) -> bytes:
    return (
        b'{"zarr_format": 3, "node_type": "group", "attributes": {"a": '
        + b"[" * depth
        + b"]" * depth
        + b"}}"
    )


@pytest.mark.parametrize("key", ["zarr.json", ".zattrs"])
def test_deeply_nested_json_is_a_metadata_error_naming_the_key(key: str) -> None:
    store = MemoryStore()
    if key == ".zattrs":
        store.set(".zgroup", b'{"zarr_format": 2}')
        store.set(".zattrs", b'{"a": ' + b"[" * 200_000 + b"]" * 200_000 + b"}")
    else:
        store.set("zarr.json", _deep(200_000))
    with pytest.raises(MetadataError, match="nested too deeply") as info:
        zarrdist.open_group(store, mode="r")
    assert key in str(info.value)


def test_oversized_metadata_document_is_refused_fast(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "big.zarr")
    filler = "x" * (1 << 20)
    document = {
        "zarr_format": 3,
        "node_type": "group",
        "attributes": {f"k{i}": filler for i in range(40)},
    }
    store.set("zarr.json", json.dumps(document).encode())  # 40 MiB
    config.set({"metadata.max_document_bytes": 8 << 20})
    tracemalloc.start()
    start = time.monotonic()
    try:
        with pytest.raises(MetadataError, match=r"metadata\.max_document_bytes") as info:
            zarrdist.open_group(store, mode="r")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "zarr.json" in str(info.value)
    assert time.monotonic() - start < 5
    assert peak < 100 << 20  # the bytes read, never a parsed copy of them
    config.set({"metadata.max_document_bytes": None})
    assert len(zarrdist.open_group(store, mode="r").attrs) == 40  # the limit is the only cause


def test_default_limit_is_documented_in_config() -> None:
    assert config.get("metadata.max_document_bytes") == 128 << 20


@pytest.mark.parametrize("zarr_format", [2, 3])
def test_huge_grids_never_enumerate_chunks(zarr_format: int) -> None:
    array = zarrdist.create_array(
        {}, shape=(10**18,), chunks=(1,), dtype="u1", fill_value=0, zarr_format=zarr_format
    )
    array[5] = 3
    array[10**18 - 1] = 4
    start = time.monotonic()
    assert array.nchunks_initialized == 2
    assert "Chunks initialized : 2/1000000000000000000" in array.info_complete()
    array.resize((10**17,))  # shrink: the chunk past the new end is deleted
    assert array.nchunks_initialized == 1
    array.resize((10**18,))  # regrow: fill values, not the old data
    assert array[10**18 - 1] == 0
    assert array[5] == 3
    array[10**18 - 1] = 4
    array.resize((10**18 - 3,))
    assert array.nchunks_initialized == 1
    square = zarrdist.create_array(
        {}, shape=(10**9, 10**9), chunks=(1, 1), dtype="u1", fill_value=0, zarr_format=zarr_format
    )
    square[3, 3] = 1
    square[-1, -1] = 2
    square.resize((10**8, 10**8))
    assert square.nchunks_initialized == 1
    assert time.monotonic() - start < 10


def test_stored_chunk_count_ignores_keys_that_are_not_chunks() -> None:
    store = MemoryStore()
    array = zarrdist.create_array(store, shape=(4, 4), chunks=(2, 2), dtype="i2", fill_value=0)
    array[:] = np.arange(16).reshape(4, 4)
    store.set("c/01/0", b"x")  # not canonical
    store.set("c/9/0", b"x")  # past the grid
    store.set("c/0", b"x")  # wrong rank
    assert array.nchunks_initialized == 4


def _v3_document(**changes: object) -> dict[str, object]:
    document: dict[str, object] = {
        "zarr_format": 3,
        "node_type": "array",
        "shape": [4],
        "data_type": "int32",
        "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [2]}},
        "chunk_key_encoding": {"name": "default", "configuration": {"separator": "/"}},
        "fill_value": 0,
        "codecs": [{"name": "bytes", "configuration": {"endian": "little"}}],
    }
    document.update(changes)
    return document


@pytest.mark.parametrize(
    ("key", "document"),
    [
        # Found by tests/faults/test_fuzz_corruption.py (each was a bare TypeError or
        # AttributeError from inside the parser).
        (
            ".zarray",
            {
                "zarr_format": 2,
                "shape": [4],
                "chunks": [2],
                "dtype": "<i4",
                "compressor": {"id": []},
                "fill_value": 0,
                "order": "C",
                "filters": None,
            },
        ),
        ("zarr.json", _v3_document(codecs=[None])),
        (
            "zarr.json",
            _v3_document(
                codecs=[
                    {
                        "name": "sharding_indexed",
                        "configuration": {
                            "chunk_shape": [1],
                            "codecs": None,
                            "index_codecs": [{"name": "bytes"}],
                        },
                    }
                ]
            ),
        ),
    ],
)
def test_malformed_documents_are_metadata_errors(key: str, document: object) -> None:
    store = MemoryStore()
    store.set(key, json.dumps(document).encode())
    with pytest.raises(MetadataError) as info:
        zarrdist.open_array(store, mode="r")
    assert key in str(info.value)
