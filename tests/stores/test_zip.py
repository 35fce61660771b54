"""ZipStore: the shared suite, plus duplicate members, zip-slip and zarr-python interop."""

from __future__ import annotations

import uuid
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import zarr

from tests.stores._suite import StoreTests, read_in_subprocess
from zarrdist.errors import ByteRangeError, StoreError
from zarrdist.stores import RangeByteRequest, Store, StoreSpec, SuffixByteRequest, ZipStore


class TestZipStore(StoreTests):
    overwrite_warns = True
    reopen_in_subprocess = True

    @pytest.fixture
    def store_factory(self, tmp_path: Path) -> Iterator[Callable[[], Store]]:
        made: list[ZipStore] = []

        def make() -> ZipStore:
            made.append(ZipStore(tmp_path / f"{uuid.uuid4().hex}.zip", mode="w"))
            return made[-1]

        yield make
        for store in made:
            store.close()

    def _set_raw(self, store: Store, key: str, value: bytes) -> None:
        assert isinstance(store, ZipStore)
        with store._lock:
            archive = store._archive()
            archive.writestr(key, value)

    def _get_raw(self, store: Store, key: str) -> bytes | None:
        assert isinstance(store, ZipStore)
        # Read the file as another reader would: from its central directory.
        store.close()
        with zipfile.ZipFile(store.path) as archive:
            try:
                return archive.read(key)
            except KeyError:
                return None

    def read_only_copy(self, store: Store) -> Store:
        assert isinstance(store, ZipStore)
        return ZipStore(store.path, mode="r")

    def share(self, store: Store) -> None:
        store.close()


def test_cannot_delete_members(tmp_path: Path) -> None:
    with ZipStore(tmp_path / "a.zip", mode="w") as store:
        store.set("k", b"v")
        store.delete("missing")  # nothing to delete is fine
        with pytest.raises(StoreError, match="cannot delete"):
            store.delete("k")
        with pytest.raises(StoreError, match="cannot delete"):
            store.delete_prefix("")
        assert store.get("k") == b"v"
    assert ZipStore.supports_deletes is False
    assert ZipStore.supports_multiprocess_writes is False


def test_overwrite_appends_a_duplicate_and_reads_the_latest(tmp_path: Path) -> None:
    path = tmp_path / "dup.zip"
    with ZipStore(path, mode="w") as store:
        store.set("c/0", b"old")
        with pytest.warns(UserWarning, match=r"overwriting 'c/0' .* duplicate"):
            store.set("c/0", b"newer")
        assert store.get("c/0") == b"newer"
        assert list(store.list()) == ["c/0"]
    with zipfile.ZipFile(path) as archive:
        assert archive.namelist() == ["c/0", "c/0"]
        assert archive.read("c/0") == b"newer"
    assert ZipStore(path).get("c/0") == b"newer"


def test_zarr_python_reads_the_latest_duplicate(tmp_path: Path) -> None:
    def encode(data: np.ndarray[Any, Any]) -> dict[str, bytes]:
        encoded: dict[str, Any] = {}
        array = zarr.create_array(
            zarr.storage.MemoryStore(encoded), shape=(6,), chunks=(4,), dtype="i2"
        )
        array[:] = data
        return {k: v.to_bytes() for k, v in encoded.items()}

    with ZipStore(tmp_path / "a.zip", mode="w") as ours:
        ours.set_many(encode(np.arange(6, dtype="i2")))
        with pytest.warns(UserWarning, match="duplicate"):
            ours.set_many(encode(np.arange(6, dtype="i2") * -1))
    back = zarr.open_array(zarr.storage.ZipStore(tmp_path / "a.zip", mode="r"))
    np.testing.assert_array_equal(back[:], np.arange(6) * -1)


def test_hostile_archive_names_are_never_listed_or_reachable(tmp_path: Path) -> None:
    path = tmp_path / "hostile.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("../evil", b"x")
        archive.writestr("/abs", b"x")
        archive.writestr("dir/", b"")
        archive.writestr("ok/zarr.json", b"{}")
    store = ZipStore(path)
    assert list(store.list()) == ["ok/zarr.json"]
    assert list(store.list_dir("")) == ["ok"]
    for key in ("../evil", "/abs"):
        with pytest.raises(ByteRangeError):
            store.get(key)
    assert store.get("dir/") is None
    assert not (tmp_path.parent / "evil").exists()


