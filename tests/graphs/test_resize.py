"""Resize and append: data first, metadata last; shrinking forgets what falls outside."""

from __future__ import annotations

from typing import Any

import dask.array as da
import numpy as np
import pytest
import zarr

import zarrdist
from tests.graphs._helpers import ENGINES, LAYOUTS, SHAPE, Engine, assert_same, fill_like, sample
from zarrdist.errors import SelectionError
from zarrdist.stores import LocalStore, WrapperStore


def _chunk_keys(z: zarrdist.Array) -> set[str]:
    meta = {"zarr.json", ".zarray", ".zattrs"}
    return {k for k in z.store.list() if k.rsplit("/", 1)[-1] not in meta}


def _peer(z: zarrdist.Array) -> np.ndarray:
    """The array as zarr-python 3.1.5 reads it from the same directory."""
    assert isinstance(z.store, LocalStore)
    return np.asarray(zarr.open_array(str(z.store.root), mode="r")[...])


@pytest.mark.parametrize("engine", ENGINES, indirect=True)
@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_shrink_then_grow_shows_fill(engine: Engine, layout: str) -> None:
    z = zarrdist.create_array(engine.store(), shape=SHAPE, dtype="f8", **LAYOUTS[layout])
    a = sample(z.dtype, SHAPE, 1)
    z[:] = a
    keys_before = _chunk_keys(z)
    z.resize(4, 3)  # both axes shrink: corner units are reset once, by one task
    assert z.shape == (4, 3)
    assert_same(z[...], a[:4, :3])
    # Units wholly outside are gone: with chunks (3, 2) only rows 0-5, cols 0-3 remain;
    # with shards (6, 4) only shard (0, 0).
    expected_units = 1 if layout == "v3-sharded" else 2 * 2
    assert len(_chunk_keys(z)) == expected_units < len(keys_before)
    z.resize(SHAPE)
    ref = fill_like(z)
    ref[:4, :3] = a[:4, :3]
    assert_same(z[...], ref)  # the old data of the edge units did not come back
    assert_same(zarrdist.open_array(z.store, mode="r")[...], ref)
    if isinstance(z.store, LocalStore):
        assert_same(_peer(z), ref)


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_grow_one_axis_shrink_the_other(tmp_path: Any, layout: str) -> None:
    z = zarrdist.create_array(
        LocalStore(tmp_path / "a"), shape=SHAPE, dtype="i4", fill_value=-1, **LAYOUTS[layout]
    )
    a = sample(z.dtype, SHAPE, 1)
    z[:] = a
    z.resize((13, 5))
    ref = np.full((13, 5), -1, dtype="i4")
    ref[:11] = a[:, :5]
    assert_same(z[...], ref)
    assert_same(_peer(z), ref)
    z.resize((13, 7))
    ref = np.pad(ref, ((0, 0), (0, 2)), constant_values=-1)
    assert_same(z[...], ref)
    assert_same(_peer(z), ref)


@pytest.mark.parametrize("engine", ENGINES, indirect=True)
@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_append_numpy_and_dask_along_each_axis(engine: Engine, layout: str) -> None:
    z = zarrdist.create_array(engine.store(), shape=SHAPE, dtype="f8", **LAYOUTS[layout])
    ref = sample(z.dtype, SHAPE, 1)
    z[:] = ref
    rows = sample(z.dtype, (5, 7), 2)
    assert z.append(rows) == (16, 7)
    ref = np.concatenate([ref, rows])
    cols = sample(z.dtype, (16, 3), 3)
    assert z.append(da.from_array(cols, chunks=(7, 2)), axis=1) == (16, 10)
    ref = np.concatenate([ref, cols], axis=1)
    z.append(da.from_array(sample(z.dtype, (2, 10), 4), chunks=1), axis=-2)
    ref = np.concatenate([ref, sample(z.dtype, (2, 10), 4)])
    assert_same(z[...], ref)
    assert_same(zarrdist.open_array(z.store, mode="r")[...], ref)
    if isinstance(z.store, LocalStore):
        assert_same(_peer(z), ref)


def test_append_refuses_bad_shapes_without_writing(tmp_path: Any) -> None:
    z = zarrdist.create_array(LocalStore(tmp_path / "a"), shape=SHAPE, chunks=(3, 2), dtype="f8")
    with pytest.raises(SelectionError, match=r"cannot append data of shape \(2, 6\)"):
        z.append(np.ones((2, 6)))
    with pytest.raises(SelectionError, match="axis 2 is out of range"):
        z.append(np.ones((2, 7)), axis=2)
    assert z.shape == SHAPE
    assert _chunk_keys(z) == set()
    assert zarrdist.open_array(z.store).shape == SHAPE


class _SetOrder(WrapperStore):
    """Records the order of ``set`` and ``delete`` calls."""

    driver = "set-order"

    def __init__(self, store: Any) -> None:
        super().__init__(store)
        self.events: list[tuple[str, str]] = []

    def set(self, key: str, value: Any) -> None:
        self.events.append(("set", key))
        self.store.set(key, value)

    def delete(self, key: str) -> None:
        self.events.append(("delete", key))
        self.store.delete(key)

    @property
    def supports_multiprocess_writes(self) -> bool:  # type: ignore[override]
        return False  # keeps the graph in this process, where the recorder lives


@pytest.mark.parametrize("layout", list(LAYOUTS))
@pytest.mark.parametrize("op", ["append", "grow", "shrink"])
def test_metadata_is_written_after_the_data(tmp_path: Any, layout: str, op: str) -> None:
    store = _SetOrder(LocalStore(tmp_path / "a"))
    z = zarrdist.create_array(store, shape=SHAPE, dtype="f8", **LAYOUTS[layout])
    z[:] = 1.0
    store.events.clear()
    if op == "append":
        z.append(np.full((7, 7), 2.0))
    elif op == "grow":
        z.resize(20, 9)
    else:
        z.resize(4, 3)
    docs = {"zarr.json", ".zarray", ".zattrs"}
    first = next(i for i, e in enumerate(store.events) if e[1] in docs)
    assert all(e[0] == "set" and e[1] in docs for e in store.events[first:])
    assert all(e[1] not in docs for e in store.events[:first])
    if op != "grow":
        assert len(store.events) > 1  # there was data work, and it came first
