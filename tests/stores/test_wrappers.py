"""WrapperStore, LoggingStore, CacheStore: the shared suite over memory, plus their own jobs."""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.stores._suite import StoreTests
from zarrdist.stores import (
    ByteRequest,
    CacheStore,
    LocalStore,
    LoggingStore,
    MemoryStore,
    RangeByteRequest,
    Store,
    StoreSpec,
    SuffixByteRequest,
    WrapperStore,
)


def _memory_of(store: Store) -> MemoryStore:
    while isinstance(store, WrapperStore):
        store = store.store
    assert isinstance(store, MemoryStore)
    return store


class _OverMemory(StoreTests):
    def _set_raw(self, store: Store, key: str, value: bytes) -> None:
        _memory_of(store).store_dict[key] = value

    def _get_raw(self, store: Store, key: str) -> bytes | None:
        return _memory_of(store).store_dict.get(key)


class TestWrapperStore(_OverMemory):
    @pytest.fixture
    def store_factory(self) -> Callable[[], Store]:
        return lambda: WrapperStore(MemoryStore())


class TestLoggingStore(_OverMemory):
    @pytest.fixture
    def store_factory(self) -> Callable[[], Store]:
        return lambda: LoggingStore(MemoryStore())


class TestCacheStore(_OverMemory):
    @pytest.fixture
    def store_factory(self) -> Callable[[], Store]:
        return lambda: CacheStore(MemoryStore(), max_size_bytes=64)


def test_wrapper_spec_nests_the_base(tmp_path: Path) -> None:
    base = LocalStore(str(tmp_path))
    store = CacheStore(LoggingStore(base, log_level="DEBUG"), max_size_bytes=100)
    assert store.spec.to_json() == {
        "driver": "cache",
        "base": {
            "driver": "logging",
            "base": {"driver": "local", "root": str(tmp_path), "read_only": False},
            "log_level": logging.DEBUG,
            "logger": "zarrdist.stores",
        },
        "max_size_bytes": 100,
    }
    reopened = StoreSpec.from_json(store.spec.to_json()).open()
    assert isinstance(reopened, CacheStore)
    assert isinstance(reopened.store, LoggingStore)
    assert reopened.store.log_level == logging.DEBUG
    assert reopened == store


def test_capabilities_and_read_only_follow_the_base() -> None:
    store = LoggingStore(MemoryStore(read_only=True))
    assert store.read_only
    writable = LoggingStore(MemoryStore()).with_read_only(True)
    assert isinstance(writable, LoggingStore)
    assert writable.read_only


def test_logging_store_counts_every_call() -> None:
    store = LoggingStore(MemoryStore())
    store.set("a", b"1")
    store.set_many({"b": b"2", "c": b"3"})
    store.get("a")
    store.get("a", RangeByteRequest(0, 1))
    store.get_many(["a", "b", "z"])
    store.get_ranges("a", [SuffixByteRequest(1)])
    store.exists("a")
    store.getsize("b")
    list(store.list_prefix(""))
    list(store.list_dir(""))
    store.delete("c")
    assert store.counter == Counter(
        {
            "get": 2,
            "set": 1,
            "set_many": 1,
            "get_many": 1,
            "get_ranges": 1,
            "exists": 1,
            "getsize": 1,
            "list_prefix": 1,
            "list_dir": 1,
            "delete": 1,
        }
    )


def test_logging_store_logs_calls(caplog: pytest.LogCaptureFixture) -> None:
    store = LoggingStore(MemoryStore(), log_level="DEBUG", logger="zarrdist.test")
    with caplog.at_level(logging.DEBUG, logger="zarrdist.test"):
        store.set("c/0", b"x" * 100)
        store.get("c/0")
    messages = [r.getMessage() for r in caplog.records]
    assert len(messages) == 2
    assert ".set('c/0', <100 bytes>)" in messages[0]
    assert ".get('c/0', None)" in messages[1]
    assert all(r.levelno == logging.DEBUG for r in caplog.records)
    with pytest.raises(ValueError, match="unknown log level"):
        LoggingStore(MemoryStore(), log_level="LOUD")


def test_cache_hits_avoid_the_base() -> None:
    base = LoggingStore(MemoryStore())
    base.set("a", b"0123456789")
    store = CacheStore(base, max_size_bytes=100)
    base.counter.clear()
    assert store.get("a") == b"0123456789"
    assert store.get("a") == b"0123456789"
    assert store.get("a", RangeByteRequest(2, 4)) == b"23"
    assert store.get_ranges("a", [SuffixByteRequest(2)]) == [b"89"]
    assert store.get_many(["a", "missing"]) == [b"0123456789", None]
    assert base.counter == Counter({"get": 1, "get_many": 1})
    assert (store.hits, store.misses) == (4, 2)


