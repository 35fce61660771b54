"""Faults: a writer killed mid-write, a store that fails on the Nth set, a value that does
not broadcast, a corrupt chunk. Every key always holds complete bytes, old or new."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import zarr

import zarrdist
from tests.graphs._helpers import ENGINES, Engine, FailingStore, assert_same, snapshot
from zarrdist.config import config
from zarrdist.errors import CodecError, StoreError, ValueShapeError
from zarrdist.stores import LocalStore, MemoryStore

SHAPE = (12, 10)
LAYOUTS = {
    "v2": {"zarr_format": 2, "chunks": (3, 2)},
    "v3-sharded": {"zarr_format": 3, "chunks": (3, 2), "shards": (6, 4)},
}
REGION = (slice(1, 11), slice(1, 9))  # partial at every edge: read-modify-writes
OLD = np.arange(120.0).reshape(SHAPE)
NEW = -np.arange(120.0).reshape(SHAPE)

_WRITER = textwrap.dedent(
    """
    import sys, time
    import numpy as np
    import zarrdist
    from zarrdist.config import config
    from zarrdist.stores import LocalStore

    class SlowStore(LocalStore):
        # Each stored object lands, is announced, then the writer dawdles.
        def _set(self, key, value):
            super()._set(key, value)
            print(key, flush=True)
            time.sleep(0.2)

    z = zarrdist.open_array(SlowStore(sys.argv[1]), mode="r+")
    new = -np.arange(120.0).reshape(12, 10)
    with config.set({"direct_max_bytes": 0, "graph.task_bytes": 1,
                     "threading.max_workers": 2}):
        z[1:11, 1:9] = new[1:11, 1:9]
    print("done", flush=True)
    """
)


def _unit_regions(z: zarrdist.Array) -> list[tuple[slice, ...]]:
    unit = z.shards or z.chunks
    return [
        tuple(slice(i * u, min((i + 1) * u, s)) for i, u, s in zip(idx, unit, z.shape, strict=True))
        for idx in np.ndindex(*(-(-s // u) for s, u in zip(z.shape, unit, strict=True)))
    ]


def _after(region: tuple[slice, ...]) -> np.ndarray:
    out = OLD.copy()
    out[REGION] = NEW[REGION]
    return out[region]


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_writer_killed_mid_write_then_rerun(tmp_path: Path, layout: str) -> None:
    root = tmp_path / "a.zarr"
    z = zarrdist.create_array(LocalStore(root), shape=SHAPE, dtype="f8", **LAYOUTS[layout])
    z[:] = OLD
    proc = subprocess.Popen(
        [sys.executable, "-c", _WRITER, str(root)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    landed = [proc.stdout.readline().strip() for _ in range(2)]  # two objects written
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    proc.stdout.close()
    assert "done" not in landed
    # Each storage object is complete: entirely as before, or entirely rewritten.
    reopened = zarrdist.open_array(LocalStore(root), mode="r")
    peer = zarr.open_array(str(root), mode="r")
    states = []
    for region in _unit_regions(reopened):
        got = reopened[region]
        assert_same(np.asarray(peer[region]), got)
        if np.array_equal(got, _after(region)) and not np.array_equal(got, OLD[region]):
            states.append("new")
        else:
            assert_same(got, OLD[region])
            states.append("old")
    assert "new" in states  # the killed writer got somewhere...
    assert "old" in states  # ...but not everywhere
    # Running the same write again finishes the job.
    with config.set({"direct_max_bytes": 0}):
        reopened = zarrdist.open_array(LocalStore(root), mode="r+")
        reopened[REGION] = NEW[REGION]
    expected = _after((slice(None), slice(None)))
    assert_same(zarrdist.open_array(LocalStore(root), mode="r")[...], expected)
    assert_same(np.asarray(zarr.open_array(str(root), mode="r")[...]), expected)


def _bytes_after_write(store: MemoryStore) -> dict[str, bytes]:
    """The bytes a successful write would leave, made on a copy of the store."""
    copy = MemoryStore(dict(store.store_dict))
    z = zarrdist.open_array(copy, mode="r+")
    with config.set({"scheduler": "sync"}):
        z[REGION] = NEW[REGION]
    return snapshot(copy)


@pytest.mark.parametrize("engine", ["sync", "threads"], indirect=True)
@pytest.mark.parametrize("layout", list(LAYOUTS))
@pytest.mark.parametrize("fail_on", [1, 3])
def test_failed_write_leaves_every_key_old_or_new(
    engine: Engine, layout: str, fail_on: int
) -> None:
    """A store failing on the Nth set fails the write. Keys written before the failure
    (or, on threads, by tasks that ran alongside) hold their new bytes; the failed key
    and every key not reached keep their previous bytes. No key is ever partial."""
    base = MemoryStore()
    z = zarrdist.create_array(base, shape=SHAPE, dtype="f8", **LAYOUTS[layout])
    z[:] = OLD
    old = snapshot(base)
    new = _bytes_after_write(base)
    failing = FailingStore(base, fail_on=fail_on)
    with config.set({"graph.task_bytes": 1}), pytest.raises(StoreError, match="injected"):
        zarrdist.open_array(failing, mode="r+")[REGION] = NEW[REGION]
    after = snapshot(base)
    assert failing.failed_key is not None
    assert after[failing.failed_key] == old[failing.failed_key]
    for key in set(old) | set(after):
        assert after.get(key) in (old.get(key), new.get(key)), key
    assert after != new  # the write did not complete...
    if engine.name == "sync":
        assert sum(after[k] != old[k] for k in after) == fail_on - 1  # ...and stopped there
    # The same write again completes it.
    zarrdist.open_array(base, mode="r+")[REGION] = NEW[REGION]
    assert snapshot(base) == new


@pytest.mark.parametrize("engine", ENGINES, indirect=True)
def test_refused_value_writes_nothing(engine: Engine) -> None:
    """A value that does not broadcast is refused before any byte is written."""
    z = zarrdist.create_array(engine.store(), shape=SHAPE, dtype="f8", **LAYOUTS["v3-sharded"])
    z[:] = OLD
    before = snapshot(z.store)
    for direct in (True, False):
        with config.set({"direct_max_bytes": 1 << 30 if direct else 0}):
            with pytest.raises(ValueShapeError):
                z[REGION] = np.ones((10, 7))
            with pytest.raises(ValueShapeError):
                z.oindex[[0, 5], :] = np.ones((3, 10))
            with pytest.raises(ValueError, match="could not broadcast"):  # NumPy's type too
                z[0] = np.ones(11)
    assert snapshot(z.store) == before


def test_corrupt_chunk_names_its_key(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    z = zarrdist.create_array(store, shape=SHAPE, dtype="f8", **LAYOUTS["v2"])
    z[:] = OLD
    store.set("1.2", b"not zstd at all")
    with pytest.raises(CodecError) as info:
        z[3:6, 4:6]
    assert info.value.key == "1.2"
    assert "1.2" in str(info.value)
    with config.set({"direct_max_bytes": 0}), pytest.raises(CodecError, match=r"'1\.2'"):
        z[...]
    with pytest.raises(CodecError, match=r"'1\.2'"):
        z[3, 4] = 0.0  # a partial write must decode the old chunk first
    assert store.get("1.2") == b"not zstd at all"  # and it did not overwrite it
    z[3:6, 4:6] = 1.0  # a whole-chunk write needs no decode: it repairs the chunk
    assert_same(z[3:6, 4:6], np.ones((3, 2)))
