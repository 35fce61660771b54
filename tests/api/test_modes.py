"""Access modes r, r+, a, w, w- on existing and missing nodes, for every opening function.

File-mode meaning: r read only, r+ read/write existing, a read/write creating when
missing (and never deleting), w create replacing, w- create failing if present.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import zarrdist as zarr
from zarrdist.errors import (
    ArrayNotFoundError,
    ContainsArrayError,
    ContainsGroupError,
    GroupNotFoundError,
    NodeNotFoundError,
    ReadOnlyStoreError,
)
from zarrdist.stores import Store

DATA = np.arange(12, dtype="i4").reshape(3, 4)


def _existing_array(store: Store, path: str = "") -> None:
    z = zarr.create_array(store, name=path, shape=DATA.shape, chunks=(2, 2), dtype="i4")
    z[:] = DATA


@pytest.mark.parametrize("mode", ["r", "r+", "a"])
def test_open_array_existing_keeps_data(store: Store, mode: str) -> None:
    _existing_array(store, "x")
    z = zarr.open_array(store, mode=mode, path="x", shape=(99,), dtype="f8")
    np.testing.assert_array_equal(z[:], DATA)  # shape= is ignored for an existing array
    assert z.shape == DATA.shape


def test_open_array_w_replaces_and_w_minus_refuses(store: Store) -> None:
    _existing_array(store, "x")
    with pytest.raises(ContainsArrayError):
        zarr.open_array(store, mode="w-", path="x", shape=(2,), dtype="i4")
    np.testing.assert_array_equal(zarr.open_array(store, path="x")[:], DATA)
    z = zarr.open_array(store, mode="w", path="x", shape=(2,), dtype="u1")
    assert z.shape == (2,)
    assert z[:].tolist() == [0, 0]
    assert zarr.open_array(store, mode="r", path="x").dtype == np.dtype("u1")


@pytest.mark.parametrize("mode", ["a", "w", "w-"])
def test_open_array_missing_creates(store: Store, mode: str) -> None:
    z = zarr.open_array(store, mode=mode, path="new", shape=(3,), dtype="i2", fill_value=7)
    assert z[:].tolist() == [7, 7, 7]
    assert zarr.open_array(store, mode="r", path="new").fill_value == 7


@pytest.mark.parametrize("mode", ["r", "r+"])
def test_open_array_missing_read_modes_raise(store: Store, mode: str) -> None:
    with pytest.raises(ArrayNotFoundError):
        zarr.open_array(store, mode=mode, path="nope", shape=(3,))
    with pytest.raises(FileNotFoundError):  # the builtin zarr-python code catches
        zarr.open_array(store, mode=mode, path="nope")


def test_open_array_a_without_shape_on_missing_says_how(store: Store) -> None:
    with pytest.raises(ArrayNotFoundError, match="shape="):
        zarr.open_array(store, mode="a", path="nope")


def test_open_array_on_group_raises(store: Store) -> None:
    zarr.create_group(store, path="g")
    with pytest.raises(ContainsGroupError):
        zarr.open_array(store, path="g")
    with pytest.raises(TypeError, match="shape"):
        zarr.open_array(store, mode="w", path="other")


def test_mode_r_is_read_only(tmp_path: Path) -> None:
    path = str(tmp_path / "data.zarr")
    _existing_array(path)  # type: ignore[arg-type]
    z = zarr.open_array(path, mode="r")
    assert z.read_only
    with pytest.raises(ReadOnlyStoreError):
        z[0, 0] = 5
    with pytest.raises(ReadOnlyStoreError):
        z.attrs["a"] = 1
    np.testing.assert_array_equal(zarr.open_array(path, mode="r+")[:], DATA)


@pytest.mark.parametrize("mode", ["r", "r+", "a"])
def test_open_group_existing(store: Store, mode: str) -> None:
    zarr.create_group(store, path="g", attributes={"keep": 1})
    zarr.create_array(store, name="g/x", shape=(2,), dtype="i1")[:] = [1, 2]
    g = zarr.open_group(store, mode=mode, path="g", attributes={"ignored": True})
    assert dict(g.attrs) == {"keep": 1}
    assert g["x"][:].tolist() == [1, 2]


def test_open_group_w_replaces_and_w_minus_refuses(store: Store) -> None:
    zarr.create_group(store, path="g", attributes={"keep": 1})
    zarr.create_array(store, name="g/x", shape=(2,), dtype="i1")
    with pytest.raises(ContainsGroupError):
        zarr.open_group(store, mode="w-", path="g")
    assert "x" in zarr.open_group(store, path="g")
    g = zarr.open_group(store, mode="w", path="g", attributes={"new": 2})
    assert dict(g.attrs) == {"new": 2}
    assert list(g) == []


@pytest.mark.parametrize("mode", ["a", "w", "w-"])
def test_open_group_missing_creates(store: Store, mode: str) -> None:
    g = zarr.open_group(store, mode=mode, path="deep/g", zarr_format=2)
    assert g.zarr_format == 2
    assert isinstance(zarr.open_group(store, mode="r", path="deep"), zarr.Group)


@pytest.mark.parametrize("mode", ["r", "r+"])
def test_open_group_missing_read_modes_raise(store: Store, mode: str) -> None:
    with pytest.raises(GroupNotFoundError):
        zarr.open_group(store, mode=mode, path="nope")


@pytest.mark.parametrize("mode", ["r", "r+", "a"])
def test_open_group_on_array_raises_and_keeps_it(store: Store, mode: str) -> None:
    _existing_array(store, "x")
    with pytest.raises(ContainsArrayError):
        zarr.open_group(store, mode=mode, path="x")
    np.testing.assert_array_equal(zarr.open_array(store, path="x")[:], DATA)


@pytest.mark.parametrize("mode", ["r", "r+", "a"])
def test_open_finds_arrays_and_groups(store: Store, mode: str) -> None:
    _existing_array(store, "x")
    zarr.create_group(store, path="g")
    assert isinstance(zarr.open(store, mode=mode, path="x"), zarr.Array)
    assert isinstance(zarr.open(store, mode=mode, path="g"), zarr.Group)
    np.testing.assert_array_equal(zarr.open(store, mode=mode, path="x")[:], DATA)


def test_open_missing_by_mode(store: Store) -> None:
    for mode in ("r", "r+"):
        with pytest.raises(NodeNotFoundError):
            zarr.open(store, mode=mode, path="missing")
    assert isinstance(zarr.open(store, mode="a", path="ga"), zarr.Group)
    assert isinstance(zarr.open(store, mode="w", path="gw"), zarr.Group)
    assert isinstance(zarr.open(store, mode="w-", path="gwm"), zarr.Group)
    z = zarr.open(store, mode="a", path="za", shape=(2,), dtype="i1")
    assert isinstance(z, zarr.Array)
    assert z.shape == (2,)


def test_open_w_replaces_an_array_with_a_group(store: Store) -> None:
    _existing_array(store, "x")
    assert isinstance(zarr.open(store, mode="w", path="x"), zarr.Group)
    with pytest.raises(ContainsGroupError):
        zarr.open(store, mode="w-", path="x")


def test_default_mode_follows_read_only_store(store: Store) -> None:
    _existing_array(store)
    ro = store.with_read_only(True)
    assert zarr.open(ro).read_only
    with pytest.raises(ValueError, match="mode"):
        zarr.open(store, mode="x")  # type: ignore[arg-type]


def test_create_array_modes(store: Store) -> None:
    _existing_array(store, "x")
    for refusing in ({}, {"mode": "a"}, {"mode": "w-"}):
        with pytest.raises(ContainsArrayError):
            zarr.create_array(store, name="x", shape=(1,), dtype="i1", **refusing)
    np.testing.assert_array_equal(zarr.open_array(store, path="x")[:], DATA)
    with pytest.raises(ValueError, match="mode"):
        zarr.create_array(store, name="x", shape=(1,), dtype="i1", mode="r+")
    assert zarr.create_array(store, name="x", shape=(1,), dtype="i1", mode="w").shape == (1,)
    assert zarr.create_array(store, name="x", shape=(3,), dtype="i1", overwrite=True).shape == (3,)


def test_create_and_save_array_modes(store: Store) -> None:
    _existing_array(store, "x")
    with pytest.raises(ContainsArrayError):
        zarr.create((2,), store=store, path="x")
    with pytest.raises(ContainsArrayError):
        zarr.save_array(store, np.arange(2), path="x")
    np.testing.assert_array_equal(zarr.open_array(store, path="x")[:], DATA)
    zarr.save_array(store, np.arange(2), path="x", mode="w")
    assert zarr.load(store, path="x").tolist() == [0, 1]
    zarr.save_array(store, np.arange(3), path="x", overwrite=True)
    assert zarr.load(store, path="x").tolist() == [0, 1, 2]
    assert zarr.create((2,), store=store, path="x", mode="w").shape == (2,)
    with pytest.raises(ValueError, match="mode"):
        zarr.create((2,), store=store, path="y", mode="r")


def test_group_and_create_group_existing(store: Store) -> None:
    zarr.create_group(store, attributes={"keep": 1})
    assert dict(zarr.group(store).attrs) == {"keep": 1}  # opens, never deletes
    with pytest.raises(ContainsGroupError):
        zarr.create_group(store)
    assert dict(zarr.create_group(store, overwrite=True).attrs) == {}
    assert dict(zarr.group(store, overwrite=True, attributes={"n": 1}).attrs) == {"n": 1}


def test_a_never_deletes_data_anywhere(tmp_path: Path) -> None:
    path = str(tmp_path / "keep.zarr")
    root = zarr.group(path)
    z = root.create_array("x", shape=(4,), chunks=(2,), dtype="i4")
    z[:] = [1, 2, 3, 4]
    root.create_group("g").attrs["v"] = 1
    for _ in range(2):
        zarr.open(path, mode="a")
        zarr.open_group(path, mode="a")
        zarr.group(path)
        zarr.open_array(path, mode="a", path="x", shape=(4,))
        zarr.open(path, mode="a", path="x")
    again = zarr.open_group(path, mode="r")
    assert again["x"][:].tolist() == [1, 2, 3, 4]
    assert dict(again["g"].attrs) == {"v": 1}
    assert sorted(again) == ["g", "x"]
