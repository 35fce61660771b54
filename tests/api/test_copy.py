"""copy, copy_all and copy_store (zarr-python 3.1.5 raises NotImplementedError for all three)."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
import zarr as zarr_python

import zarrdist as zarr
from tests.api._helpers import peer_store
from zarrdist.errors import ContainsNodeError
from zarrdist.stores import LocalStore, MemoryStore, Store

DATA = np.arange(60, dtype="i4").reshape(6, 10)


def _source(store: Store, fmt: int) -> zarr.Group:
    root = zarr.group(store, zarr_format=fmt, attributes={"root": 1})
    a = root.create_array(
        "a", shape=DATA.shape, chunks=(3, 4), dtype="i4", fill_value=-1, attributes={"units": "K"}
    )
    a[:] = DATA
    sub = root.create_group("sub", attributes={"s": True})
    sub.create_array("b", shape=(5,), dtype="f8")[:] = np.linspace(0, 1, 5)
    sub.create_group("empty")
    root.create_array("zero", shape=(0,), dtype="u1")
    return root


@pytest.mark.parametrize(("src_fmt", "dst_fmt"), [(3, 3), (2, 2), (2, 3), (3, 2)])
def test_copy_group_across_stores_and_formats(tmp_path: Path, src_fmt: int, dst_fmt: int) -> None:
    source = _source(MemoryStore(), src_fmt)
    dest = zarr.group(LocalStore(tmp_path / "dest"), zarr_format=dst_fmt)
    copied, skipped, nbytes = zarr.copy(source["sub"], dest)
    assert (copied, skipped, nbytes) == (3, 0, 40)  # sub, sub/b, sub/empty
    assert dest["sub/b"].zarr_format == dst_fmt
    np.testing.assert_array_equal(dest["sub/b"][:], np.linspace(0, 1, 5))
    assert dict(dest["sub"].attrs) == {"s": True}
    counts = zarr.copy(source, dest, name="everything")
    assert counts == (6, 0, DATA.nbytes + 40)
    a = dest["everything/a"]
    assert a.chunks == (3, 4)
    assert a.fill_value == -1
    assert dict(a.attrs) == {"units": "K"}
    np.testing.assert_array_equal(a[:], DATA)
    if src_fmt == dst_fmt:
        assert a.metadata == source["a"].metadata  # same codecs, byte for byte
    peer = zarr_python.open_group(str(tmp_path / "dest"), mode="r")
    np.testing.assert_array_equal(peer["everything/a"][:], DATA)
    assert peer["everything/zero"].shape == (0,)


def test_copy_options(store: Store) -> None:
    source = _source(MemoryStore(), 3)
    dest = zarr.group(store)
    assert zarr.copy(source["a"], dest, name="renamed", chunks=(6, 10), without_attrs=True)[0] == 1
    assert dest["renamed"].chunks == (6, 10)
    assert dict(dest["renamed"].attrs) == {}
    np.testing.assert_array_equal(dest["renamed"][:], DATA)
    shallow = zarr.copy(source, dest, name="shallow", shallow=True)
    assert shallow[0] == 3  # the group, a, zero; not sub
    assert sorted(dest["shallow"]) == ["a", "zero"]
    with pytest.raises(TypeError, match="name"):
        zarr.copy(source, dest)  # the root has no name


def test_copy_if_exists(store: Store) -> None:
    source = _source(MemoryStore(), 3)
    dest = zarr.group(store)
    dest.create_array("a", shape=(1,), dtype="i1")
    with pytest.raises(ContainsNodeError):
        zarr.copy(source["a"], dest)
    assert zarr.copy(source["a"], dest, if_exists="skip") == (0, 1, 0)
    assert dest["a"].shape == (1,)
    assert zarr.copy(source["a"], dest, if_exists="skip_initialized") == (1, 0, DATA.nbytes)
    np.testing.assert_array_equal(dest["a"][:], DATA)
    assert zarr.copy(source["a"], dest, if_exists="skip_initialized") == (0, 1, 0)
    dest["a"][0, 0] = 99
    assert zarr.copy(source["a"], dest, if_exists="replace") == (1, 0, DATA.nbytes)
    assert dest["a"][0, 0] == 0
    dest.create_array("sub", shape=(1,), dtype="i1")
    with pytest.raises(ContainsNodeError):
        zarr.copy(source["sub"], dest)
    assert zarr.copy(source["sub"], dest, if_exists="skip") == (0, 1, 0)
    assert zarr.copy(source["sub"], dest, if_exists="replace")[0] == 3
    assert isinstance(dest["sub"], zarr.Group)
    with pytest.raises(ValueError, match="if_exists"):
        zarr.copy(source["a"], dest, if_exists="sometimes")


def test_copy_dry_run_and_log(store: Store, tmp_path: Path) -> None:
    source = _source(MemoryStore(), 3)
    dest = zarr.group(store)
    lines: list[str] = []
    assert zarr.copy(source, dest, name="dry", dry_run=True, log=lines.append) == (6, 0, 0)
    assert "dry" not in dest
    assert lines[0] == "copy /"
    assert lines[-1].startswith("dry run: all done: 6 copied")
    buffer = io.StringIO()
    zarr.copy(source["a"], dest, log=buffer)
    assert buffer.getvalue().splitlines() == [
        "copy /a", f"all done: 1 copied, 0 skipped, {DATA.nbytes:,} bytes copied"]  # fmt: skip
    log_file = tmp_path / "copy.log"
    zarr.copy(source["zero"], dest, log=str(log_file))
    assert log_file.read_text().startswith("copy /zero\n")
    with pytest.raises(TypeError, match="log"):
        zarr.copy(source["a"], dest, log=3)


def test_copy_all(store: Store) -> None:
    source = _source(MemoryStore(), 2)
    dest = zarr.group(store, zarr_format=3)
    counts = zarr.copy_all(source, dest)
    assert counts == (5, 0, DATA.nbytes + 40)
    assert sorted(dest) == ["a", "sub", "zero"]
    assert dict(dest.attrs) == {"root": 1}
    np.testing.assert_array_equal(dest["a"][:], DATA)
    assert zarr.copy_all(source, dest, if_exists="skip") == (2, 3, 0)  # groups merge
    assert zarr.copy_all(source, dest, dry_run=True, if_exists="replace")[0] == 5


def test_copy_from_zarr_python(tmp_path: Path) -> None:
    peer_root = zarr_python.group(str(tmp_path / "peer.zarr"), attributes={"p": 1})
    arr = peer_root.create_array("x", shape=(4, 4), chunks=(2, 2), dtype="u2", fill_value=7)
    arr[:2] = 1
    peer_root.create_group("g").create_array("y", shape=(3,), dtype="f4")
    dest = zarr.group(str(tmp_path / "ours.zarr"))
    assert zarr.copy_all(peer_root, dest)[0] == 3
    assert dest["x"].fill_value == 7
    assert dest["x"].chunks == (2, 2)
    np.testing.assert_array_equal(dest["x"][:], arr[:])
    assert dict(dest.attrs) == {"p": 1}
    assert dest["g/y"].shape == (3,)


def test_copy_store(store: Store) -> None:
    source = MemoryStore()
    _source(source, 3)
    counts = zarr.copy_store(source, store)
    assert counts[0] == len(list(source.list()))
    assert counts[1] == 0
    assert counts[2] == sum(len(bytes(v)) for v in source.store_dict.values())
    np.testing.assert_array_equal(zarr.open_array(store, path="a")[:], DATA)
    with pytest.raises(ContainsNodeError):
        zarr.copy_store(source, store)
    assert zarr.copy_store(source, store, if_exists="skip")[:2] == (0, counts[0])
    assert zarr.copy_store(source, store, if_exists="replace")[0] == counts[0]
    moved = zarr.copy_store(source, store, source_path="sub", dest_path="elsewhere/sub2")
    assert moved[0] == len(list(source.list_prefix("sub")))
    peer = zarr_python.open_array(peer_store(store), path="elsewhere/sub2/b", mode="r")
    np.testing.assert_array_equal(peer[:], np.linspace(0, 1, 5))
    filtered = MemoryStore()
    zarr.copy_store(source, filtered, excludes=[r"^a/"], includes=[r"^a/zarr\.json$"])
    assert sorted(k for k in filtered.list() if k.startswith("a/")) == ["a/zarr.json"]
    dry = MemoryStore()
    assert zarr.copy_store(source, dry, dry_run=True)[0] == counts[0]
    assert list(dry.list()) == []
    with pytest.raises(ValueError, match="if_exists"):
        zarr.copy_store(source, dry, if_exists="skip_initialized")


def test_copy_resume_rewrites_only_missing_and_corrupt_units(tmp_path: Path) -> None:
    from zarrdist.stores import LoggingStore

    source = _source(MemoryStore(), 3)
    dest_store = LocalStore(tmp_path / "dest")
    dest = zarr.group(dest_store, zarr_format=3)
    zarr.copy(source["a"], dest)
    # An interrupted copy: one chunk never landed, another was torn mid-write.
    dest_store.delete("a/c/0/0")
    dest_store.set("a/c/1/2", b"torn")
    untouched = dest_store.get("a/c/1/1")
    logged = LoggingStore(dest_store)
    copied, skipped, _ = zarr.copy(source["a"], zarr.open_group(logged), resume=True)
    assert (copied, skipped) == (1, 0)
    np.testing.assert_array_equal(zarr.open_array(dest_store, path="a")[:], DATA)
    # Only the two bad units were written again; good ones kept their bytes.
    assert logged.counter["set"] == 2
    assert dest_store.get("a/c/1/1") == untouched


def test_copy_between_formats_converts_dimension_names(tmp_path: Path) -> None:
    xr = pytest.importorskip("xarray")
    v2 = zarr.open_group(tmp_path / "v2.zarr", mode="w", zarr_format=2)
    values = np.arange(40, dtype="f4").reshape(10, 4)
    attrs = {"_ARRAY_DIMENSIONS": ["time", "x"], "units": "K"}
    v2.create_array("t", shape=(10, 4), chunks=(1, 4), dtype="f4", attributes=attrs)[...] = values
    v3 = zarr.open_group(tmp_path / "v3.zarr", mode="w", zarr_format=3)
    zarr.copy_all(v2, v3, chunks=(10, 2))
    assert v3["t"].metadata.dimension_names == ("time", "x")
    assert v3["t"].attrs.asdict() == {"units": "K"}  # nothing left behind
    ds = xr.open_zarr(tmp_path / "v3.zarr", zarr_format=3, consolidated=False)
    assert ds["t"].dims == ("time", "x")
    assert ds["t"].attrs == {"units": "K"}

    back = zarr.open_group(tmp_path / "back.zarr", mode="w", zarr_format=2)
    zarr.copy(v3["t"], back, name="t")
    assert back["t"].attrs.asdict() == attrs
    # v2's fill value 0 is xarray's missing-value mark: values compared raw.
    ds = xr.open_zarr(
        tmp_path / "back.zarr", zarr_format=2, consolidated=False, mask_and_scale=False
    )
    assert ds["t"].dims == ("time", "x")
    np.testing.assert_array_equal(ds["t"].values, values)
