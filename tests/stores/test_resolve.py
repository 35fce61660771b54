"""resolve_store: every kind of store_like, modes, storage_options and path."""

from __future__ import annotations

from pathlib import Path

import fsspec
import pytest

from tests.conftest import S3Location
from zarrdist.errors import ByteRangeError
from zarrdist.stores import (
    FsspecStore,
    LocalStore,
    MemoryStore,
    ZipStore,
    resolve_store,
)


@pytest.mark.parametrize("kind", [str, Path])
def test_local_paths(tmp_path: Path, kind: type) -> None:
    store = resolve_store(kind(tmp_path / "a.zarr"))
    assert isinstance(store, LocalStore)
    assert store.root == tmp_path / "a.zarr"
    assert not store.read_only
    assert resolve_store(kind(tmp_path), mode="r").read_only


def test_file_urls_open_a_local_store(tmp_path: Path) -> None:
    store = resolve_store((tmp_path / "with space").as_uri())
    assert isinstance(store, LocalStore)
    assert store.root == tmp_path / "with space"
    assert isinstance(resolve_store(f"local://{tmp_path}"), LocalStore)
    with pytest.raises(ValueError, match="another host"):
        resolve_store("file://elsewhere/data")


def test_file_url_with_storage_options_uses_fsspec(tmp_path: Path) -> None:
    store = resolve_store(f"file://{tmp_path}", storage_options={"auto_mkdir": True})
    assert isinstance(store, FsspecStore)
    store.set("a/b", b"v")
    assert (tmp_path / "a" / "b").read_bytes() == b"v"


def test_zip_paths(tmp_path: Path) -> None:
    path = tmp_path / "data.zip"
    writer = resolve_store(str(path), mode="w")
    assert isinstance(writer, ZipStore)
    writer.set("k", b"v")
    writer.close()
    reader = resolve_store(path, mode="r")
    assert isinstance(reader, ZipStore)
    assert reader.read_only
    assert reader.get("k") == b"v"
    appender = resolve_store(path.as_uri(), mode="a")
    assert isinstance(appender, ZipStore)
    assert appender.mode == "a"
    appender.close()
    with pytest.raises(FileExistsError):
        resolve_store(path, mode="w-")


def test_a_directory_named_zip_stays_a_local_store(tmp_path: Path) -> None:
    (tmp_path / "odd.zip").mkdir()
    assert isinstance(resolve_store(tmp_path / "odd.zip"), LocalStore)


def test_fsspec_urls() -> None:
    store = resolve_store("memory://zarrdist-tests/resolve", mode="r")
    assert isinstance(store, FsspecStore)
    assert store.read_only
    assert store.url == "memory://zarrdist-tests/resolve"


@pytest.mark.s3
def test_s3_url_with_storage_options(s3_bucket_url: S3Location) -> None:
    store = resolve_store(s3_bucket_url.url, storage_options=s3_bucket_url.storage_options)
    assert isinstance(store, FsspecStore)
    store.set("zarr.json", b"{}")
    again = resolve_store(
        s3_bucket_url.url, mode="r", storage_options=s3_bucket_url.storage_options
    )
    assert again.get("zarr.json") == b"{}"


def test_dict_none_fsmap_and_store(tmp_path: Path) -> None:
    data: dict[str, bytes] = {"k": b"v"}
    over_dict = resolve_store(data, mode="r")
    assert isinstance(over_dict, MemoryStore)
    assert over_dict.store_dict is data
    assert over_dict.read_only
    first, second = resolve_store(None), resolve_store(None)
    assert isinstance(first, MemoryStore)
    assert first is not second
    mapper = fsspec.get_mapper(f"file://{tmp_path}")
    from_map = resolve_store(mapper)
    assert isinstance(from_map, FsspecStore)
    assert from_map.url == f"file://{tmp_path}"
    local = LocalStore(tmp_path)
    assert resolve_store(local) is local
    # As zarr-python: a writable Store opened with mode "r" becomes a read-only view.
    viewed = resolve_store(local, mode="r")
    assert viewed.read_only
    assert not local.read_only
    assert viewed.spec.options["root"] == local.spec.options["root"]
    read_only = LocalStore(tmp_path, read_only=True)
    assert resolve_store(read_only, mode="r") is read_only


def test_path_is_joined_to_paths_and_urls(tmp_path: Path) -> None:
    store = resolve_store(tmp_path, path="group/array")
    assert isinstance(store, LocalStore)
    assert store.root == tmp_path / "group" / "array"
    url_store = resolve_store("memory://zarrdist-tests/base/", path="/sub/")
    assert url_store.url == "memory://zarrdist-tests/base/sub"
    with pytest.raises(ByteRangeError):
        resolve_store(tmp_path, path="../escape")
    with pytest.raises(ValueError, match="path='x'"):
        resolve_store({}, path="x")
    with pytest.raises(ValueError, match="path='x'"):
        resolve_store(LocalStore(tmp_path), path="x")


def test_refusals(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="storage_options"):
        resolve_store(str(tmp_path), storage_options={"anon": True})
    with pytest.raises(TypeError, match="storage_options"):
        resolve_store({}, storage_options={"anon": True})
    with pytest.raises(TypeError, match="Unsupported type for store_like: 'int'"):
        resolve_store(3)  # type: ignore[arg-type, unused-ignore]
    with pytest.raises(ValueError, match="unknown access mode"):
        resolve_store(tmp_path, mode="rw")
