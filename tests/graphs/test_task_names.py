"""Task names carry the array's path (``zarrdist-read-temperature-<token>``), so a
dashboard's task stream says which array each task works on; dask's ``key_split``
(what the dashboard groups by) keeps the path and drops the token."""

from __future__ import annotations

from typing import Any

import numpy as np
from dask.callbacks import Callback
from dask.utils import key_split

import zarrdist
from zarrdist.stores import MemoryStore


class _Keys(Callback):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()
        self.keys: set[str] = set()

    def _start_state(self, dsk: Any, state: Any) -> None:
        self.names.update(key_split(k) for k in dsk)
        self.keys.update(str(k[0] if isinstance(k, tuple) else k) for k in dsk)


def test_read_write_and_to_dask_names_carry_the_path() -> None:
    root = zarrdist.open_group(MemoryStore(), mode="w")
    z = root.create_group("ocean").create_array(
        "temperature", shape=(40,), chunks=(10,), dtype="f4"
    )
    odd = root.create_array("sea surface-2", shape=(4,), chunks=(2,), dtype="i1")
    with zarrdist.config.set({"direct_max_bytes": 0}), _Keys() as seen:
        z[...] = np.arange(40, dtype="f4")
        np.testing.assert_array_equal(z[5:35], np.arange(5, 35, dtype="f4"))
        z.resize((50,))
        odd[...] = 1
    assert "zarrdist-write-ocean-temperature" in seen.names
    assert "zarrdist-read-ocean-temperature" in seen.names
    assert key_split(z.to_dask().name) == "zarrdist-read-ocean-temperature"
    # Other characters become "_"; the token stays the last word.
    assert any(k.startswith("zarrdist-write-sea_surface_2-") for k in seen.keys)


def test_root_array_names_have_no_path_word() -> None:
    z = zarrdist.create_array(MemoryStore(), shape=(4,), chunks=(2,), dtype="i1")
    assert key_split(z.to_dask().name) == "zarrdist-read"