def test_cache_passes_uncached_ranges_through_without_caching() -> None:
    base = LoggingStore(MemoryStore({"shard": b"x" * 50}))
    store = CacheStore(base, max_size_bytes=100)
    assert store.get("shard", SuffixByteRequest(4)) == b"xxxx"
    assert store.get("shard", SuffixByteRequest(4)) == b"xxxx"
    assert base.counter["get"] == 2
    assert store.cached_bytes == 0


def test_cache_evicts_least_recently_used() -> None:
    store = CacheStore(MemoryStore({k: k.encode() * 10 for k in "abcd"}), max_size_bytes=25)
    store.get("a")
    store.get("b")
    store.get("a")  # now "b" is the least recently used
    store.get("c")
    assert list(store._values) == ["a", "c"]
    assert store.cached_bytes == 20
    store.get("d")
    assert list(store._values) == ["c", "d"]
    big = CacheStore(MemoryStore({"big": b"x" * 30}), max_size_bytes=25)
    assert big.get("big") == b"x" * 30
    assert big.cached_bytes == 0


def test_cache_writes_invalidate() -> None:
    memory = MemoryStore()
    store = CacheStore(memory, max_size_bytes=1000)
    store.set("a", b"old")
    store.set("p/1", b"1")
    assert store.get("a") == b"old"
    assert store.get("p/1") == b"1"
    store.set("a", b"new")
    assert store.get("a") == b"new"
    store.set_many({"a": b"newer"})
    assert store.get("a") == b"newer"
    store.delete("a")
    assert store.get("a") is None
    store.delete_prefix("p")
    assert store.get("p/1") is None
    # A change behind the cache's back is not seen: that is what caching means.
    store.set("b", b"1")
    store.get("b")
    memory.store_dict["b"] = b"2"
    assert store.get("b") == b"1"


class _PausingStore(WrapperStore):
    """A base whose whole-value get of one key pauses after reading."""

    def __init__(self, store: Store) -> None:
        super().__init__(store)
        self.read_done = threading.Event()
        self.resume = threading.Event()

    def get(self, key: str, byte_range: ByteRequest | None = None) -> bytes | memoryview | None:
        value = self._store.get(key, byte_range)
        if key == "k" and not self.resume.is_set():
            self.read_done.set()
            self.resume.wait(10)
        return value


def test_cache_never_keeps_a_value_read_before_a_write() -> None:
    base = _PausingStore(MemoryStore({"k": b"old"}))
    store = CacheStore(base, max_size_bytes=100)
    with ThreadPoolExecutor(max_workers=1) as pool:
        reader = pool.submit(store.get, "k")
        assert base.read_done.wait(10)
        store.set("k", b"new")  # lands while the reader holds the old bytes
        base.resume.set()
        assert reader.result() == b"old"
    assert store.get("k") == b"new"


def test_cache_is_consistent_under_threads() -> None:
    memory = MemoryStore()
    store = CacheStore(memory, max_size_bytes=40)
    keys = [f"k{i}" for i in range(8)]

    def work(worker: int) -> None:
        for round_ in range(200):
            key = keys[(worker + round_) % len(keys)]
            if round_ % 3 == 0:
                store.set(key, b"%d-%d" % (worker, round_))
            else:
                store.get(key)
                store.get_many(keys[:3])

    with ThreadPoolExecutor(max_workers=4) as pool:
        for future in [pool.submit(work, w) for w in range(4)]:
            future.result()
    assert store.cached_bytes <= 40
    assert store.cached_bytes == sum(len(v) for v in store._values.values())
    for key in keys:
        assert store.get(key) == memory.get(key)


def test_cache_over_local_keeps_no_view_of_a_callers_buffer(tmp_path: Path) -> None:
    # LocalStore places values in the caller's buffer; a cache must not keep those
    # views, or writing the buffer again would change what it hands out.
    store = CacheStore(LocalStore(str(tmp_path)), max_size_bytes=1 << 20)
    store.set("a", b"first")
    buffer = bytearray(64)
    assert [bytes(v) for v in store.get_many_into(["a"], buffer)] == [b"first"]  # type: ignore[arg-type]
    buffer[:] = b"\0" * 64
    assert store.get("a") == b"first"
