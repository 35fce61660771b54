"""zarr-python's internal names that its own test suite calls (``zarr.core.array``'s
``_parse_chunk_encoding_v3``, ``AsyncArray._zdtype``, ...): zarrdist's objects under
those names give what zarr-python's give."""

from __future__ import annotations

import asyncio
from typing import Any

import numcodecs
import numpy as np
import pytest
import zarr as zarr_python
import zarr.core.array as peer_array
from zarr.core.dtype import parse_dtype

import zarrdist
import zarrdist.core.array as ours
import zarrdist.core.dtype
from zarrdist.codecs import GzipCodec, TransposeCodec, ZstdCodec
from zarrdist.errors import CodecError


def _dicts(codecs: Any) -> list[dict[str, Any]]:
    return [c.to_dict() for c in codecs]


@pytest.mark.filterwarnings("ignore::zarr.errors.UnstableSpecificationWarning")
@pytest.mark.parametrize("dtype", ["uint8", "float32", ">i4", "U3", "S4", "V1", "str"])
@pytest.mark.parametrize(
    ("filters", "compressors"),
    [
        ("auto", "auto"),
        (None, None),
        ((), ()),
        ([{"name": "transpose", "configuration": {"order": [0]}}], ZstdCodec(level=3)),
        (
            TransposeCodec(order=(0,)),
            ({"name": "zstd", "configuration": {"level": 3}}, GzipCodec(level=1)),
        ),
    ],
)
def test_v3_chunk_encoding_equals_zarr_python(dtype: str, filters: Any, compressors: Any) -> None:
    filters_, serializer, compressors_ = ours._parse_chunk_encoding_v3(
        filters=filters, compressors=compressors, serializer="auto", dtype=dtype
    )

    def peer_form(value: Any) -> Any:
        # the same codecs as zarr-python's objects (its parser takes its own or dicts)
        if value in ("auto", None) or isinstance(value, dict):
            return value
        if isinstance(value, tuple | list):
            return tuple(peer_form(v) for v in value)
        return value.to_dict()

    expected = peer_array._parse_chunk_encoding_v3(
        filters=peer_form(filters),
        compressors=peer_form(compressors),
        serializer="auto",
        dtype=parse_dtype(dtype, zarr_format=3),
    )
    assert _dicts(filters_) == _dicts(expected[0])
    assert serializer.to_dict()["name"] == expected[1].to_dict()["name"]
    assert _dicts(compressors_) == _dicts(expected[2])


def test_v3_chunk_encoding_refuses_a_codec_in_the_wrong_place() -> None:
    with pytest.raises(CodecError, match="compressors must be bytes-to-bytes"):
        ours._parse_chunk_encoding_v3(
            filters=None, compressors=TransposeCodec(order=(0,)), serializer="auto", dtype="u1"
        )
    with pytest.raises(CodecError, match="filters must be array-to-array"):
        ours._parse_chunk_encoding_v3(
            filters=ZstdCodec(), compressors=None, serializer="auto", dtype="u1"
        )


@pytest.mark.filterwarnings("ignore::zarr.errors.UnstableSpecificationWarning")
@pytest.mark.filterwarnings("ignore::zarrdist.errors.UnstableSpecificationWarning")
@pytest.mark.parametrize("dtype", ["uint8", "<f8", "U3", "str"])
def test_zdtype_is_the_data_type_of_the_metadata(dtype: str) -> None:
    created = asyncio.run(
        ours.create_array(zarrdist.storage.MemoryStore(), shape=(4,), dtype=dtype)
    )
    assert isinstance(created, ours.AsyncArray)
    assert created._zdtype == created._sync.metadata.data_type
    peer = zarr_python.create_array(zarr_python.storage.MemoryStore(), shape=(4,), dtype=dtype)
    assert created._zdtype.to_json(3) == peer.async_array._zdtype.to_json(zarr_format=3)


