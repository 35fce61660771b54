"""Injected store faults (tests/faults/_faultstore.py) around concurrent writers:
failures, delays, stalls, short reads and torn writes at chosen calls."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

import zarrdist
from tests.faults._faultstore import Fault, FaultStore
from zarrdist.config import config
from zarrdist.errors import CodecError, StoreError
from zarrdist.stores import LocalStore, MemoryStore


def test_append_failing_at_its_metadata_write_leaves_the_old_shape() -> None:
    store = FaultStore(MemoryStore(), Fault("set", "zarr.json", nth=1))
    z = zarrdist.create_array(store.store, shape=(4,), chunks=(3,), dtype="i4", fill_value=-1)
    z[:] = [0, 1, 2, 3]
    z = zarrdist.open_array(store, mode="r+")
    with pytest.raises(StoreError, match="injected") as info:
        z.append(np.array([4, 5]))
    assert info.value.key == "zarr.json"
    fresh = zarrdist.open_array(store, mode="r")
    assert fresh.shape == (4,)  # the rows written before the failure are invisible
    np.testing.assert_array_equal(fresh[:], [0, 1, 2, 3])
    z.append(np.array([6, 7]))  # the next append works from the stored shape
    np.testing.assert_array_equal(zarrdist.open_array(store, mode="r")[:], [0, 1, 2, 3, 6, 7])


def test_delayed_metadata_writes_still_keep_every_appended_row(tmp_path: Path) -> None:
    # A slow metadata write widens the window in which unlocked appenders collide.
    store = FaultStore(
        LocalStore(tmp_path / "a.zarr"),
        Fault("set", "zarr.json", nth=None, action="delay", seconds=0.01),
    )
    z = zarrdist.create_array(store, shape=(0,), chunks=(4,), dtype="i4")

    def append(w: int) -> None:
        for i in range(10):
            z.append(np.array([w * 100 + i]))

    threads = [threading.Thread(target=append, args=(w,)) for w in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    values = sorted(zarrdist.open_array(store.store, mode="r")[:].tolist())
    assert values == sorted(w * 100 + i for w in range(3) for i in range(10))


def test_short_read_names_the_key() -> None:
    base = MemoryStore()
    z = zarrdist.create_array(base, shape=(64,), chunks=(64,), dtype="f8")
    z[:] = np.random.default_rng(0).random(64)
    store = FaultStore(base, Fault("get", "c/0", action="short"))
    with pytest.raises((CodecError, StoreError)) as info:
        zarrdist.open_array(store, mode="r")[:]
    assert "c/0" in str(info.value)


def test_torn_write_is_detected_on_read_naming_the_key() -> None:
    # A store that is not atomic (dies mid-upload) keeps half a chunk: reads must
    # fail naming the key, not return garbage.
    base = MemoryStore()
    zarrdist.create_array(base, shape=(64,), chunks=(64,), dtype="f8")
    store = FaultStore(base, Fault("set", "c/0", action="torn"))
    z = zarrdist.open_array(store, mode="r+")
    with pytest.raises(StoreError, match="torn"):
        z[:] = np.random.default_rng(0).random(64)
    with pytest.raises((CodecError, StoreError)) as info:
        zarrdist.open_array(base, mode="r")[:]
    assert "c/0" in str(info.value)


@pytest.mark.timeout(60)
def test_a_stalled_writer_holding_a_lock_makes_others_fail_naming_the_key(
    tmp_path: Path,
) -> None:
    store = FaultStore(LocalStore(tmp_path / "a.zarr"), Fault("set", "c/0", action="stall"))
    z = zarrdist.create_array(store, shape=(4,), chunks=(2,), dtype="i4")
    stalled = threading.Thread(target=z.__setitem__, args=(0, 1))
    stalled.start()
    try:
        assert store.stalled.wait(30)  # it stalls in its set, holding the chunk's lock
        other = zarrdist.open_array(store, mode="r+")
        with config.set({"io.lock_timeout": 0.3}), pytest.raises(StoreError) as info:
            other[1] = 2
        assert info.value.key == "c/0"
        assert "lock not acquired" in str(info.value)
    finally:
        store.release()
        stalled.join()
    np.testing.assert_array_equal(zarrdist.open_array(store, mode="r")[:], [1, 0, 0, 0])
