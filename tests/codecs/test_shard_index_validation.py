"""Bad shard index entries are refused alike by reads, writes and verify, naming the shard key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

import zarrdist
from tests.etl._cli import THREADS, run_cli
from zarrdist.codecs import ShardingCodec
from zarrdist.codecs.sharding import decode_index, encode_index
from zarrdist.errors import CodecError

INDEX_BYTES = 4 * 16 + 4  # four (offset, nbytes) pairs and a crc32c


def _sharded(path: Path, location: str) -> Any:
    array = zarrdist.create_array(
        str(path),
        shape=(16,),
        chunks=(8,),
        serializer=ShardingCodec(chunk_shape=(2,), index_location=location),
        dtype="i4",
        compressors=None,
        fill_value=-1,
    )
    assert array.metadata.codecs[0].index_location == location
    array[:] = np.arange(16, dtype="i4")
    return array


def _rewrite_entry(array: Any, shard: Path, entry: int, offset: int, nbytes: int) -> bytes:
    codec = array.metadata.codecs[0]
    data = shard.read_bytes()
    at_end = codec.index_location == "end"
    raw = data[-INDEX_BYTES:] if at_end else data[:INDEX_BYTES]
    index = decode_index(raw, codec.index_chain, (4,)).copy()
    index[entry] = (offset, nbytes)
    encoded = encode_index(index, codec.index_chain)
    data = data[:-INDEX_BYTES] + encoded if at_end else encoded + data[INDEX_BYTES:]
    shard.write_bytes(data)
    return data


def _cases(location: str, shard_len: int) -> dict[str, tuple[int, int]]:
    index_start = shard_len - INDEX_BYTES if location == "end" else 0
    return {
        "into the index": (index_start + 2, 8),
        "beyond the shard": (shard_len + 64, 8),
        "near 2**63": (2**63 - 4, 8),
        "offset and length wrap": (2**63, 2**63),
    }


@pytest.mark.parametrize("location", ["end", "start"])
@pytest.mark.parametrize(
    "case", ["into the index", "beyond the shard", "near 2**63", "offset and length wrap"]
)
def test_reads_and_writes_refuse_bad_entries(tmp_path: Path, location: str, case: str) -> None:
    array = _sharded(tmp_path / "a.zarr", location)
    shard = tmp_path / "a.zarr" / "c" / "0"
    offset, nbytes = _cases(location, shard.stat().st_size)[case]
    damaged = _rewrite_entry(array, shard, 0, offset, nbytes)
    array = zarrdist.open_array(str(tmp_path / "a.zarr"), mode="r+")
    for read in (lambda: array[0:2], lambda: array[:], lambda: array[0:8]):
        with pytest.raises(CodecError, match=r"c/0") as info:
            read()
        assert "OverflowError" not in repr(info.value)
    with pytest.raises(CodecError, match=r"c/0"):
        array[2:4] = 7  # a partial write reads the other inner chunks of the shard
    assert shard.read_bytes() == damaged  # nothing written over the damaged shard
    assert np.array_equal(array[8:], np.arange(8, 16))  # the other shard reads


@pytest.mark.slow
@pytest.mark.parametrize("location", ["end", "start"])
def test_verify_reports_the_shard(tmp_path: Path, location: str) -> None:
    array = _sharded(tmp_path / "a.zarr", location)
    shard = tmp_path / "a.zarr" / "c" / "0"
    offset, nbytes = _cases(location, shard.stat().st_size)["into the index"]
    _rewrite_entry(array, shard, 1, offset, nbytes)
    result = run_cli("verify", str(tmp_path / "a.zarr"), *THREADS)
    assert result.returncode == 1
    assert "BAD c/0" in result.stdout
    assert "Traceback" not in result.stderr


def test_large_index_is_probed_not_reread(tmp_path: Path) -> None:
    """An index over 64 KiB: a one-byte probe past the furthest chunk, not a re-read."""
    n = 8192
    array = zarrdist.create_array(
        str(tmp_path / "a.zarr"),
        shape=(n,),
        chunks=(n,),
        serializer=ShardingCodec(chunk_shape=(1,)),
        dtype="u1",
        compressors=None,
        fill_value=0,
    )
    array[:] = np.arange(n) % 251 + 1
    shard = tmp_path / "a.zarr" / "c" / "0"
    size = n * 16 + 4
    data = shard.read_bytes()
    codec = array.metadata.codecs[0]
    index = decode_index(data[-size:], codec.index_chain, (n,)).copy()
    assert np.array_equal(array[10:12], [11, 12])
    index[10] = (len(data) - size + 5, 1)  # into the index
    shard.write_bytes(data[:-size] + encode_index(index, codec.index_chain))
    with pytest.raises(CodecError, match=r"c/0"):
        zarrdist.open_array(str(tmp_path / "a.zarr"), mode="r")[10:12]
