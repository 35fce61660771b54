"""MemoryStore: the shared suite, plus its process-bound spec."""

from __future__ import annotations

import gc
import pickle
from collections.abc import Callable

import pytest

from tests.stores._suite import StoreTests, read_in_subprocess
from zarrdist.errors import StoreError
from zarrdist.stores import MemoryStore, Store, StoreSpec


class TestMemoryStore(StoreTests):
    @pytest.fixture
    def store_factory(self) -> Callable[[], Store]:
        return MemoryStore

    def _set_raw(self, store: Store, key: str, value: bytes) -> None:
        assert isinstance(store, MemoryStore)
        store.store_dict[key] = value

    def _get_raw(self, store: Store, key: str) -> bytes | None:
        assert isinstance(store, MemoryStore)
        return store.store_dict.get(key)


def test_wraps_the_user_dict() -> None:
    data: dict[str, bytes] = {"zarr.json": b"{}"}
    store = MemoryStore(data)
    store.set("c/0", memoryview(b"abc"))
    assert data == {"zarr.json": b"{}", "c/0": b"abc"}
    assert type(data["c/0"]) is bytes
    assert store.store_dict is data


def test_values_that_are_other_buffers_read_as_bytes() -> None:
    store = MemoryStore({"k": bytearray(b"0123")})
    assert store.get("k") == b"0123"
    assert type(store.get("k")) is bytes


def test_spec_reopens_the_same_store_in_this_process() -> None:
    store = MemoryStore()
    store.set("k", b"v")
    spec = StoreSpec.from_json(store.spec.to_json())
    assert spec.open() is store
    assert pickle.loads(pickle.dumps(store)) is store
    assert MemoryStore.supports_multiprocess_writes is False


def test_read_only_view_shares_the_dict() -> None:
    store = MemoryStore()
    view = store.with_read_only(True)
    assert isinstance(view, MemoryStore)
    assert view is not store
    store.set("k", b"v")
    assert view.get("k") == b"v"
    assert view.read_only
    assert not store.read_only


def test_spec_fails_clearly_in_another_process() -> None:
    store = MemoryStore()
    store.set("k", b"v")
    result = read_in_subprocess(store.spec, "k")
    assert result.returncode != 0
    assert "StoreError" in result.stderr
    assert "lives in process" in result.stderr
    assert "LocalStore" in result.stderr


def test_spec_of_a_collected_store_fails_clearly() -> None:
    store = MemoryStore()
    spec = store.spec
    del store
    gc.collect()
    with pytest.raises(StoreError, match="garbage collected"):
        spec.open()


def test_registry_does_not_keep_stores_alive() -> None:
    data: dict[str, bytes] = {}
    store = MemoryStore(data)
    spec = store.spec
    import weakref

    ref = weakref.ref(store)
    del store
    gc.collect()
    assert ref() is None
    with pytest.raises(StoreError):
        spec.open()