def test_refused_keys_leave_the_archive_untouched(tmp_path: Path) -> None:
    path = tmp_path / "a.zip"
    with ZipStore(path, mode="w") as store:
        store.set("k", b"v")
        for key in ("../x", "/abs", "a\\b", "a/../b"):
            with pytest.raises(ByteRangeError):
                store.set(key, b"evil")
    with zipfile.ZipFile(path) as archive:
        assert archive.namelist() == ["k"]
    assert not (tmp_path.parent / "x").exists()


def test_byte_ranges_of_a_deflated_member(tmp_path: Path) -> None:
    with ZipStore(tmp_path / "d.zip", mode="w", compression=zipfile.ZIP_DEFLATED) as store:
        store.set("v", bytes(range(256)) * 4)
        assert store.get("v", RangeByteRequest(250, 260)) == bytes(range(250, 256)) + bytes(
            range(4)
        )
        assert store.get_ranges("v", [SuffixByteRequest(2), RangeByteRequest(1, 2)]) == [
            b"\xfe\xff",
            b"\x01",
        ]
    with zipfile.ZipFile(tmp_path / "d.zip") as archive:
        assert archive.getinfo("v").compress_type == zipfile.ZIP_DEFLATED


def test_modes(tmp_path: Path) -> None:
    path = tmp_path / "m.zip"
    with pytest.raises(ValueError, match="unknown zip mode"):
        ZipStore(path, mode="rw")
    with pytest.raises(FileNotFoundError):
        ZipStore(path, mode="r")
    with ZipStore(path, mode="x") as store:
        store.set("a", b"1")
    with pytest.raises(FileExistsError):
        ZipStore(path, mode="x")
    with ZipStore(path, mode="a") as store:
        store.set("b", b"2")
        assert sorted(store.list()) == ["a", "b"]
    reader = ZipStore(path)
    assert reader.read_only
    assert sorted(reader.list()) == ["a", "b"]
    (tmp_path / "bad.zip").write_bytes(b"not a zip")
    with pytest.raises(StoreError, match="not a zip archive"):
        ZipStore(tmp_path / "bad.zip")


def test_reuse_after_close_appends_never_truncates(tmp_path: Path) -> None:
    store = ZipStore(tmp_path / "r.zip", mode="w")
    store.set("a", b"1")
    store.close()
    store.set("b", b"2")
    store.close()
    assert sorted(ZipStore(tmp_path / "r.zip").list()) == ["a", "b"]


def test_spec_in_this_process_reaches_the_live_writer(tmp_path: Path) -> None:
    store = ZipStore(tmp_path / "live.zip", mode="w")
    store.set("k", b"v")
    assert store.spec.to_json() == {
        "driver": "zip",
        "path": str(tmp_path / "live.zip"),
        "mode": "r",
    }
    assert store.spec.open() is store
    with pytest.raises(StoreError, match="open for writing"):
        store.with_read_only(True)
    store.close()
    reopened = StoreSpec.from_json(store.spec.to_json()).open()
    assert reopened is not store
    assert reopened.read_only
    assert reopened.get("k") == b"v"


def test_another_process_reads_a_closed_archive(tmp_path: Path) -> None:
    with ZipStore(tmp_path / "p.zip", mode="w") as store:
        store.set("c/0", b"\x01\x02")
    result = read_in_subprocess(store.spec, "c/0")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "0102"


def test_zarr_python_reads_what_zipstore_writes(tmp_path: Path) -> None:
    encoded: dict[str, Any] = {}
    data = np.arange(30, dtype="u2").reshape(5, 6)
    zarr.create_array(zarr.storage.MemoryStore(encoded), shape=(5, 6), chunks=(2, 4), dtype="u2")[
        :
    ] = data
    with ZipStore(tmp_path / "a.zip", mode="w") as ours:
        ours.set_many({k: v.to_bytes() for k, v in encoded.items()})
    back = zarr.open_array(zarr.storage.ZipStore(tmp_path / "a.zip", mode="r"))
    np.testing.assert_array_equal(back[:], data)


def test_zipstore_reads_what_zarr_python_writes(tmp_path: Path) -> None:
    theirs = zarr.storage.ZipStore(tmp_path / "z.zip", mode="w")
    zarr.create_array(theirs, shape=(4,), chunks=(3,), dtype="i8")[:] = [1, 2, 3, 4]
    theirs.close()
    ours = ZipStore(tmp_path / "z.zip")
    assert sorted(ours.list()) == ["c/0", "c/1", "zarr.json"]
    with zipfile.ZipFile(tmp_path / "z.zip") as archive:
        for key in ours.list():
            assert ours.get(key) == archive.read(key)
