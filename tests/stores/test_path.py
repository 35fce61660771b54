"""StorePath: a store and a path inside it, as zarr-python's ``zarr.storage.StorePath``."""

from __future__ import annotations

from pathlib import Path

import pytest
import zarr.storage

from zarrdist.errors import ByteRangeError
from zarrdist.stores import LocalStore, MemoryStore, StorePath, resolve_store, split_store_path


def test_paths_join_and_normalise() -> None:
    store = MemoryStore()
    root = StorePath(store, "/a/b/")
    assert root.path == "a/b"
    assert (root / "c/d").path == "a/b/c/d"
    assert (StorePath(store) / "x").path == "x"
    assert (root / "").path == "a/b"
    assert root == StorePath(store, "a/b")
    assert root != StorePath(MemoryStore(), "a/b")
    assert len({root, StorePath(store, "a/b/")}) == 1


def test_str_and_repr_name_the_store_like_zarr_python(tmp_path: Path) -> None:
    ours = StorePath(LocalStore(tmp_path), "g/x")
    theirs = zarr.storage.StorePath(zarr.storage.LocalStore(tmp_path), "g/x")
    assert str(ours) == str(theirs)
    assert repr(ours) == repr(theirs)


@pytest.mark.parametrize("bad", ["../escape", "a/../../b", "a\\b"])
def test_paths_that_leave_the_store_are_refused(bad: str) -> None:
    store = MemoryStore()
    with pytest.raises(ByteRangeError):
        StorePath(store, bad)
    with pytest.raises(ByteRangeError):
        StorePath(store, "ok") / bad


def test_a_store_is_required() -> None:
    with pytest.raises(TypeError, match="needs a Store"):
        StorePath("/tmp/x.zarr", "a")  # type: ignore[arg-type]


def test_value_at_the_path() -> None:
    store = MemoryStore()
    leaf = StorePath(store, "g") / "zarr.json"
    assert not leaf.exists()
    assert leaf.get() is None
    leaf.set(b"{}")
    assert leaf.exists()
    assert bytes(leaf.get()) == b"{}"  # type: ignore[arg-type]
    assert bytes(store.get("g/zarr.json")) == b"{}"  # type: ignore[arg-type]
    StorePath(store, "g/c/0").set(b"chunk")
    assert not StorePath(store, "g").is_empty()
    leaf.delete()
    assert not leaf.exists()
    assert StorePath(store, "g").delete_dir() == 1
    assert StorePath(store, "g").is_empty()


def test_read_only_follows_the_store() -> None:
    store = MemoryStore()
    assert not StorePath(store).read_only
    assert StorePath(store.with_read_only(True)).read_only


def test_split_and_resolve() -> None:
    store = MemoryStore()
    assert split_store_path(StorePath(store, "a"), "b/c") == (store, "a/b/c")
    assert split_store_path(StorePath(store, "a"), None) == (store, "a")
    assert split_store_path(StorePath(store), None) == (store, None)
    assert split_store_path("x.zarr", "p") == ("x.zarr", "p")
    assert resolve_store(StorePath(store)) is store
    # A path inside the store can only be honoured by a call that takes a node path.
    with pytest.raises(ValueError, match="names a path inside its store"):
        resolve_store(StorePath(store, "a"))
