"""LocalStore: the shared suite, plus atomic writes, root confinement, locks, zarr interop."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import zarr

from tests.stores._suite import BAD_KEYS, StoreTests
from zarrdist.config import config
from zarrdist.errors import ByteRangeError, StoreError
from zarrdist.stores import FileLock, LocalStore, RangeByteRequest, Store, SuffixByteRequest
from zarrdist.stores import _local as local_module
from zarrdist.stores import _rename as rename_module


class TestLocalStore(StoreTests):
    reopen_in_subprocess = True

    @pytest.fixture
    def store_factory(self, tmp_path: Path) -> Callable[[], Store]:
        return lambda: LocalStore(tmp_path / uuid.uuid4().hex)

    def _set_raw(self, store: Store, key: str, value: bytes) -> None:
        assert isinstance(store, LocalStore)
        path = store.root / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(value)

    def _get_raw(self, store: Store, key: str) -> bytes | None:
        assert isinstance(store, LocalStore)
        path = store.root / key
        return path.read_bytes() if path.is_file() else None


@pytest.fixture
def sandbox(tmp_path: Path) -> tuple[LocalStore, Path]:
    """A store at tmp/root and a file beside it, outside the root."""
    outside = tmp_path / "x"
    outside.write_bytes(b"outside")
    (tmp_path / "b").write_bytes(b"outside-b")
    return LocalStore(tmp_path / "root" / "sub"), outside


@pytest.mark.parametrize("key", [*BAD_KEYS, "../../x", "../sub/../../x"])
def test_refused_keys_leave_outside_files_untouched(
    sandbox: tuple[LocalStore, Path], key: str
) -> None:
    store, outside = sandbox
    calls: list[Callable[[], object]] = [
        lambda: store.set(key, b"evil"),
        lambda: store.delete(key),
    ]
    for call in calls:
        with pytest.raises(ByteRangeError):
            call()
    with pytest.raises(ByteRangeError):
        store.delete_prefix("../..")
    assert outside.read_bytes() == b"outside"
    assert (outside.parent / "b").read_bytes() == b"outside-b"
    assert not (outside.parent / "root").exists()


def test_spec_url_and_modes(tmp_path: Path) -> None:
    store = LocalStore(str(tmp_path / "d"))
    assert store.spec.to_json() == {
        "driver": "local",
        "root": str(tmp_path / "d"),
        "read_only": False,
    }
    assert store.url == (tmp_path / "d").as_uri()
    assert LocalStore(tmp_path, mode="r").read_only
    for mode in ("r+", "a", "w", "w-"):
        assert not LocalStore(tmp_path, mode=mode).read_only
    with pytest.raises(ValueError, match="unknown access mode"):
        LocalStore(tmp_path, mode="rw")
    with pytest.raises(ValueError, match="read_only=True"):
        LocalStore(tmp_path, mode="a", read_only=True)


def test_relative_root_is_made_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    store = LocalStore("rel")
    store.set("k", b"v")
    assert store.spec.to_json()["root"] == str(tmp_path / "rel")
    assert (tmp_path / "rel" / "k").read_bytes() == b"v"


def test_root_and_parents_created_lazily(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "lazy")
    assert not (tmp_path / "lazy").exists()
    assert list(store.list()) == []
    store.set("a/b/c/d", b"deep")
    assert (tmp_path / "lazy" / "a" / "b" / "c" / "d").read_bytes() == b"deep"


def test_write_under_a_file_names_the_key(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    store.set("a", b"file")
    with pytest.raises(StoreError, match="a/b"):
        store.set("a/b", b"x")
    assert store.get("a") == b"file"


def test_temporary_files_never_listed(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    store.set("c/0", b"x")
    (tmp_path / "c" / f".0.zarrdist-{uuid.uuid4().hex}.partial").write_bytes(b"half")
    assert list(store.list()) == ["c/0"]
    assert list(store.list_dir("c")) == ["0"]
    assert any(n.endswith(".partial") for n in os.listdir(tmp_path / "c"))


def test_no_temporary_file_left_behind(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    for i in range(5):
        store.set("k", b"%d" % i)
    assert os.listdir(tmp_path) == ["k"]


def test_temporary_names_are_unique_and_hidden(tmp_path: Path) -> None:
    tokens = {local_module._tmp_token() for _ in range(1000)}
    assert len(tokens) == 1000
    names = [f".0.zarrdist-{t}.partial" for t in tokens]
    assert all(local_module.TMP_NAME.match(n) for n in names)
    before = local_module._token_prefix
    local_module._new_token_prefix()  # what a forked child runs
    assert local_module._token_prefix != before
    assert local_module._tmp_token()[:16] == local_module._token_prefix


def test_taken_temporary_name_draws_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A fork's twin (or any other process) holds the name drawn first: that file is
    # left alone and the write goes through a new name.
    store = LocalStore(tmp_path)
    store.set("c/0", b"old")
    taken = "f" * 32
    theirs = tmp_path / "c" / f".0.zarrdist-{taken}.partial"
    theirs.write_bytes(b"another writer's half")
    draws = iter([taken, "e" * 32])
    monkeypatch.setattr(local_module, "_tmp_token", lambda: next(draws))
    store.set("c/0", b"new")
    assert store.get("c/0") == b"new"
    assert theirs.read_bytes() == b"another writer's half"
    assert sorted(os.listdir(tmp_path / "c")) == sorted(["0", theirs.name])


def test_short_writes_are_completed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_write = os.write
    calls: list[int] = []

    def short_write(fd: int, data: Any) -> int:
        calls.append(len(data))
        return real_write(fd, bytes(memoryview(data)[:7]))

    monkeypatch.setattr(local_module.os, "write", short_write)
    store = LocalStore(tmp_path)
    value = bytes(range(256)) * 3
    store.set("k", value)
    store.set("v", memoryview(bytearray(value))[5:100])
    monkeypatch.undo()
    assert store.get("k") == value
    assert store.get("v") == value[5:100]
    assert len(calls) > len(value) // 7


def test_rewrite_swaps_the_old_value_out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if rename_module._renameat2 is None:
        pytest.skip("no renameat2 on this platform")
    calls: list[object] = []
    real_replace, real_rename2 = os.replace, rename_module.rename2

    def rename2(a: str, b: str, flags: int) -> int:
        failed = real_rename2(a, b, flags)
        calls.append((flags, failed))
        return failed

    monkeypatch.setattr(os, "replace", lambda a, b: (calls.append("replace"), real_replace(a, b)))
    monkeypatch.setattr(rename_module, "rename2", rename2)
    monkeypatch.setattr(rename_module.last_swap, "new_name", False)
    exchange, noreplace = rename_module.RENAME_EXCHANGE, rename_module.RENAME_NOREPLACE
    store = LocalStore(tmp_path)
    store.set("c/0", b"old")  # a new name where a rewrite was expected: one wasted call
    store.set("c/1", b"one")  # then new names cost one rename that replaces nothing
    assert calls == [(exchange, errno.ENOENT), "replace", (noreplace, 0)]
    calls.clear()
    with open(tmp_path / "c" / "0", "rb") as reader:  # a reader of the old value
        store.set("c/0", b"new")
        assert reader.read() == b"old"
    store.set("c/1", b"two")  # existing names: swapped, then the old file unlinked
    assert calls == [(noreplace, errno.EEXIST), (exchange, 0), (exchange, 0)]
    assert store.get("c/0") == b"new"
    assert store.get("c/1") == b"two"
    assert sorted(os.listdir(tmp_path / "c")) == ["0", "1"]


@pytest.mark.parametrize("exchange", [True, False])
def test_directory_at_the_key_is_refused_and_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exchange: bool
) -> None:
    if not exchange:
        monkeypatch.setattr(rename_module, "_renameat2", None)
    store = LocalStore(tmp_path)
    store.set("a/b", b"inside")
    with pytest.raises(StoreError, match="key='a'"):
        store.set("a", b"x")
    assert os.listdir(tmp_path) == ["a"]
    assert store.get("a/b") == b"inside"
    assert os.listdir(tmp_path / "a") == ["b"]


def test_exchange_is_loaded_on_linux_only(monkeypatch: pytest.MonkeyPatch) -> None:
    # Elsewhere libc cannot be opened by None (on Windows that is a TypeError).
    for platform in ("win32", "darwin"):
        monkeypatch.setattr(rename_module.sys, "platform", platform)
        assert rename_module.load_renameat2() is None
    monkeypatch.setattr(rename_module.sys, "platform", "linux")
    function = rename_module.load_renameat2()
    assert function is None or callable(function)


def test_reads_without_pread_or_readv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Windows has neither: ranges seek and read, and get_many_into reads as get_many.
    store = LocalStore(tmp_path)
    value = bytes(range(256)) * 400
    store.set("a", value)
    store.set("b", b"small")
    monkeypatch.setattr(local_module, "_pread_call", local_module._seek_read)
    monkeypatch.delattr(local_module.os, "readv")
    assert store.get_ranges("a", [RangeByteRequest(5, 9), SuffixByteRequest(3)]) == [
        value[5:9],
        value[-3:],
    ]
    assert store.get("a") == value
    got = store.get_many_into(["a", "b", "missing"], bytearray(1 << 20))
    assert got == [value, b"small", None]
    assert all(not isinstance(v, memoryview) for v in got)


def test_rewrite_without_exchange(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rename_module, "_renameat2", None)
    store = LocalStore(tmp_path)
    for i in range(3):
        store.set("k", b"%d" % i)
    assert store.get("k") == b"2"
    assert os.listdir(tmp_path) == ["k"]


def test_get_many_into_places_what_fits_in_the_buffer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = LocalStore(tmp_path)
    values = {"a": b"1" * 10, "b": b"2" * 30, "c": b"3" * 5, "d": b"", "e": b"5" * 20}
    for key, value in values.items():
        store.set(key, value)
    buffer = bytearray(40)
    got = store.get_many_into(["a", "b", "missing", "c", "d", "e"], buffer)
    assert [None if v is None else bytes(v) for v in got] == [
        values["a"],
        values["b"],
        None,
        values["c"],
        values["d"],
        values["e"],
    ]
    # "a", "c", "d" and "e" fit, one after another. "b" is read whole: it filled
    # the 30 bytes left, so it might have gone on.
    assert [isinstance(v, memoryview) for v in got] == [True, False, False, True, True, True]
    assert bytes(buffer[:10]) == values["a"]
    assert bytes(buffer[10:15]) == values["c"]
    # Reads that wait on a device go to the reader threads, as bytes.
    monkeypatch.setattr(local_module, "_PROBE_KEYS", 1)
    monkeypatch.setattr(local_module, "_waits_on_device", lambda values, elapsed, blocks=None: True)
    got = store.get_many_into(["a", "c", "e"], bytearray(64))
    assert [bytes(v) for v in got] == [values["a"], values["c"], values["e"]]  # type: ignore[arg-type]
    assert [isinstance(v, memoryview) for v in got] == [True, False, False]


def test_fsync_config_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    synced: list[int] = []
    real_fsync = os.fsync

    def counting_fsync(fd: int) -> None:
        synced.append(fd)
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", counting_fsync)
    store = LocalStore(tmp_path)
    store.set("a", b"no sync")
    assert synced == []
    with config.set({"io.fsync": True}):
        store.set("b/c", b"synced")
    assert len(synced) == 2  # the file, then its directory
    assert store.get("b/c") == b"synced"


def test_delete_prunes_empty_directories(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    store.set("a/b/c", b"1")
    store.set("a/d", b"2")
    store.delete("a/b/c")
    assert sorted(os.listdir(tmp_path / "a")) == ["d"]
    store.delete("a/d")
    assert os.listdir(tmp_path) == []
    assert tmp_path.is_dir()


def test_delete_prefix_removes_the_directory(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    store.set_many({f"arr/c/{i}/{j}": b"x" for i in range(4) for j in range(5)})
    store.set("arrow", b"kept")
    assert store.delete_prefix("arr/c") == 20
    assert not (tmp_path / "arr").exists()
    assert store.get("arrow") == b"kept"


@pytest.mark.parametrize("slow_device", [False, True])
def test_get_many_returns_values_in_order_on_both_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, slow_device: bool
) -> None:
    # Reads from the page cache stay in the calling thread; a slow probe sends the
    # rest to threads. Both must return every value in key order.
    monkeypatch.setattr(
        local_module, "_waits_on_device", lambda values, elapsed, blocks=None: slow_device
    )
    store = LocalStore(tmp_path)
    values = {f"c/{i}": os.urandom(1000 + i) for i in range(40)}
    store.set_many(values)
    keys = [*values, "missing"]
    assert store.get_many(keys) == [*values.values(), None]
    assert store.get_many(keys[:3]) == list(values.values())[:3]
    assert store.get_many([]) == []


@pytest.mark.parametrize("extra", [-1, 0, 1, 3 << 20])
def test_values_around_the_first_read_size_come_back_whole(tmp_path: Path, extra: int) -> None:
    # Small files are read in one call; a file filling that read is sized and reread.
    value = os.urandom(local_module._FIRST_READ + extra)
    store = LocalStore(tmp_path)
    store.set("c/0", value)
    assert store.get("c/0") == value
    assert store.get_many(["c/0", "c/1"]) == [value, None]


def test_waits_on_device_tells_cached_reads_from_slow_ones() -> None:
    small, big = [b"x" * 8192] * 8, [b"x" * (1 << 20)] * 8
    assert not local_module._waits_on_device(small, 8 * 15e-6)  # page-cache speed
    assert local_module._waits_on_device(small, 8 * 500e-6)  # a disk seek each
    assert not local_module._waits_on_device(big, 8 * 600e-6)  # 1.7 GiB/s copies
    assert local_module._waits_on_device(big, 8 * 5e-3)  # 200 MiB/s: a disk
    assert not local_module._waits_on_device([None] * 8, 8 * 10e-6)  # missing keys
    # Where the system counts the blocks a thread read from devices, they decide: a
    # probe slowed by another thread holding the GIL read nothing from a device.
    assert not local_module._waits_on_device(small, 8 * 5e-3, blocks=0)
    assert local_module._waits_on_device(small, 8 * 15e-6, blocks=16)


def test_a_probe_from_the_page_cache_reads_in_the_calling_thread_however_slow(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Reads from the page cache count no device blocks: however long the probe took
    # (here: every read made slow), the rest is read in the calling thread.
    if local_module._blocks_read() is None:
        pytest.skip("the system does not count device blocks per thread")
    store = LocalStore(tmp_path)
    values = {f"c/{i}": os.urandom(2000) for i in range(local_module._PROBE_KEYS * 3)}
    store.set_many(values)
    store.get_many(list(values))  # in the page cache now
    real_read_whole = local_module._read_whole
    threads: set[str] = set()

    def slow_read(path: str) -> bytes:
        threads.add(threading.current_thread().name)
        time.sleep(0.002)  # as if waiting for the GIL or a loaded machine
        return real_read_whole(path)

    monkeypatch.setattr(local_module, "_read_whole", slow_read)
    assert store.get_many(list(values)) == list(values.values())
    assert threads == {threading.current_thread().name}


def test_threads_hammering_one_key_never_see_torn_values(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    size, writers, rounds = 256 * 1024, 6, 15
    values = [bytes([i]) * size for i in range(writers)]
    done = threading.Event()

    def write(i: int) -> None:
        for _ in range(rounds):
            store.set("chunk", values[i])

    def read() -> int:
        reads = 0
        while not done.is_set():
            value = store.get("chunk")
            assert value is None or value in values, "torn read"
            reads += 1
        return reads

    with ThreadPoolExecutor(max_workers=writers + 2) as pool:
        readers = [pool.submit(read) for _ in range(2)]
        for future in [pool.submit(write, i) for i in range(writers)]:
            future.result()  # re-raises a writer's error here
        done.set()
        assert all(r.result() > 0 for r in readers)
    assert store.get("chunk") in values
    assert os.listdir(tmp_path) == ["chunk"]


def test_zarr_python_reads_what_localstore_writes(tmp_path: Path) -> None:
    # zarr-python encodes into a plain dict; LocalStore writes those bytes to disk.
    encoded: dict[str, Any] = {}
    array = zarr.create_array(
        zarr.storage.MemoryStore(encoded), shape=(7, 5), chunks=(3, 2), dtype="i4"
    )
    array[:] = np.arange(35, dtype="i4").reshape(7, 5)
    ours = LocalStore(tmp_path / "a.zarr")
    ours.set_many({k: v.to_bytes() for k, v in encoded.items()})
    back = zarr.open_array(zarr.storage.LocalStore(tmp_path / "a.zarr", read_only=True))
    np.testing.assert_array_equal(back[:], np.arange(35).reshape(7, 5))


def test_localstore_reads_what_zarr_python_writes(tmp_path: Path) -> None:
    data = np.linspace(0, 1, 24).reshape(4, 6)
    zarr.create_array(tmp_path / "z.zarr", shape=(4, 6), chunks=(2, 4), dtype="f8")[:] = data
    ours = LocalStore(tmp_path / "z.zarr", mode="r")
    keys = sorted(ours.list())
    assert keys == ["c/0/0", "c/0/1", "c/1/0", "c/1/1", "zarr.json"]
    for key in keys:
        assert ours.get(key) == (tmp_path / "z.zarr" / key).read_bytes()
    assert sorted(ours.list_dir("c")) == ["0", "1"]


def test_lock_serialises_threads(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    store.set("count", b"0")

    def bump() -> None:
        for _ in range(25):
            with store.lock("count"):
                store.set("count", b"%d" % (int(store.get("count") or b"0") + 1))

    threads = [threading.Thread(target=bump) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert store.get("count") == b"100"
    assert list(store.list()) == ["count"]  # the lock file is hidden from listings


def test_lock_excludes_other_processes(tmp_path: Path) -> None:
    # The other process reaches the store through a symlink and another TMPDIR:
    # the lock lives at the store's real root, so it is the same lock.
    store = LocalStore(tmp_path / "data")
    store.set("zarr.json", b"{}")
    alias = tmp_path / "alias"
    alias.symlink_to(tmp_path / "data")
    code = (
        "import sys\n"
        "from zarrdist.stores import LocalStore\n"
        "lock = LocalStore(sys.argv[1]).lock('c/0', timeout=0.2)\n"
        "try:\n"
        "    lock.acquire()\n"
        "except Exception as exc:\n"
        "    print(type(exc).__name__, exc)\n"
        "else:\n"
        "    print('ACQUIRED')\n"
    )
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    with store.lock("c/0") as held:
        assert held.locked
        busy = subprocess.run(
            [sys.executable, "-c", code, str(alias)],
            capture_output=True,
            text=True,
            check=True,
            env=env,
        )
    assert busy.stdout.startswith("StoreError lock not acquired within 0.2 s")
    assert "key='c/0'" in busy.stdout
    free = subprocess.run(
        [sys.executable, "-c", code, str(alias)],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    assert free.stdout.strip() == "ACQUIRED"


def test_lock_misuse_is_an_error(tmp_path: Path) -> None:
    lock = FileLock(str(tmp_path / "lock"), "k")
    with pytest.raises(StoreError, match="not held"):
        lock.release()
    lock.acquire()
    with pytest.raises(StoreError, match="already held"):
        lock.acquire()
    lock.release()
    assert not lock.locked


class _RecordingLock:
    """Stands in for the small-reads lock: records whether a read held it."""

    def __init__(self) -> None:
        self.entered = 0

    def __enter__(self) -> None:
        self.entered += 1

    def __exit__(self, *exc: object) -> None:
        return None


@pytest.mark.parametrize(("size", "takes_turns"), [(8192, True), (200_000, False)])
def test_small_cached_reads_take_turns_between_threads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: int, takes_turns: bool
) -> None:
    # Threads reading small files from the page cache at once hand the GIL over at
    # every system call; they take turns instead. Large values (copies, which run
    # without the GIL) and reads that wait on a device still overlap.
    lock = _RecordingLock()
    monkeypatch.setattr(local_module, "_small_reads", lock)
    monkeypatch.setattr(
        local_module, "_waits_on_device", lambda values, elapsed, blocks=None: False
    )
    store = LocalStore(tmp_path)
    values = {f"c/{i}": os.urandom(size) for i in range(local_module._PROBE_KEYS + 4)}
    store.set_many(values)
    assert store.get_many(list(values)) == list(values.values())
    assert lock.entered == (1 if takes_turns else 0)
    assert local_module._small([None, b"x"])
    assert not local_module._small([None, None])
