"""Helpers the sharding tests share: specs, evolved codecs, byte comparison."""

from __future__ import annotations

from typing import Any

import numpy as np

from zarrdist.codecs import ArraySpec
from zarrdist.codecs.bytes import BytesCodec
from zarrdist.codecs.crc32c import Crc32cCodec
from zarrdist.codecs.sharding import ShardingCodec, split_shard

NO_CRC = (BytesCodec(),)
WITH_CRC = (BytesCodec(), Crc32cCodec())


def spec(shape: tuple[int, ...], dtype: Any, fill: Any = 0, **kw: Any) -> ArraySpec:
    """A shard spec with ``fill`` cast to ``dtype``."""
    dt = np.dtype(dtype)
    return ArraySpec(shape=shape, dtype=dt, fill_value=np.array(fill, dtype=dt)[()], **kw)


def codec(inner: tuple[int, ...], shard_spec: ArraySpec, **kw: Any) -> ShardingCodec:
    """A sharding codec evolved from and validated against ``shard_spec``."""
    evolved = ShardingCodec(inner, **kw).evolve_from_array_spec(shard_spec)
    evolved.validate(shard_spec)
    return evolved


def same_bytes(a: np.ndarray[Any, Any], b: np.ndarray[Any, Any]) -> bool:
    """Equal shape, dtype and bytes (so NaN payloads and -0.0 count)."""
    a, b = np.ascontiguousarray(a), np.ascontiguousarray(b)
    return a.shape == b.shape and a.dtype == b.dtype and a.tobytes() == b.tobytes()


def index_of(sharding: ShardingCodec, data: bytes, shard_spec: ArraySpec) -> np.ndarray[Any, Any]:
    """The decoded index of a stored shard."""
    return split_shard(sharding, data, shard_spec)[0]
