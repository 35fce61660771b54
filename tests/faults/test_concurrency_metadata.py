"""Metadata under concurrency: append, resize, attribute writes, exclusive create and
stale handles, from threads sharing one Array and from separate processes."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import numpy as np
import pytest

import zarrdist
from zarrdist.errors import ContainsNodeError
from zarrdist.stores import LocalStore, MemoryStore

ROWS = 25


def _store(kind: str, tmp_path: Path) -> LocalStore | MemoryStore:
    return LocalStore(tmp_path / "a.zarr") if kind == "local" else MemoryStore()


def _check_rows(z: zarrdist.Array, writers: int) -> None:
    """Every writer's rows are there once: value w * 1000 + i for i < ROWS."""
    data = z[...]
    expected = sorted(w * 1000 + i for w in range(writers) for i in range(ROWS))
    assert z.shape == (writers * ROWS, 2)
    assert sorted(data[:, 0].tolist()) == expected
    np.testing.assert_array_equal(data[:, 1], data[:, 0] * 2)


@pytest.mark.parametrize("kind", ["local", "memory"])
@pytest.mark.parametrize("fmt", [2, 3])
def test_threads_sharing_one_array_append_every_row(tmp_path: Path, kind: str, fmt: int) -> None:
    z = zarrdist.create_array(
        _store(kind, tmp_path), shape=(0, 2), chunks=(4, 2), dtype="i8", zarr_format=fmt
    )
    barrier = threading.Barrier(4)

    def append(w: int) -> None:
        barrier.wait()
        for i in range(ROWS):
            v = w * 1000 + i
            z.append(np.array([[v, 2 * v]]))

    threads = [threading.Thread(target=append, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    _check_rows(zarrdist.open_array(z.store, mode="r"), 4)


_APPENDER = textwrap.dedent(
    """
    import sys, time
    import numpy as np
    import zarrdist
    root, w, start = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    z = zarrdist.open_array(root, mode="r+")
    time.sleep(max(0.0, start - time.time()))
    for i in range(int(sys.argv[4])):
        v = w * 1000 + i
        z.append(np.array([[v, 2 * v]]))
    """
)


def _aliases(tmp_path: Path, n: int) -> list[tuple[str, dict[str, str]]]:
    """The store's path for each of ``n`` processes (half through a symlink), each
    with its own TMPDIR as SLURM gives each job."""
    (tmp_path / "link").symlink_to(tmp_path / "a.zarr")
    out = []
    for w in range(n):
        tmpdir = tmp_path / f"tmp{w}"
        tmpdir.mkdir()
        root = tmp_path / ("link" if w % 2 else "a.zarr")
        out.append((str(root), {**os.environ, "TMPDIR": str(tmpdir)}))
    return out


@pytest.mark.slow
def test_processes_append_every_row(tmp_path: Path) -> None:
    zarrdist.create_array(str(tmp_path / "a.zarr"), shape=(0, 2), chunks=(4, 2), dtype="i8")
    start = time.time() + 1.0  # after the interpreters have started
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _APPENDER, root, str(w), str(start), str(ROWS)], env=env
        )
        for w, (root, env) in enumerate(_aliases(tmp_path, 3))
    ]
    for p in procs:
        assert p.wait(timeout=120) == 0
    _check_rows(zarrdist.open_array(str(tmp_path / "a.zarr"), mode="r"), 3)


@pytest.mark.parametrize("kind", ["local", "memory"])
def test_resize_works_from_the_stored_shape(tmp_path: Path, kind: str) -> None:
    # h1 missed h2's append; its shrink must delete h2's rows beyond the new shape,
    # or a later grow shows them again.
    store = _store(kind, tmp_path)
    h1 = zarrdist.create_array(store, shape=(10,), chunks=(4,), dtype="i4", fill_value=-1)
    h1[:] = np.arange(10)
    h2 = zarrdist.open_array(store, mode="r+")
    h2.append(np.arange(10, 20))
    h1.resize((15,))
    assert h1.shape == (15,)
    h1.resize((20,))
    np.testing.assert_array_equal(h1[:], np.r_[np.arange(15), np.full(5, -1)])


