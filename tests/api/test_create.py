"""Array creation, copying from sources, save and load, against NumPy and zarr-python."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dask.array as da
import numpy as np
import pytest
import zarr as zarr_python

import zarrdist as zarr
from tests.api._helpers import peer_store, stored_json
from zarrdist.errors import NodeNotFoundError
from zarrdist.stores import MemoryStore, Store


def _peer_documents(fmt: int, **kwargs: object) -> dict[str, bytes]:
    peer = zarr_python.storage.MemoryStore()
    zarr_python.create_array(peer, zarr_format=fmt, **kwargs)  # type: ignore[arg-type]
    return {k: v.to_bytes() for k, v in peer._store_dict.items()}


@pytest.mark.parametrize("fmt", [2, 3])
@pytest.mark.parametrize(
    "kwargs",
    [
        {"shape": (10, 10), "chunks": (5, 3), "dtype": "f4"},
        {"shape": (7,), "dtype": "i2", "fill_value": -1, "attributes": {"a": [1]}},
        {"shape": (4, 4), "chunks": (2, 2), "dtype": "u1", "compressors": None},
    ],
)
def test_create_array_documents_equal_zarr_python(fmt: int, kwargs: dict[str, object]) -> None:
    store = MemoryStore()
    zarr.create_array(store, zarr_format=fmt, **kwargs)  # type: ignore[arg-type]
    ours = {k: bytes(v) for k, v in store.store_dict.items()}
    assert ours == _peer_documents(fmt, **kwargs)


def test_create_keywords_of_zarr_python_2(store: Store) -> None:
    z = zarr.create(
        (6, 4),
        chunk_shape=(3, 2),
        dtype="i4",
        store=store,
        path="a",
        compressor=None,
        zarr_format=2,
        fill_value=None,
        dimension_separator="/",
    )
    doc = stored_json(store, "a/.zarray")
    assert doc["chunks"] == [3, 2]
    assert doc["compressor"] is None
    assert doc["fill_value"] is None
    assert doc["dimension_separator"] == "/"
    z[:] = np.ones((6, 4), "i4")
    assert store.exists("a/1/1")
    with pytest.warns(RuntimeWarning, match="`write_empty_chunks` keyword argument is deprec"):
        # zarr-python 3.1.5 warns too, and honours it as zarrdist does
        w = zarr.create(3, chunks=False, store=store, path="b", write_empty_chunks=True)
    w[:] = 0.0
    assert w.chunks == (3,)
    assert store.exists("b/c/0")
    k = zarr.create((4,), store=store, path="c", chunk_key_encoding=("v2", "."), chunks=2)
    k[:] = 1.0
    assert store.exists("c/1")
    with pytest.warns(RuntimeWarning, match="synchronizer"):
        zarr.create((2,), store=store, path="d", synchronizer=object())
    with pytest.raises(TypeError, match="unexpected"):
        zarr.create((2,), store=store, path="e", not_a_keyword=1)
    with pytest.raises(ValueError, match="read_only"):
        zarr.create((2,), store=store, path="f", read_only=True)


@pytest.mark.parametrize("fmt", [2, 3])
def test_empty_zeros_ones_full(fmt: int) -> None:
    assert zarr.zeros((2, 3), dtype="i4", zarr_format=fmt)[:].tolist() == [[0] * 3] * 2
    assert zarr.ones((3,), zarr_format=fmt)[:].tolist() == [1.0, 1.0, 1.0]
    assert zarr.full((2,), 7, dtype="u2", zarr_format=fmt)[:].tolist() == [7, 7]
    nan = zarr.full((2,), np.nan, zarr_format=fmt)
    assert np.isnan(nan[:]).all()
    assert np.isnan(nan.fill_value)
    e = zarr.empty((4,), dtype="i1", chunks=(2,), zarr_format=fmt)
    assert e.shape == (4,)
    assert e.chunks == (2,)
    assert e.zarr_format == fmt


@pytest.mark.parametrize("fmt", [2, 3])
def test_like_functions_copy_layout(fmt: int) -> None:
    shards = {"shards": (4, 4)} if fmt == 3 else {}
    src = zarr.create_array(
        {}, shape=(8, 8), chunks=(2, 2), dtype="i2", fill_value=5, zarr_format=fmt, **shards
    )  # type: ignore[arg-type]
    for like in (zarr.empty_like, zarr.full_like):
        out = like(src)
        assert out.shape == (8, 8)
        assert out.chunks == (2, 2)
        assert out.dtype == np.dtype("i2")
        assert out.fill_value == 5
        assert out.zarr_format == fmt
        assert out.shards == src.shards
    assert zarr.zeros_like(src)[:].sum() == 0
    assert zarr.ones_like(src)[:].sum() == 64
    assert zarr.full_like(src, fill_value=2)[0, 0] == 2
    plain = zarr.zeros_like(np.arange(6, dtype="f4").reshape(2, 3))
    assert plain.shape == (2, 3)
    assert plain.dtype == np.dtype("f4")


def test_array_from_data_kinds() -> None:
    assert zarr.array([1, 2, 3])[:].tolist() == [1, 2, 3]
    data = np.arange(20, dtype="f8").reshape(4, 5)
    z = zarr.array(data, chunks=(2, 5))
    assert z.chunks == (2, 5)
    np.testing.assert_array_equal(z[:], data)
    d = zarr.array(da.from_array(data, chunks=(3, 2)))
    assert d.chunks == (3, 2)
    np.testing.assert_array_equal(d[:], data)
    copied = zarr.array(z, attributes={"new": 1})
    np.testing.assert_array_equal(copied[:], data)
    assert copied.chunks == (2, 5)
    assert dict(copied.attrs) == {"new": 1}
    with pytest.raises(ValueError, match="read_only"):
        zarr.array([1], read_only=True)


def test_from_array_numpy_and_dask(store: Store) -> None:
    data = np.arange(30, dtype="i4").reshape(5, 6)
    z = zarr.from_array(store, data=data, name="np", chunks=(2, 3))
    np.testing.assert_array_equal(z[:], data)
    d = zarr.from_array(store, data=da.from_array(data, chunks=(5, 2)), name="dask")
    assert d.chunks == (5, 2)
    np.testing.assert_array_equal(d[:], data)
    lazy = zarr.from_array(store, data=[1, 2], name="list", write_data=False)
    assert lazy[:].tolist() == [0, 0]
    peer = zarr_python.open_group(peer_store(store), mode="r")
    np.testing.assert_array_equal(peer["dask"][:], data)


@pytest.mark.parametrize("fmt", [2, 3])
def test_from_array_zarrdist_source_keeps_everything(store: Store, fmt: int) -> None:
    shards = {"shards": (4, 4)} if fmt == 3 else {}
    src = zarr.create_array(
        store,
        name="src",
        shape=(8, 8),
        chunks=(2, 2),
        dtype="f4",
        fill_value=-1.0,
        attributes={"units": "m"},
        zarr_format=fmt,
        compressors=[{"id": "zlib", "level": 1}] if fmt == 2 else [zarr.codecs.GzipCodec(level=1)],
        **shards,
    )  # type: ignore[arg-type]
    src[:4] = np.arange(32, dtype="f4").reshape(4, 8)
    copy = zarr.from_array(store, data=src, name="copy")
    assert copy.metadata == src.metadata
    np.testing.assert_array_equal(copy[:], src[:])
    assert copy.fill_value == -1.0
    assert dict(copy.attrs) == {"units": "m"}
    other = 5 - fmt
    converted = zarr.from_array(store, data=src, name="conv", zarr_format=other)
    assert converted.zarr_format == other
    assert converted.chunks == (2, 2)
    assert converted.fill_value == -1.0
    assert dict(converted.attrs) == {"units": "m"}
    np.testing.assert_array_equal(converted[:], src[:])
    rechunked = zarr.from_array(
        store, data=src, name="re", chunks=(4, 8), shards=None, attributes={"x": 1}, fill_value=0.0
    )
    assert rechunked.chunks == (4, 8)
    assert rechunked.fill_value == 0.0
    assert dict(rechunked.attrs) == {"x": 1}
    np.testing.assert_array_equal(rechunked[:4], src[:4])
    peer = peer_store(store)  # a mixed-format hierarchy: open the arrays one by one
    for name in ("copy", "conv", "re"):
        np.testing.assert_array_equal(zarr_python.open_array(peer, path=name)[:4], src[:4])


def test_from_array_zarr_python_source(tmp_path: Path) -> None:
    data = np.arange(24, dtype="i8").reshape(4, 6)
    peer = zarr_python.create_array(
        str(tmp_path / "peer.zarr"),
        shape=(4, 6),
        chunks=(2, 3),
        dtype="i8",
        fill_value=3,
        attributes={"from": "zarr"},
    )
    peer[:] = data
    ours = zarr.from_array(peer, store=str(tmp_path / "ours.zarr"))  # the seed's spelling
    assert ours.chunks == (2, 3)
    assert ours.fill_value == 3
    assert dict(ours.attrs) == {"from": "zarr"}
    np.testing.assert_array_equal(ours[:], data)
    np.testing.assert_array_equal(zarr.array(peer)[:], data)
    with pytest.raises(TypeError):
        zarr.from_array(str(tmp_path / "x"))


def test_open_like_and_save_load(tmp_path: Path) -> None:
    src = zarr.create_array({}, shape=(3,), dtype="i2", fill_value=4)
    opened = zarr.open_like(src, str(tmp_path / "like.zarr"))
    assert opened.shape == (3,)
    assert opened.fill_value == 4
    assert zarr.open_array(str(tmp_path / "like.zarr"), mode="r").dtype == np.dtype("i2")
    path = str(tmp_path / "saved.zarr")
    zarr.save(path, np.arange(5))
    assert zarr.load(path).tolist() == [0, 1, 2, 3, 4]
    zarr.save_array(str(tmp_path / "scalar.zarr"), np.float32(2.5))
    loaded = zarr.load(str(tmp_path / "scalar.zarr"))
    assert loaded.shape == ()
    assert loaded == np.float32(2.5)
    grouped = str(tmp_path / "group.zarr")
    zarr.save(grouped, np.arange(3), np.ones(2), named=np.zeros((2, 2), "i1"))
    out = zarr.load(grouped)
    assert sorted(out) == ["arr_0", "arr_1", "named"]
    assert len(out) == 3
    assert out["arr_0"].tolist() == [0, 1, 2]
    assert out["named"].dtype == np.dtype("i1")
    assert "named" in repr(out)
    with pytest.raises(KeyError):
        out["nothing"]
    zarr.save_group(grouped, only=np.arange(2))  # replaces the group
    assert list(zarr.load(grouped)) == ["only"]
    with pytest.raises(ValueError, match="at least one"):
        zarr.save(grouped)
    with pytest.raises(TypeError):
        zarr.save_group(grouped, bad=[1, 2])
    with pytest.raises(NodeNotFoundError):
        zarr.load(str(tmp_path / "missing.zarr"))
    peer = zarr_python.open_group(grouped, mode="r")
    assert peer["only"][:].tolist() == [0, 1]


def test_load_group_includes_nested_arrays(store: Store) -> None:
    root = zarr.group(store)
    root.create_array("a/b", shape=(2,), dtype="i1")[:] = [1, 2]
    root.create_array("c", shape=(1,), dtype="i1")
    loaded = zarr.load(store)
    assert sorted(loaded) == ["a/b", "c"]
    assert loaded["a/b"].tolist() == [1, 2]


def test_top_level_from_dask_and_to_dask(store: Store) -> None:
    data = np.arange(16, dtype="u4").reshape(4, 4)
    z = zarr.from_dask(da.from_array(data, chunks=2), store, name="d")
    np.testing.assert_array_equal(zarr.to_dask(z).compute(), data)
    np.testing.assert_array_equal(zarr.to_dask(store, path="d", chunks=(4, 1)).compute(), data)


def test_zarr_version_is_deprecated(store: Store) -> None:
    with pytest.warns(DeprecationWarning, match="zarr_version"):
        g = zarr.open_group(store, zarr_version=2)
    assert g.zarr_format == 2
    with pytest.raises(ValueError, match="differ"):
        zarr.open_group(store, zarr_version=2, zarr_format=3)


@pytest.mark.parametrize("order", ["C", "F", None])
@pytest.mark.parametrize("config", [{"order": "C"}, {"order": "F"}, {}], ids=["C", "F", "none"])
def test_v2_order_keyword_and_config_settle_as_in_zarr_python(order: Any, config: Any) -> None:
    """A v2 array's ``order=`` is both its stored order and the order of reads; without
    it, the runtime config's order is both (zarr-python 3.1.5)."""
    ours = zarr.ones(shape=(2, 3), zarr_format=2, order=order, config=config)
    peer = zarr_python.ones(shape=(2, 3), zarr_format=2, order=order, config=config)
    assert ours.order == peer.order
    assert ours.metadata.order == peer.metadata.order
    assert ours.metadata.to_dict() == peer.metadata.to_dict()
    assert ours[:].flags.f_contiguous == peer[:].flags.f_contiguous


