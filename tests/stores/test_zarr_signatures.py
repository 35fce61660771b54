"""zarr-python 3.1.5's store constructors work on zarrdist's stores: the same
parameters (names, kinds, defaults), and the behaviour behind them (an asynchronous
fsspec file system, a log handler, ZIP64)."""

from __future__ import annotations

import inspect
import io
import logging
import uuid
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import zarr
import zarr.storage
from fsspec.asyn import get_loop, sync

import zarrdist
import zarrdist.storage
import zarrdist.stores
from tests.conftest import S3Location
from tests.stores._suite import StoreTests
from zarrdist.stores import FsspecStore, RangeByteRequest, Store


def _params(obj: Any) -> list[tuple[str, Any, Any]]:
    return [(p.name, p.kind, p.default) for p in inspect.signature(obj).parameters.values()]


CONSTRUCTORS = [
    "LoggingStore",
    "FsspecStore",
    "FsspecStore.from_url",
    "FsspecStore.from_mapper",
    "FsspecStore.from_upath",
    "LocalStore",
    "MemoryStore",
    "ZipStore",
    "WrapperStore",
    "ObjectStore",
]


@pytest.mark.parametrize("ours_module", [zarrdist.storage, zarrdist.stores], ids=["faces", "sync"])
@pytest.mark.parametrize("name", CONSTRUCTORS)
def test_signature_matches_zarr_python(name: str, ours_module: Any) -> None:
    """Both zarr-python's async faces (``zarrdist.storage``) and the synchronous stores
    they wrap (``zarrdist.stores``) take zarr-python's constructor arguments."""

    def find(module: Any) -> Any:
        obj = module
        for part in name.split("."):
            obj = getattr(obj, part)
        return obj

    ours, theirs = _params(find(ours_module)), _params(find(zarr.storage))
    # zarr-python's parameters, in its order, kinds and defaults ...
    assert ours[: len(theirs)] == theirs
    # ... and anything zarrdist adds is keyword-only with a default.
    for _, kind, default in ours[len(theirs) :]:
        assert kind is inspect.Parameter.KEYWORD_ONLY
        assert default is not inspect.Parameter.empty


def test_logging_store_takes_a_handler() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    name = f"zarrdist.test.{uuid.uuid4().hex}"
    store = zarrdist.stores.LoggingStore(
        zarrdist.stores.MemoryStore(), log_level="INFO", log_handler=handler, logger=name
    )
    try:
        store.set("c/0", b"abc")
        assert store.get("c/0") == b"abc"
        lines = stream.getvalue().splitlines()
        assert len(lines) == 2
        assert ".set('c/0', <3 bytes>)" in lines[0]
        assert ".get('c/0', None)" in lines[1]
        assert store.counter == {"set": 1, "get": 1}
        # The positional form zarr-python code writes.
        default = zarrdist.stores.LoggingStore(zarrdist.stores.MemoryStore(), "DEBUG")
        assert default.log_level == logging.DEBUG
    finally:
        logging.getLogger(name).removeHandler(handler)


def test_logging_store_log_block(caplog: pytest.LogCaptureFixture) -> None:
    store = zarrdist.stores.LoggingStore(zarrdist.stores.MemoryStore(), logger="zarrdist.t2")

    def flush() -> None:
        with store.log("batch 1"):
            store.set("k", b"v")

    with caplog.at_level(logging.INFO, logger="zarrdist.t2"):
        flush()
    messages = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO]
    assert messages[0] == " Calling MemoryStore.flush(batch 1)"
    assert messages[1].startswith("Finished MemoryStore.flush(batch 1) [")
    assert store.counter["flush"] == 1
    assert store.counter["set"] == 1


def test_zip_store_allow_zip64(tmp_path: Path) -> None:
    path = tmp_path / "a.zip"
    store = zarrdist.stores.ZipStore(path, mode="w", allowZip64=False)
    assert store.allowZip64 is False
    store.set("k", b"v")
    store.close()
    with zipfile.ZipFile(path) as zf:
        assert zf.read("k") == b"v"


def _async_fs(location: S3Location) -> Any:
    import s3fs

    options = location.storage_options
    # A new instance each time: an async file system's client session is bound to
    # the loop that first used it (zarrdist: fsspec's loop; zarr-python: its own).
    return s3fs.S3FileSystem(
        asynchronous=True,
        skip_instance_cache=True,
        key=options["key"],
        secret=options["secret"],
        endpoint_url=options["endpoint_url"],
    )


