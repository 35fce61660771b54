"""sharding_indexed against its peers: zarr-python 3.1.5 and TensorStore write and read.

zarr-python writes a sharded array into a temporary directory; zarrdist must encode
each shard to exactly the stored bytes and decode the stored bytes to the same
values. TensorStore writes shards zarrdist decodes, and reads shards zarrdist wrote.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import tensorstore as ts
import zarr
import zarr.codecs as zc

from tests.codecs._sharding_helpers import spec as _spec
from tests.interop._cases import pinned_gzip_mtime
from zarrdist.codecs import ArraySpec
from zarrdist.codecs.sharding import (
    ShardingCodec,
    decode_shard,
    encode_shard,
    index_byte_request,
    is_empty_entry,
    merge_into_shard,
    read_shard_partial,
    split_shard,
)
from zarrdist.stores._base import slice_bytes


def _shard_keys(root: Path) -> list[tuple[str, tuple[int, ...]]]:
    keys = []
    for path in sorted((root / "c").rglob("*")):
        if path.is_file():
            rel = path.relative_to(root / "c").parts
            keys.append(("c/" + "/".join(rel), tuple(int(p) for p in rel)))
    return keys


def _padded_shard(
    data: np.ndarray[Any, Any], grid: tuple[int, ...], shard: tuple[int, ...], fill: Any
) -> np.ndarray[Any, Any]:
    """The shard at ``grid`` as a writer sees it: edge shards padded with the fill value."""
    out = np.full(shard, fill, dtype=data.dtype)
    bounds = zip(grid, shard, data.shape, strict=True)
    src = tuple(slice(g * s, min((g + 1) * s, n)) for g, s, n in bounds)
    out[tuple(slice(0, sl.stop - sl.start) for sl in src)] = data[src]
    return out


def _codec_from_zarr_json(root: Path, spec: ArraySpec) -> ShardingCodec:
    meta = json.loads((root / "zarr.json").read_text())
    (entry,) = meta["codecs"]
    assert entry["name"] == "sharding_indexed"
    codec = ShardingCodec.from_json(entry["configuration"]).evolve_from_array_spec(spec)
    # The metadata zarrdist would write is the metadata zarr-python wrote.
    assert codec.to_json() == entry
    return codec


def _check_against_store(
    root: Path, data: np.ndarray[Any, Any], shard: tuple[int, ...], fill: Any, write_empty: bool
) -> int:
    spec = _spec(shard, data.dtype, fill)
    codec = _codec_from_zarr_json(root, spec)
    keys = _shard_keys(root)
    for key, grid in keys:
        stored = (root / key).read_bytes()
        expected = _padded_shard(data, grid, shard, spec.fill_value)
        ours = encode_shard(codec, expected, spec, write_empty_chunks=write_empty)
        assert ours == stored, key
        decoded = decode_shard(codec, stored, spec)
        np.testing.assert_array_equal(decoded, expected)
    return len(keys)


def _write_zarr(root: Path, data: np.ndarray[Any, Any], fill: Any, **kwargs: Any) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zarr warns about some codecs outside the v3 spec
        arr = zarr.create_array(
            store=root,
            shape=data.shape,
            dtype=data.dtype,
            fill_value=fill,
            filters=None,
            compressors=None,
            **kwargs,
        )
        arr[...] = data


def _data(shape: tuple[int, ...], dtype: str, fill: Any, blank_rows: int) -> np.ndarray[Any, Any]:
    data = np.random.default_rng(0).integers(0, 50, size=shape).astype(dtype)
    data[:blank_rows] = fill  # whole inner chunks and shards equal to the fill value
    return data


INNER_CODECS = {
    "bytes": [zc.BytesCodec()],
    "bytes-big": [zc.BytesCodec(endian="big")],
    "crc32c": [zc.BytesCodec(), zc.Crc32cCodec()],
    "zstd": [zc.BytesCodec(), zc.ZstdCodec(level=1)],
    "gzip": [zc.BytesCodec(), zc.GzipCodec(level=5)],
    "transpose": [zc.TransposeCodec(order=(1, 0)), zc.BytesCodec()],
}


@pytest.mark.parametrize("inner", sorted(INNER_CODECS))
@pytest.mark.parametrize("location", ["end", "start"])
@pytest.mark.parametrize("index_crc", [True, False])
def test_zarr_python_shards_byte_equal(
    tmp_path: Path, inner: str, location: str, index_crc: bool
) -> None:
    index_codecs = [zc.BytesCodec(), zc.Crc32cCodec()] if index_crc else [zc.BytesCodec()]
    serializer = zc.ShardingCodec(
        chunk_shape=(2, 3),
        codecs=INNER_CODECS[inner],
        index_codecs=index_codecs,
        index_location=location,
    )
    # Shard row 0 is all fill (not stored); shard row 1 starts with an empty inner chunk row.
    data = _data((9, 14), "int16", 7, blank_rows=6)
    # gzip stamps the wall clock's second into each member; zarr-python's write and
    # ours must see the same second, or the gzip case fails when one crosses it.
    with pinned_gzip_mtime():
        _write_zarr(tmp_path, data, 7, chunks=(4, 6), serializer=serializer)
        assert _check_against_store(tmp_path, data, (4, 6), 7, write_empty=False) == 6


@pytest.mark.parametrize(
    ("dtype", "fill"),
    [("uint8", 0), ("float32", 0.0), ("float64", np.nan), ("bool", False), ("complex64", 1j)],
)
@pytest.mark.parametrize("write_empty", [False, True])
def test_zarr_python_shards_dtypes(
    tmp_path: Path, dtype: str, fill: Any, write_empty: bool
) -> None:
    data = _data((8, 4, 6), dtype, fill, blank_rows=6)
    _write_zarr(
        tmp_path,
        data,
        fill,
        chunks=(2, 2, 3),
        shards={"shape": (4, 4, 6), "index_location": "end"},
        config={"write_empty_chunks": write_empty},
    )
    stored = _check_against_store(tmp_path, data, (4, 4, 6), fill, write_empty)
    assert stored == (2 if write_empty else 1)


def test_zarr_python_nested_sharding(tmp_path: Path) -> None:
    nested = zc.ShardingCodec(chunk_shape=(2, 2), index_location="start")
    serializer = zc.ShardingCodec(chunk_shape=(4, 4), codecs=[nested, zc.Crc32cCodec()])
    data = _data((16, 8), "uint16", 0, blank_rows=8)
    data[12:14, 4:6] = 0
    _write_zarr(tmp_path, data, 0, chunks=(8, 8), serializer=serializer)
    assert _check_against_store(tmp_path, data, (8, 8), 0, write_empty=False) == 1


def test_partial_read_and_merge_of_zarr_python_shard(tmp_path: Path) -> None:
    data = _data((8, 8), "float32", 0.0, blank_rows=2)
    _write_zarr(tmp_path, data, 0.0, chunks=(2, 2), shards=(8, 8))
    spec = _spec((8, 8), "float32", 0.0)
    codec = _codec_from_zarr_json(tmp_path, spec)
    stored = (tmp_path / "c/0/0").read_bytes()
    requests: list[Any] = []

    def get_index(request: Any) -> bytes:
        requests.append(request)
        return bytes(slice_bytes(stored, request))

    def get_ranges(ranges: Any) -> list[bytes]:
        requests.extend(ranges)
        return [bytes(slice_bytes(stored, r)) for r in ranges]

    needed = [(0, 0), (3, 3), (1, 2)]
    got = read_shard_partial(get_index, get_ranges, codec, spec, needed, max_gap_bytes=0)
    assert got[(0, 0)] is None  # rows 0-1 were written as the fill value: not stored
    for coords in needed[1:]:
        np.testing.assert_array_equal(got[coords], data[codec.inner_selection(coords)])
    assert requests[0] == index_byte_request("end", 16 * 16 + 4)
    # Two inner chunks, the furthest range reaching over the index (see _through_index).
    assert sum(r.end - r.start for r in requests[1:]) == 2 * 16 + 16 * 16 + 4
    # A merge of one inner chunk gives the bytes zarr-python's own partial write stores,
    # and zarr-python reads the shard zarrdist merged.
    update = np.full((2, 2), 5, dtype="float32")
    merged = merge_into_shard(stored, {(0, 0): update}, codec, spec, write_empty_chunks=False)
    assert merged is not None
    arr = zarr.open_array(tmp_path, mode="r+")
    arr[0:2, 0:2] = update
    assert (tmp_path / "c/0/0").read_bytes() == merged
    (tmp_path / "c/0/0").write_bytes(merged)
    expected = data.copy()
    expected[0:2, 0:2] = 5
    np.testing.assert_array_equal(zarr.open_array(tmp_path, mode="r")[...], expected)


# -- TensorStore ---------------------------------------------------------------------------

# zarr.json as zarr-python 3.1.5 writes it for a (6, 8) float32 array in (4, 4) shards
# of (2, 2) inner chunks, zstd inside, index at the start, copied here by hand so that
# TensorStore sees metadata no zarrdist code produced.
_TS_METADATA: dict[str, Any] = {
    "shape": [6, 8],
    "data_type": "float32",
    "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [4, 4]}},
    "chunk_key_encoding": {"name": "default", "configuration": {"separator": "/"}},
    "fill_value": 0.0,
    "codecs": [
        {
            "name": "sharding_indexed",
            "configuration": {
                "chunk_shape": [2, 2],
                "codecs": [
                    {"name": "bytes", "configuration": {"endian": "little"}},
                    {"name": "zstd", "configuration": {"level": 1, "checksum": False}},
                ],
                "index_codecs": [
                    {"name": "bytes", "configuration": {"endian": "little"}},
                    {"name": "crc32c"},
                ],
                "index_location": "start",
            },
        }
    ],
    "attributes": {},
    "zarr_format": 3,
    "node_type": "array",
    "storage_transformers": [],
}


def _ts_data() -> np.ndarray[Any, Any]:
    data = np.arange(48, dtype="float32").reshape(6, 8)
    data[0:2, 4:8] = 0  # two inner chunks equal to the fill value
    return data


def _ts_codec_and_spec() -> tuple[ShardingCodec, ArraySpec]:
    spec = _spec((4, 4), "float32", 0.0)
    config = _TS_METADATA["codecs"][0]["configuration"]
    return ShardingCodec.from_json(config).evolve_from_array_spec(spec), spec


def test_tensorstore_writes_zarrdist_decodes(tmp_path: Path) -> None:
    data = _ts_data()
    store = ts.open(
        {
            "driver": "zarr3",
            "kvstore": {"driver": "file", "path": str(tmp_path)},
            "metadata": {k: v for k, v in _TS_METADATA.items() if k != "storage_transformers"},
            "create": True,
        }
    ).result()
    store[...] = data
    codec, spec = _ts_codec_and_spec()
    keys = _shard_keys(tmp_path)
    assert [grid for _, grid in keys] == [(0, 0), (0, 1), (1, 0), (1, 1)]
    for key, grid in keys:
        stored = (tmp_path / key).read_bytes()
        expected = _padded_shard(data, grid, (4, 4), spec.fill_value)
        np.testing.assert_array_equal(decode_shard(codec, stored, spec), expected)
    index, _ = split_shard(codec, (tmp_path / "c/0/1").read_bytes(), spec)
    assert int((~is_empty_entry(index)).sum()) >= 2  # the rows below the blank ones


def test_tensorstore_reads_zarrdist_shards(tmp_path: Path) -> None:
    data = _ts_data()
    (tmp_path / "zarr.json").write_text(json.dumps(_TS_METADATA))
    codec, spec = _ts_codec_and_spec()
    for gi in range(2):
        for gj in range(2):
            shard = _padded_shard(data, (gi, gj), (4, 4), spec.fill_value)
            encoded = encode_shard(codec, shard, spec, write_empty_chunks=False)
            assert encoded is not None
            path = tmp_path / "c" / str(gi) / str(gj)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(encoded)
    store = ts.open(
        {"driver": "zarr3", "kvstore": {"driver": "file", "path": str(tmp_path)}, "open": True}
    ).result()
    np.testing.assert_array_equal(store.read().result(), data)
    np.testing.assert_array_equal(store[3:6, 1:7].read().result(), data[3:6, 1:7])