_REFUSED = [
    ("create_array", 2, {"serializer": "bytes"}),
    ("create_array", 2, {"dimension_names": ["x"]}),
    ("create_array", 2, {"shards": (5,)}),
    ("create", 2, {"dimension_names": ["x"]}),
    ("create", 2, {"chunk_key_encoding": {"name": "default", "separator": "/"}}),
    ("create", 2, {"codecs": "bytes"}),
    ("create", 3, {"chunk_shape": (1,), "chunks": (2,)}),
    ("create", 3, {"dimension_separator": "/"}),
    ("create", 3, {"filters": []}),
    ("create", 3, {"compressor": "blosc"}),
    ("create", 3, {"compressor": None}),
]


@pytest.mark.parametrize(("function", "fmt", "kwargs"), _REFUSED, ids=repr)
def test_other_format_keywords_refused_as_zarr_python_refuses_them(
    function: str, fmt: int, kwargs: dict[str, Any]
) -> None:
    """The keywords of the other Zarr format raise zarr-python's ValueError, with its
    message (code matches on it), and write nothing."""
    arguments = {"shape": (10,), "dtype": "u1", "zarr_format": fmt, **kwargs}
    arguments.setdefault("chunks", (1,))
    with pytest.raises(ValueError) as peer:
        getattr(zarr_python, function)(store=zarr_python.storage.MemoryStore(), **arguments)
    store = MemoryStore()
    with pytest.raises(ValueError) as ours:
        getattr(zarr, function)(store=store, **arguments)
    assert str(peer.value) in str(ours.value)
    assert list(store.list()) == []


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"dtype": "u1"}, {"data": "arange", "shape": (3,)},
     {"data": "arange", "dtype": "i8"}, {"data": "arange", "shape": (3,), "dtype": "i8"}],
    ids=repr,
)  # fmt: skip
def test_create_array_data_or_shape_and_dtype_as_zarr_python(kwargs: dict[str, Any]) -> None:
    """``data`` alone, or ``shape`` and ``dtype``: anything else is zarr-python's ValueError."""
    arguments = {k: np.arange(3) if v == "arange" else v for k, v in kwargs.items()}
    with pytest.raises(ValueError) as peer:
        zarr_python.create_array(zarr_python.storage.MemoryStore(), **arguments)
    with pytest.raises(ValueError) as ours:
        zarr.create_array(MemoryStore(), **arguments)
    assert str(ours.value) == str(peer.value).replace("specified.Either", "specified. Either")
    made = zarr.create_array(MemoryStore(), data=np.arange(3))
    assert made[:].tolist() == [0, 1, 2]
    # Deliberately not zarr-python 3.1.5's error: shape without dtype is float64 (the seed).
    assert zarr.create_array(MemoryStore(), shape=(3,)).dtype == np.dtype("float64")


@pytest.mark.parametrize("fmt", [2, 3])
def test_group_create_array_refuses_compressor_and_compressors(fmt: int) -> None:
    for library, store in ((zarr_python, zarr_python.storage.MemoryStore()), (zarr, MemoryStore())):
        group = library.group(store, zarr_format=fmt)
        with pytest.raises(ValueError, match="Cannot specify both `compressor` and `compressors`"):
            group.create_array("a", shape=(1,), dtype="i8", compressor=None, compressors=None)