def test_core_array_creation_functions_are_coroutines_as_in_zarr_python() -> None:
    store = zarrdist.storage.MemoryStore()
    created = asyncio.run(
        ours.create_array(store, shape=(3,), dtype="i2", compressors=numcodecs.Zstd())
    )
    copied = asyncio.run(ours.from_array(zarrdist.storage.MemoryStore(), data=created._sync))
    assert isinstance(copied, ours.AsyncArray)
    assert copied.shape == created.shape == (3,)


@pytest.mark.parametrize(
    "value",
    [np.zeros(3), np.zeros((2, 2), "U3"), np.float64(1.5), np.int8(1), [1, 2], b"ab", 3, None],
    ids=repr,
)
def test_ndarraylike_answers_as_zarr_python(value: Any) -> None:
    from zarr.core.buffer import NDArrayLike as PeerNDArrayLike

    from zarrdist.core.buffer import NDArrayLike

    assert isinstance(value, NDArrayLike) == isinstance(value, PeerNDArrayLike)


def test_reads_are_ndarraylike() -> None:
    from zarrdist.core.buffer import NDArrayLike, NDArrayLikeOrScalar

    z = zarrdist.create_array(zarrdist.storage.MemoryStore(), shape=(4, 4), dtype="i4")
    assert isinstance(z[:], NDArrayLike)
    assert not isinstance(z[0, 0], NDArrayLike)
    assert isinstance(z[0, 0], NDArrayLikeOrScalar)


_LAYOUTS = [
    ((10,), None, (1,)),
    ((10,), (1,), (1,)),
    ((40,), (20,), (5,)),
    ((30, 10), (10, 5), (2, 5)),
    ((31, 11), (10, 6), (2, 3)),
]
_WALKS = (
    "_iter_chunk_coords",
    "_iter_shard_coords",
    "_iter_shard_keys",
    "_iter_chunk_regions",
    "_iter_shard_regions",
)


@pytest.mark.parametrize("fmt", [2, 3])
@pytest.mark.parametrize(("shape", "shards", "chunks"), _LAYOUTS)
def test_grid_walks_equal_zarr_python(
    fmt: int, shape: tuple[int, ...], shards: Any, chunks: tuple[int, ...]
) -> None:
    if fmt == 2 and shards is not None:
        pytest.skip("Zarr v2 has no shards")
    kwargs: dict[str, Any] = {"shape": shape, "chunks": chunks, "shards": shards, "dtype": "i1"}
    ours_arr = zarrdist.create_array({}, name="a", zarr_format=fmt, **kwargs)
    peer = zarr_python.create_array({}, name="a", zarr_format=fmt, **kwargs)
    for name in ("_chunk_grid_shape", "_shard_grid_shape", "_nshards"):
        assert getattr(ours_arr, name) == getattr(peer, name)
        assert getattr(ours_arr.async_array, name) == getattr(peer, name)
    box = {"origin": (1,) * len(shape), "selection_shape": (1,) * len(shape)}
    for name in _WALKS:
        assert list(getattr(ours_arr, name)()) == list(getattr(peer, name)())
        assert list(getattr(ours_arr.async_array, name)(**box)) == list(getattr(peer, name)(**box))
        function = getattr(ours, name)
        assert list(function(ours_arr)) == list(getattr(peer_array, name)(peer))
    ours_arr[:3] = 1
    ours_arr[-1:] = 1
    peer[:3] = 1
    peer[-1:] = 1
    stored = asyncio.run(ours._shards_initialized(ours_arr.async_array))
    assert stored == asyncio.run(peer_array._shards_initialized(peer.async_array))
    assert ours_arr._nshards_initialized == len(stored) == peer._nshards_initialized
    assert asyncio.run(ours_arr.async_array._nshards_initialized()) == len(stored)


