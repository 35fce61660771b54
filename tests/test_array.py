"""The Array API: descriptive properties equal zarr-python 3.1.5's for the same data,
views, attributes, reprs, and the dask interplay (to_dask, from_dask, store, from_array)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dask
import dask.array as da
import numpy as np
import pytest
import zarr

import zarrdist
from tests.graphs._helpers import LAYOUTS, SHAPE, assert_same, fill_like, sample
from zarrdist.config import config
from zarrdist.errors import ReadOnlyStoreError, SelectionError
from zarrdist.stores import LocalStore, MemoryStore

PROPERTIES = (
    "shape",
    "chunks",
    "shards",
    "dtype",
    "fill_value",
    "ndim",
    "size",
    "nbytes",
    "nchunks",
    "nchunks_initialized",
    "cdata_shape",
    "name",
    "basename",
    "path",
    "order",
)


def _codec_json(codec: Any) -> Any:
    to_json = getattr(codec, "to_json", None)
    if to_json is not None:
        return to_json()
    to_dict = getattr(codec, "to_dict", None)
    return to_dict() if to_dict is not None else codec.get_config()


@pytest.mark.parametrize("layout", list(LAYOUTS))
@pytest.mark.parametrize("name", ["", "grp/arr"])
def test_properties_match_zarr_python(tmp_path: Path, layout: str, name: str) -> None:
    z = zarrdist.create_array(
        LocalStore(tmp_path), name=name, shape=SHAPE, dtype="i4", fill_value=5, **LAYOUTS[layout]
    )
    z[0:4, 0:3] = 1
    peer = zarr.open_array(str(tmp_path), path=name, mode="r+")
    for attr in PROPERTIES:
        assert getattr(z, attr) == getattr(peer, attr), attr
    assert z.nbytes_stored == peer.nbytes_stored()
    assert z.nbytes_stored() == peer.nbytes_stored()  # zarr-python's spelling works too
    assert z.read_only is False
    assert z.zarr_format == peer.metadata.zarr_format
    for attr in ("compressors", "filters"):
        assert [_codec_json(c) for c in getattr(z, attr)] == [
            _codec_json(c) for c in getattr(peer, attr)
        ]
    if z.zarr_format == 2:
        assert z.serializer is None
        assert peer.serializer is None
        assert type(z.compressors[0]) is type(peer.compressors[0])  # numcodecs objects
    else:
        assert _codec_json(z.serializer) == _codec_json(peer.serializer)
    assert ("zarr.json" if z.zarr_format == 3 else ".zarray") in z.metadata.to_documents()
    assert z.store == LocalStore(tmp_path)


def test_v2_stored_order_and_null_fill_value_as_zarr_python(tmp_path: Path) -> None:
    data = np.arange(24, dtype="i2").reshape(4, 6)
    z = zarrdist.create_array(
        LocalStore(tmp_path), name="f", shape=(4, 6), chunks=(2, 3), dtype="i2",
        zarr_format=2, order="F", fill_value=None,
    )  # fmt: skip
    z[:2] = data[:2]
    peer = zarr.open_array(str(tmp_path), path="f")
    for array in (z, zarrdist.open_array(LocalStore(tmp_path), path="f")):
        # A v2 array is read into the order its chunks are stored in, as zarr-python does.
        assert array.order == peer.order == "F"
        out = array[...]
        assert out.flags.f_contiguous
        assert peer[...].flags.f_contiguous
        assert_same(out, peer[...])
        # "fill_value": null: the property says None; never-written elements read as 0.
        assert array.fill_value is None
        assert peer.fill_value is None
        assert_same(out[2:], np.zeros((2, 6), "i2"))
    # An order asked for explicitly wins over the stored one.
    assert not z.with_config(order="C")[...].flags.f_contiguous
    c_ordered = zarrdist.open_array(LocalStore(tmp_path), path="f", config={"order": "C"})
    assert c_ordered.order == "C"
    assert_same(c_ordered[...], peer[...])


def test_nchunks_initialized_counts_like_zarr_python(tmp_path: Path) -> None:
    z = zarrdist.create_array(LocalStore(tmp_path), shape=SHAPE, **LAYOUTS["v3-sharded"])
    assert z.nchunks_initialized == 0
    z[0, 0] = 1.0  # one shard stored: all of its (6, 4) / (3, 2) = 4 inner chunks count
    assert z.nchunks_initialized == 4
    assert zarr.open_array(str(tmp_path)).nchunks_initialized == 4
    z[:] = 2.0
    assert z.nchunks_initialized == zarr.open_array(str(tmp_path)).nchunks_initialized == 16
    assert z.nchunks == 16


def test_attributes_views_and_reprs(tmp_path: Path) -> None:
    z = zarrdist.create_array(
        LocalStore(tmp_path), name="a", shape=(4, 6), chunks=(2, 3), dtype="f8", attributes={"u": 1}
    )
    assert dict(z.attrs) == {"u": 1}
    z.attrs["v"] = [1, 2]
    assert z.update_attributes({"w": "x"}) is z
    assert dict(zarr.open_array(str(tmp_path), path="a").attrs) == {"u": 1, "v": [1, 2], "w": "x"}
    assert dict(zarrdist.open_array(LocalStore(tmp_path), path="a").attrs) == dict(z.attrs)
    assert z.metadata.attributes == {"u": 1, "v": [1, 2], "w": "x"}
    f = z.with_config(order="F")
    assert f.order == "F"
    assert z.order == "C"
    z[:] = np.arange(24.0).reshape(4, 6)
    out = f[...]
    assert out.flags.f_contiguous
    assert_same(out, np.arange(24.0).reshape(4, 6))
    assert z.with_config({"write_empty_chunks": True}).shape == z.shape
    with pytest.raises(ValueError, match="unknown array config keys"):
        z.with_config(bogus=1)
    text = repr(z)
    assert "shape=(4, 6)" in text
    assert "float64" in text
    assert "/a" in text
    html = z._repr_html_()
    assert html.startswith("<div>")
    assert "<th style='text-align:left'>Shape</th><td style='text-align:left'>(4, 6)</td>" in html
    assert "Shape" in z.info
    assert "(4, 6)" in z.info
    complete = z.info_complete()
    assert "No. bytes stored" in complete
    assert "Chunks initialized : 4/4" in complete


def test_read_only_array_refuses_writes(tmp_path: Path) -> None:
    zarrdist.create_array(LocalStore(tmp_path), shape=(4,), chunks=(2,), dtype="i2")
    z = zarrdist.open_array(LocalStore(tmp_path, read_only=True))
    assert z.read_only
    with pytest.raises(ReadOnlyStoreError):
        z[:] = 1
    with pytest.raises(ReadOnlyStoreError):
        z.resize(8)
    with pytest.raises(ReadOnlyStoreError):
        z.append(np.ones(2, "i2"))
    assert_same(z[:], np.zeros(4, "i2"))


def test_numpy_protocols_and_iteration() -> None:
    z = zarrdist.create_array(MemoryStore(), shape=(5, 3), chunks=(2, 2), dtype="i8")
    a = np.arange(15).reshape(5, 3)
    z[:] = a
    assert_same(np.asarray(z), a)
    assert_same(np.asarray(z, dtype="f4"), a.astype("f4"))
    assert_same(z.to_numpy(), a)
    assert len(z) == 5
    for row, expected in zip(z, a, strict=True):
        assert_same(row, expected)
    assert_same(z[2, 1], a[2, 1])  # a NumPy scalar, as NumPy returns
    out = np.empty(3, "i8")
    assert z.get_basic_selection(1, out=out) is out
    assert_same(out, a[1])
    with pytest.raises(SelectionError):
        z[5]


# -- dask ------------------------------------------------------------------------------


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_to_dask_blocks_are_units(layout: str) -> None:
    z = zarrdist.create_array(MemoryStore(), shape=SHAPE, dtype="f8", **LAYOUTS[layout])
    a = sample(z.dtype, SHAPE, 1)
    z[:] = a
    x = z.to_dask()
    unit = LAYOUTS[layout].get("shards", LAYOUTS[layout]["chunks"])
    assert x.chunks == da.core.normalize_chunks(unit, SHAPE)
    assert x.name.startswith("zarrdist-read-")
    assert_same(x.compute(), a)
    y = z.to_dask(chunks=(5, 5))
    assert y.chunks == ((5, 5, 1), (5, 2))
    assert_same(y[2:9].compute(scheduler="sync"), a[2:9])
    assert_same(da.from_array(z, chunks=(4, 3)).compute(), a)
    assert_same(da.from_array(z).compute(), a)


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_from_dask_store_and_region_writes(tmp_path: Path, layout: str) -> None:
    a = sample("f4", SHAPE, 1)
    darr = da.from_array(a, chunks=(4, 5))  # aligned with neither chunks nor shards
    kwargs = dict(LAYOUTS[layout])
    z = zarrdist.from_dask(darr, LocalStore(tmp_path / "a"), **kwargs)
    assert z.dtype == np.float32
    assert z.chunks == LAYOUTS[layout]["chunks"]
    assert_same(z[...], a)
    assert_same(np.asarray(zarr.open_array(str(tmp_path / "a"), mode="r")[...]), a)
    # z[region] = dask array; dask.array.store; z.append(dask array); z[...] = another Array
    b = sample("f4", (6, 4), 2)
    z[3:9, 2:6] = da.from_array(b, chunks=(5, 3))
    ref = a.copy()
    ref[3:9, 2:6] = b
    assert_same(z[...], ref)
    da.store(da.from_array(a * 2, chunks=(5, 3)), z, lock=False)
    assert_same(z[...], a * 2)
    z.append(da.from_array(a[:2], chunks=(1, 4)))
    assert_same(z[...], np.concatenate([a * 2, a[:2]]))
    w = zarrdist.create_array(LocalStore(tmp_path / "b"), shape=(13, 7), chunks=(4, 4), dtype="f4")
    w[...] = z
    assert_same(w[...], z[...])


def test_store_with_delayed_and_non_plain_regions() -> None:
    z = zarrdist.create_array(MemoryStore(), shape=(8, 6), chunks=(3, 4), dtype="i4")
    ref = fill_like(z)
    value = da.arange(6, chunks=4, dtype="i4")
    z.oindex[[1, 5], :] = value  # not a plain region: computed, then broadcast
    ref[[1, 5], :] = np.arange(6)
    z[::2, 1] = da.arange(4, chunks=3, dtype="i4") * 10  # a stepped slice
    ref[::2, 1] = np.arange(4) * 10
    z[7] = da.ones((1, 1), chunks=1, dtype="i4")  # broadcast, as NumPy
    ref[7] = 1
    assert_same(z[...], ref)
    stored = da.store(da.full((8, 6), 3, chunks=(5, 5), dtype="i4"), z, compute=False)
    dask.compute(stored, scheduler="threads")
    assert_same(z[...], np.full((8, 6), 3, "i4"))
    before = dict(z.store.store_dict)
    with pytest.raises(SelectionError, match=r"could not broadcast input array from shape \(5,\)"):
        z[:] = da.ones(5, chunks=2, dtype="i4")
    assert dict(z.store.store_dict) == before


def test_dask_values_of_unknown_shape() -> None:
    z = zarrdist.create_array(MemoryStore(), shape=(5, 3), chunks=(2, 2), dtype="f8")
    x = da.from_array(np.arange(15.0).reshape(5, 3), chunks=2)
    picked = x[x[:, 0] >= 0]  # boolean indexing: block sizes unknown until computed
    assert np.isnan(picked.shape[0])
    z[:] = picked
    assert_same(z[...], np.arange(15.0).reshape(5, 3))
    assert z.append(picked[picked[:, 0] > 6]) == (7, 3)  # rows starting 9 and 12
    assert_same(z[5:], np.arange(9.0, 15.0).reshape(2, 3))


def test_dask_values_are_cast_to_the_array_dtype() -> None:
    z = zarrdist.create_array(MemoryStore(), shape=(6, 4), chunks=(3, 2), dtype="i4")
    z[:] = da.from_array(np.arange(24.0).reshape(6, 4) + 0.5, chunks=(3, 2))
    assert_same(z[...], np.arange(24, dtype="i4").reshape(6, 4))
    z.append(da.ones((2, 4), dtype="f8", chunks=2))
    assert_same(z[6:], np.ones((2, 4), "i4"))


def test_graph_path_and_direct_path_agree() -> None:
    z = zarrdist.create_array(MemoryStore(), shape=SHAPE, **LAYOUTS["v3-sharded"])
    a = sample("f8", SHAPE, 3)
    z[:] = a
    direct = z.oindex[[0, 10], 1:6]
    with config.set({"direct_max_bytes": 0}):
        graph = z.oindex[[0, 10], 1:6]
    assert_same(direct, graph)
    assert_same(graph, a[[0, 10], 1:6])


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_write_empty_chunks_both_ways(tmp_path: Path, layout: str) -> None:
    z = zarrdist.create_array(
        LocalStore(tmp_path),
        shape=SHAPE,
        dtype="i4",
        config={"write_empty_chunks": True},
        **LAYOUTS[layout],
    )
    with config.set({"direct_max_bytes": 0}):
        z[:] = 0  # every element is the fill value
    stored = zarr.open_array(str(tmp_path), mode="r").nchunks_initialized
    assert z.nchunks_initialized == stored == z.nchunks  # kept, as asked
    z.with_config(write_empty_chunks=False)[:] = 0
    assert z.nchunks_initialized == 0  # deleted: empty units are not stored
    assert_same(np.asarray(zarr.open_array(str(tmp_path), mode="r")[...]), np.zeros(SHAPE, "i4"))
