"""read_missing_chunks (zarr-python 3.4's array config): False refuses to invent fill
values for chunks that are not stored, naming them; stored data is untouched."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import zarrdist as zarr
from zarrdist.errors import ChunkNotFoundError
from zarrdist.storage import MemoryStore


@pytest.mark.parametrize(
    "layout",
    [
        {"chunks": (5,)},
        {"chunks": (1,), "shards": (5,)},
        {"chunks": [[5, 3, 7]], "rectilinear": True},
    ],
    ids=["chunks", "shards", "rectilinear"],
)
def test_missing_units_raise_only_when_asked(layout: dict[str, Any]) -> None:
    layout = dict(layout)
    flag = layout.pop("rectilinear", False)
    store = MemoryStore()
    with zarr.config.set({"array.rectilinear_chunks": flag}):
        z = zarr.create_array(store, shape=(15,), dtype="i2", fill_value=9, **layout)
    z[:4] = np.arange(4)
    strict = zarr.open_array(store, config={"read_missing_chunks": False})
    np.testing.assert_array_equal(strict[:4], np.arange(4))
    # An inner chunk missing from a stored shard still reads as fill, as in zarr-python.
    assert strict[4] == 9
    with pytest.raises(ChunkNotFoundError, match="c/1") as info:
        strict[2:12]
    assert isinstance(info.value, ValueError)
    assert "c/0'" not in str(info.value)
    with zarr.config.set({"direct_max_bytes": 0}), pytest.raises(ChunkNotFoundError):
        strict[...]  # the graph path checks too
    relaxed = zarr.open_array(store)
    np.testing.assert_array_equal(relaxed[...], [0, 1, 2, 3] + [9] * 11)


def test_global_config_and_unknown_keys() -> None:
    store = MemoryStore()
    zarr.create_array(store, shape=(4,), chunks=(2,), dtype="u1")
    with (
        zarr.config.set({"array.read_missing_chunks": False}),
        pytest.raises(ChunkNotFoundError, match="2 chunk"),
    ):
        zarr.open_array(store)[...]
    with pytest.raises(ValueError, match="unknown array config keys"):
        zarr.open_array(store, config={"read_missing": False})