@pytest.mark.parametrize("grid", [(), (7,), (4, 5), (3, 2, 2)])
@pytest.mark.parametrize("box", ["all", "from_one", "one_cell"])
def test_iter_grid_and_regions_equal_zarr_python(grid: tuple[int, ...], box: str) -> None:
    from zarr.core.indexing import _iter_grid, _iter_regions

    from zarrdist.core.indexing import _iter_grid as iter_grid
    from zarrdist.core.indexing import _iter_regions as iter_regions

    origin = None if box == "all" else (1,) * len(grid)
    extent = (1,) * len(grid) if box == "one_cell" else None
    assert list(iter_grid(grid, origin=origin, selection_shape=extent)) == list(
        _iter_grid(grid, origin=origin, selection_shape=extent)
    )
    domain = tuple(3 * g - 1 for g in grid)  # the last region on each axis is cut short
    for trim in (True, False):
        box_kw: dict[str, Any] = {"origin": origin, "selection_shape": extent}
        assert list(iter_regions(domain, (3,) * len(grid), trim_excess=trim, **box_kw)) == list(
            _iter_regions(domain, (3,) * len(grid), trim_excess=trim, **box_kw)
        )


def test_iter_grid_refuses_a_box_outside_the_grid() -> None:
    from zarrdist.core.indexing import _iter_grid as iter_grid

    with pytest.raises(IndexError, match="outside the grid's 5 cells on axis 0"):
        list(iter_grid((5,), origin=(0,), selection_shape=(10,)))
    with pytest.raises(ValueError, match="origin"):
        list(iter_grid((5, 5), origin=(0,)))


def test_metadata_encode_chunk_key_equals_zarr_python() -> None:
    for fmt in (2, 3):
        ours_arr = zarrdist.create_array(
            {}, shape=(4, 4), chunks=(2, 2), dtype="i1", zarr_format=fmt
        )
        peer = zarr_python.create_array(
            {}, shape=(4, 4), chunks=(2, 2), dtype="i1", zarr_format=fmt
        )
        key = ours_arr.metadata.encode_chunk_key((1, 0))
        assert key == peer.metadata.encode_chunk_key((1, 0))


@pytest.mark.parametrize(
    ("chunks", "shape"),
    [(10, (100, 10)), ((30, None), (100, 20, 10)), (None, (100,)), (-1, (7,)), ((30, -1), (9, 4))],
)
def test_chunk_grids_normalize_chunks_equals_zarr_python(chunks: Any, shape: Any) -> None:
    from zarr.core.chunk_grids import normalize_chunks as peer

    from zarrdist.core.chunk_grids import normalize_chunks

    assert normalize_chunks(chunks, shape, 1) == peer(chunks, shape, 1)


@pytest.mark.parametrize("shape", [(0,), (10, 0), (100,) * 3, (1000000,), (10000,) * 2])
def test_chunk_grids_guess_chunks_equals_zarr_python(shape: tuple[int, ...]) -> None:
    from zarr.core.chunk_grids import _guess_chunks as peer

    from zarrdist.core.chunk_grids import _guess_chunks

    assert _guess_chunks(shape, 4) == peer(shape, 4)


def test_chunk_grids_normalize_chunks_refuses_as_zarr_python() -> None:
    from zarrdist.core.chunk_grids import normalize_chunks

    for bad in ("foo", (100, 10)):
        with pytest.raises(ValueError, match="chunks"):
            normalize_chunks(bad, (100,), 1)


def test_array_open_takes_what_names_a_store_as_zarr_python(tmp_path: Any) -> None:
    zarrdist.create_array(str(tmp_path / "x.zarr"), shape=(4,), dtype="i2", fill_value=3)
    store_path = zarrdist.storage.StorePath(zarrdist.storage.LocalStore(str(tmp_path)), "x.zarr")
    peer_path = zarr_python.storage.StorePath(
        zarr_python.storage.LocalStore(str(tmp_path)), "x.zarr"
    )
    expected = zarr_python.Array.open(peer_path)[:]
    for store_like in (store_path, str(tmp_path / "x.zarr")):
        opened = zarrdist.Array.open(store_like)
        assert opened.shape == (4,)
        np.testing.assert_array_equal(opened[:], expected)
    assert zarrdist.Array.open(str(tmp_path), path="x.zarr").path == "x.zarr"