@pytest.mark.parametrize("kind", ["local", "memory"])
def test_attribute_updates_from_threads_all_survive(tmp_path: Path, kind: str) -> None:
    store = _store(kind, tmp_path)
    zarrdist.create_array(store, name="x", shape=(4,), chunks=(2,), dtype="i4")
    zarrdist.open_group(store, path="g", mode="a")
    barrier = threading.Barrier(4)

    def update(w: int) -> None:
        # Each thread through its own handles, as separate processes would.
        mine = zarrdist.open_array(store, path="x", mode="r+")
        group = zarrdist.open_group(store, path="g", mode="r+")
        barrier.wait()
        for i in range(20):
            mine.attrs[f"a{w}-{i}"] = i
            group.attrs.update({f"g{w}-{i}": i})

    threads = [threading.Thread(target=update, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wanted = {f"{w}-{i}": i for w in range(4) for i in range(20)}
    assert dict(zarrdist.open_array(store, path="x", mode="r").attrs) == {
        "a" + k: v for k, v in wanted.items()
    }
    group_attrs = dict(zarrdist.open_group(store, path="g", mode="r").attrs)
    assert group_attrs == {"g" + k: v for k, v in wanted.items()}


_CREATOR = textwrap.dedent(
    """
    import sys, time
    import zarrdist
    from zarrdist.errors import ContainsNodeError
    from zarrdist.stores import LocalStore

    class SlowLookup(LocalStore):
        # Widens the window between "is there a node?" and writing one.
        def get_many(self, keys):
            values = super().get_many(keys)
            time.sleep(0.3)
            return values

    root, dtype, start = sys.argv[1], sys.argv[2], float(sys.argv[3])
    time.sleep(max(0.0, start - time.time()))
    try:
        zarrdist.create_array(SlowLookup(root), name="x", shape=(8,), chunks=(4,),
                              dtype=dtype, overwrite=False)
    except ContainsNodeError:
        print("EXISTS")
    else:
        print("CREATED")
    """
)


@pytest.mark.slow
def test_exclusive_create_has_one_winner_across_processes(tmp_path: Path) -> None:
    (tmp_path / "a.zarr").mkdir()
    start = time.time() + 1.5
    dtypes = ["i1", "f8", "u2"]
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _CREATOR, root, dtype, str(start)],
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        for dtype, (root, env) in zip(dtypes, _aliases(tmp_path, 3), strict=True)
    ]
    outcomes = [p.communicate(timeout=120)[0].strip() for p in procs]
    assert sorted(outcomes) == ["CREATED", "EXISTS", "EXISTS"]
    winner = dtypes[outcomes.index("CREATED")]
    assert zarrdist.open_array(str(tmp_path / "a.zarr"), path="x").dtype == np.dtype(winner)


def test_exclusive_create_refuses_an_existing_node_written_meanwhile() -> None:
    store = MemoryStore()
    zarrdist.create_array(store, name="x", shape=(4,), dtype="i4")
    with pytest.raises(ContainsNodeError):
        zarrdist.create_array(store, name="x", shape=(4,), dtype="f8", overwrite=False)
    assert zarrdist.open_array(store, path="x").dtype == np.dtype("i4")


@pytest.mark.parametrize("kind", ["local", "memory"])
@pytest.mark.parametrize("fmt", [2, 3])
def test_stale_handle_cannot_bring_deleted_data_back(tmp_path: Path, kind: str, fmt: int) -> None:
    store = _store(kind, tmp_path)
    old = zarrdist.create_array(
        store, shape=(20,), chunks=(8,), dtype="i4", fill_value=0, zarr_format=fmt
    )
    old[:] = np.arange(1, 21)
    other = zarrdist.open_array(store, mode="r+")
    other.resize((5,))
    old[12:16] = 99  # a slice past the stored shape selects nothing (NumPy's rule)
    with pytest.raises(IndexError):
        old[6] = 99  # inside the old edge chunk, outside the stored shape
    with pytest.raises(ValueError, match="shape"):
        old[4:8] = [9, 9, 9, 9]  # one element of it is left in the stored shape
    other.resize((20,))
    np.testing.assert_array_equal(other[:], np.r_[np.arange(1, 6), np.zeros(15, "i4")])
    assert old.shape == (5,)  # the stale handle now knows the stored shape


def test_stale_handle_writes_within_a_grown_shape(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "a.zarr")
    old = zarrdist.create_array(store, shape=(4,), chunks=(4,), dtype="i4")
    zarrdist.open_array(store, mode="r+").append(np.arange(4))
    old[6] = 7  # within the stored shape, though not this handle's
    np.testing.assert_array_equal(old[:], [0, 0, 0, 0, 0, 1, 7, 3])