@pytest.mark.s3
class TestFsspecAsyncS3(StoreTests):
    """FsspecStore over ``s3fs.S3FileSystem(asynchronous=True)``, as zarr-python makes it."""

    reopen_in_subprocess = True
    machine_examples = 8

    @pytest.fixture
    def store_factory(self, s3_bucket_url: S3Location) -> Callable[[], Store]:
        root = s3_bucket_url.url.removeprefix("s3://")
        return lambda: FsspecStore(_async_fs(s3_bucket_url), path=f"{root}/{uuid.uuid4().hex}")

    def _set_raw(self, store: Store, key: str, value: bytes) -> None:
        assert isinstance(store, FsspecStore)
        sync(get_loop(), store.fs._pipe_file, f"{store.path}/{key}", value)

    def _get_raw(self, store: Store, key: str) -> bytes | None:
        assert isinstance(store, FsspecStore)
        try:
            return bytes(sync(get_loop(), store.fs._cat_file, f"{store.path}/{key}"))
        except FileNotFoundError:
            return None


@pytest.mark.s3
def test_async_filesystem_arrays_read_by_zarr_python(s3_bucket_url: S3Location) -> None:
    root = s3_bucket_url.url.removeprefix("s3://")
    fs = _async_fs(s3_bucket_url)
    # zarr-python's FsspecStore signature (the async face), whose synchronous store
    # zarrdist's engine uses.
    face = zarrdist.storage.FsspecStore(fs, read_only=False, path=f"{root}/a.zarr")
    store = zarrdist.stores.resolve_store(face)
    data = np.arange(360, dtype="u2").reshape(12, 30)
    z = zarrdist.create_array(face, shape=data.shape, chunks=(5, 7), dtype="u2")
    z[:] = data
    assert store.get_ranges("zarr.json", [RangeByteRequest(0, 1)]) == [b"{"]
    # zarr-python, with its own FsspecStore over the same kind of file system.
    theirs = zarr.storage.FsspecStore(_async_fs(s3_bucket_url), path=f"{root}/a.zarr")
    np.testing.assert_array_equal(zarr.open_array(theirs, mode="r")[:], data)
    # The spec reopens it elsewhere with a synchronous file system.
    assert "asynchronous" not in store.spec.options["storage_options"]
    np.testing.assert_array_equal(zarrdist.open_array(store.spec.open(), mode="r")[:], data)


def test_from_upath_takes_the_file_system_and_path(tmp_path: Path) -> None:
    import fsspec

    class UPathLike:  # universal_pathlib's UPath exposes .fs and .path
        fs = fsspec.filesystem("file")
        path = f"{tmp_path}/u.zarr/"

    store = FsspecStore.from_upath(UPathLike(), read_only=False)
    store.set("k", b"v")
    assert (tmp_path / "u.zarr" / "k").read_bytes() == b"v"
    with pytest.raises(TypeError, match="needs a UPath"):
        FsspecStore.from_upath("s3://bucket/x")


def test_allowed_exceptions_read_as_missing(tmp_path: Path) -> None:
    store = FsspecStore.from_url(f"file://{tmp_path}")
    store.set("k", b"v")
    strict = FsspecStore.from_url(f"file://{tmp_path}", allowed_exceptions=(FileNotFoundError,))
    assert strict.allowed_exceptions == (FileNotFoundError,)
    assert strict.get("nope") is None
    assert strict.get("k") == b"v"


def test_awaitable_open_builds_ready_stores(tmp_path: Path) -> None:
    """``await Store.open(...)`` (zarr-python's fixtures and services use it) returns a
    store as the constructor builds it; a writable LocalStore's root exists after it."""
    import asyncio

    async def main() -> None:
        root = tmp_path / "new" / "root"
        local = await zarrdist.storage.LocalStore.open(str(root))
        assert root.is_dir()
        assert isinstance(local, zarrdist.storage.LocalStore)
        memory = await zarrdist.stores.MemoryStore.open()
        memory.set("k", b"v")
        assert memory.get("k") == b"v"
        archive = await zarrdist.stores.ZipStore.open(str(tmp_path / "a.zip"), mode="w")
        archive.set("k", b"zip")
        archive.close()
        assert zipfile.ZipFile(tmp_path / "a.zip").read("k") == b"zip"
        with pytest.raises(FileNotFoundError, match="root directory does not exist"):
            await zarrdist.storage.LocalStore.open(str(tmp_path / "absent"), read_only=True)
        assert not (tmp_path / "absent").exists()

    asyncio.run(main())