@pytest.mark.parametrize("shape", [(2, 2), (2, 2, 2), (3, 5), (4, 3, 2), (1, 7), (5,)])
def test_morton_order_iter_equals_zarr_python(shape: tuple[int, ...]) -> None:
    from zarr.core.indexing import morton_order_iter as peer

    from zarrdist.core.indexing import morton_order_iter

    assert list(morton_order_iter(shape)) == list(peer(shape))


@pytest.mark.filterwarnings("ignore::zarr.errors.UnstableSpecificationWarning")
@pytest.mark.parametrize("dtype", ["uint8", "float32", "str", "U10", "S10", ">M8[10s]"])
@pytest.mark.parametrize(
    "compressors",
    ["auto", None, numcodecs.Zstd(level=3), (), (numcodecs.Zstd(level=3),), {"id": "zlib"}],
    ids=repr,
)
@pytest.mark.parametrize(
    "filters",
    ["auto", None, numcodecs.GZip(level=1), (numcodecs.VLenUTF8(), numcodecs.GZip(level=1))],
    ids=repr,
)
def test_v2_chunk_encoding_equals_zarr_python(dtype: str, compressors: Any, filters: Any) -> None:
    def run(function: Any, dtype_like: Any) -> Any:
        try:
            return function(filters=filters, compressor=compressors, dtype=dtype_like)
        except ValueError as exc:
            return ("ValueError", str(exc).replace("zarrdist", "zarr"))

    ours_result = run(
        ours._parse_chunk_encoding_v2, zarrdist.core.dtype.parse_dtype(dtype, zarr_format=2)
    )
    peer_result = run(peer_array._parse_chunk_encoding_v2, parse_dtype(dtype, zarr_format=2))
    assert ours_result == peer_result
    if isinstance(ours_result, tuple) and ours_result[0] == "ValueError":
        return
    store = zarrdist.storage.MemoryStore()
    made = zarrdist.create_array(
        store, shape=(10,), dtype=dtype, zarr_format=2, compressors=compressors, filters=filters
    )
    assert (made.metadata.filters, made.metadata.compressor) == peer_result
    assert made.compressors == (() if peer_result[1] is None else (peer_result[1],))


def test_v2_create_array_refuses_a_string_array_without_its_object_codec() -> None:
    for library in (zarrdist, zarr_python):
        with pytest.raises(ValueError, match=r"requires the numcodecs\.VLenUTF8 codec"):
            library.create_array({}, shape=(2,), dtype=str, zarr_format=2, filters=None)


@pytest.mark.parametrize("dtype", ["uint8", "bool", "<f4", ">i8", "S3", "str", "M8[s]"])
def test_default_serializer_v3_equals_zarr_python(dtype: str) -> None:
    peer = peer_array.default_serializer_v3(parse_dtype(dtype, zarr_format=3))
    mine = ours.default_serializer_v3(zarrdist.core.dtype.parse_dtype(dtype, zarr_format=3))
    assert mine.to_dict() == peer.to_dict()
    peer_filters = peer_array.default_filters_v2(parse_dtype(dtype, zarr_format=2))
    assert (
        ours.default_filters_v2(zarrdist.core.dtype.parse_dtype(dtype, zarr_format=2))
        == peer_filters
    )


@pytest.mark.parametrize("fmt", [2, 3])
@pytest.mark.parametrize(
    "value",
    [None, {"name": "v2", "separator": "/"}, {"name": "default"}, {"name": "invalid"}],
    ids=repr,
)
def test_parse_chunk_key_encoding_equals_zarr_python(fmt: int, value: Any) -> None:
    def run(function: Any) -> Any:
        try:
            return function(value, zarr_format=fmt).to_dict()
        except ValueError as exc:
            return str(exc)

    assert run(ours._parse_chunk_key_encoding) == run(peer_array._parse_chunk_key_encoding)
