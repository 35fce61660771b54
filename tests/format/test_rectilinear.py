"""Rectilinear chunk grids: the grid, indexing over varying edges, reads, writes,
graphs, to_dask, resize and shards, each checked against NumPy."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import dask.array as da
import numpy as np
import pytest

import zarrdist as zarr
from zarrdist.chunking.grid import (
    RectilinearChunkGrid,
    RegularChunkGrid,
    VaryingAxis,
    chunk_grid_from_json,
)
from zarrdist.chunking.indexing import (
    block_indexer,
    coordinate_indexer,
    fancy_indexer,
    mask_indexer,
    orthogonal_indexer,
)
from zarrdist.errors import MetadataError
from zarrdist.metadata import ArrayMetadataV3

EDGES = ((3, 1, 4, 2), (2, 5))
SHAPE = (10, 7)


@pytest.fixture
def rectilinear_on() -> Any:
    with zarr.config.set({"array.rectilinear_chunks": True}):
        yield


# -- the grid -----------------------------------------------------------------------


def test_grid_json_run_length_and_bare_axes() -> None:
    doc = {
        "name": "rectilinear",
        "configuration": {"kind": "inline", "chunk_shapes": [[[3, 2], 4, [1, 3]], 5]},
    }
    grid = chunk_grid_from_json(doc)
    assert isinstance(grid, RectilinearChunkGrid)
    assert grid.chunk_shapes == ((3, 3, 4, 1, 1, 1), 5)
    assert grid.to_json() == doc
    assert grid.grid_shape((13, 12)) == (6, 3)
    assert grid.chunk_sizes((12, 12)) == ((3, 3, 4, 1, 1), (5, 5, 2))
    assert grid.chunk_region((2, 2), (13, 12)) == (slice(6, 10), slice(10, 12))
    assert grid.chunk_shape_at((2, 2)) == (4, 5)
    # Lists shorter than their run-length form stay lists, as zarr-python writes them.
    assert RectilinearChunkGrid(((1, 2), 3)).to_json()["configuration"]["chunk_shapes"] == [
        [1, 2],
        3,
    ]
    assert isinstance(
        chunk_grid_from_json({"name": "regular", "configuration": {"chunk_shape": [2]}}),
        RegularChunkGrid,
    )


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ({"name": "rectilinear", "configuration": {"kind": "file", "chunk_shapes": [[2]]}}, "kind"),
        (
            {"name": "rectilinear", "configuration": {"kind": "inline", "chunk_shapes": [[0, 2]]}},
            ">= 1",
        ),
        (
            {
                "name": "rectilinear",
                "configuration": {"kind": "inline", "chunk_shapes": [[[2, 1, 1]]]},
            },
            "size, count",
        ),
        (
            {"name": "rectilinear", "configuration": {"kind": "inline", "chunk_shapes": [[]]}},
            "no chunk edges",
        ),
        ({"name": "irregular", "configuration": {}}, "unknown chunk grid"),
    ],
)
def test_bad_grids_are_refused_by_name(doc: dict[str, Any], message: str) -> None:
    with pytest.raises(MetadataError, match=message):
        chunk_grid_from_json(doc)


def test_metadata_refuses_edges_short_of_the_shape_and_shards_that_cut_inner_chunks() -> None:
    with pytest.raises(MetadataError, match="sum to 9, less than the extent 10"):
        ArrayMetadataV3(
            shape=(10,),
            data_type="int8",
            chunk_shape=(),
            rectilinear=RectilinearChunkGrid(((4, 5),)),
        )
    sharding = {
        "name": "sharding_indexed",
        "configuration": {"chunk_shape": [2], "codecs": [{"name": "bytes"}]},
    }
    with pytest.raises(MetadataError, match=r"shard edges \[3\] along axis 0"):
        ArrayMetadataV3(
            shape=(7,),
            data_type="int8",
            chunk_shape=(),
            codecs=(sharding,),
            rectilinear=RectilinearChunkGrid(((4, 3),)),
        )


# -- indexing -------------------------------------------------------------------------


def _chunks_of(a: np.ndarray) -> dict[tuple[int, ...], np.ndarray]:
    starts = [np.cumsum((0, *e)) for e in EDGES]
    out = {}
    for i in range(len(EDGES[0])):
        for j in range(len(EDGES[1])):
            block = np.full((EDGES[0][i], EDGES[1][j]), -1)
            part = a[starts[0][i] : starts[0][i + 1], starts[1][j] : starts[1][j + 1]]
            block[: part.shape[0], : part.shape[1]] = part
            out[(i, j)] = block
    return out


def _gather(indexer: Any, chunks: dict[tuple[int, ...], np.ndarray]) -> Any:
    out = np.full(indexer.shape, -99)
    for p in indexer:
        out[p.out_selection] = chunks[p.chunk_coords][p.chunk_selection]
    return out[()] if indexer.is_scalar else out


AXES = (VaryingAxis(EDGES[0]), VaryingAxis(EDGES[1]))
A = np.arange(math.prod(SHAPE)).reshape(SHAPE)


@pytest.mark.parametrize(
    "selection",
    [
        (4, 6),
        (-1, 0),
        (slice(None), slice(1, 6, 2)),
        (slice(None, None, -3), [1, 5, 6]),
        ([9, 0, 3, 3], slice(None)),
        (np.array([1, 5, 9]), np.array([0, 6, 2])),
        (A > 30,),
        (Ellipsis, 5),
        (slice(2, 9, 4), 0),
        (slice(3, 4), None, slice(None, None, 5)),
        (slice(None, None, 7), slice(None, None, 6)),
    ],
)
def test_fancy_selections_match_numpy(selection: Any) -> None:
    indexer = fancy_indexer(selection, SHAPE, AXES)
    np.testing.assert_array_equal(_gather(indexer, _chunks_of(A)), A[selection])


def test_other_indexers_match_numpy() -> None:
    chunks = _chunks_of(A)
    rng = np.random.default_rng(7)
    rows, cols = rng.integers(0, 10, 20), rng.integers(0, 7, 20)
    got = _gather(orthogonal_indexer((rows, cols[:5]), SHAPE, AXES), chunks)
    np.testing.assert_array_equal(got, A[np.ix_(rows, cols[:5])])
    np.testing.assert_array_equal(
        _gather(coordinate_indexer((rows, cols), SHAPE, AXES), chunks), A[rows, cols]
    )
    mask = rng.random(SHAPE) > 0.6
    np.testing.assert_array_equal(_gather(mask_indexer(mask, SHAPE, AXES), chunks), A[mask])
    np.testing.assert_array_equal(
        _gather(block_indexer((slice(1, 3), 1), SHAPE, AXES), chunks), A[3:8, 2:7]
    )
    np.testing.assert_array_equal(
        _gather(block_indexer((-1, 0), SHAPE, AXES), chunks), A[8:10, 0:2]
    )


def test_projections_are_complete_only_for_whole_chunks() -> None:
    whole = [
        p for p in fancy_indexer((slice(3, 4), slice(2, 7)), SHAPE, AXES) if p.is_complete_chunk
    ]
    assert [p.chunk_coords for p in whole] == [(1, 1)]


# -- arrays ---------------------------------------------------------------------------


def test_array_reads_writes_and_reports_sizes(rectilinear_on: Any) -> None:
    z = zarr.create_array(
        {}, shape=SHAPE, chunks=[list(e) for e in EDGES], dtype="i4", fill_value=-1
    )
    expected = np.full(SHAPE, -1, dtype="i4")
    z[2:9, 1:6] = A[2:9, 1:6]
    expected[2:9, 1:6] = A[2:9, 1:6]
    z.vindex[[0, 9], [6, 0]] = [100, 200]
    expected[[0, 9], [6, 0]] = [100, 200]
    np.testing.assert_array_equal(z[...], expected)
    np.testing.assert_array_equal(z.oindex[[9, 4, 0], :], expected[[9, 4, 0], :])
    np.testing.assert_array_equal(z.blocks[2, 1], expected[4:8, 2:7])
    assert z.read_chunk_sizes == z.write_chunk_sizes == EDGES
    assert z.nchunks == 8
    assert z.cdata_shape == (4, 2)
    with pytest.raises(NotImplementedError, match="read_chunk_sizes"):
        _ = z.chunks
    assert z.shards is None


def test_nested_chunks_keep_their_old_meaning_without_the_flag() -> None:
    z = zarr.create_array({}, shape=(10,), chunks=((4, 4, 2),), dtype="i1")
    assert z.chunks == (4,)
    assert z.metadata.to_json()["chunk_grid"]["name"] == "regular"


def test_edges_must_sum_to_the_shape(rectilinear_on: Any) -> None:
    with pytest.raises(MetadataError, match="sum to 9, not the axis length 10"):
        zarr.create_array({}, shape=(10,), chunks=[[4, 5]], dtype="i1")


def test_graph_paths_and_to_dask_use_the_real_block_sizes(
    rectilinear_on: Any, tmp_path: Path
) -> None:
    x = np.random.default_rng(0).random((40, 30))
    z = zarr.create_array(
        str(tmp_path / "g"), shape=x.shape, chunks=[[5, 10, 15, 10], [7, 8, 15]], dtype="f8"
    )
    with zarr.config.set({"direct_max_bytes": 0}):
        z[:] = x
        np.testing.assert_array_equal(z[...], x)
        d = z.to_dask()
        assert d.chunks == ((5, 10, 15, 10), (7, 8, 15))
        np.testing.assert_array_equal(d.compute(), x)
        z[3:33, 2:29] = x[3:33, 2:29] * 2
        x[3:33, 2:29] *= 2
        np.testing.assert_array_equal(z[1:39, ::2], x[1:39, ::2])
        z[:] = da.from_array(x + 1, chunks=(9, 11))
        np.testing.assert_array_equal(z[...], x + 1)


def test_resize_and_append_grow_by_one_chunk_as_zarr_python_does(
    rectilinear_on: Any, tmp_path: Path
) -> None:
    x = np.arange(40 * 30, dtype="f8").reshape(40, 30)
    z = zarr.create_array(
        str(tmp_path / "r"), shape=x.shape, chunks=[[5, 10, 15, 10], [7, 8, 15]], dtype="f8"
    )
    z[:] = x
    z.resize((50, 20))
    grid = json.loads((tmp_path / "r" / "zarr.json").read_text())["chunk_grid"]
    assert grid["configuration"]["chunk_shapes"] == [[5, 10, 15, [10, 2]], [7, 8, 15]]
    expected = np.zeros((50, 20))
    expected[:40] = x[:, :20]
    np.testing.assert_array_equal(z[...], expected)
    # The surviving chunk along axis 1 ends at 30: what lay beyond 20 is reset.
    z.resize((50, 30))
    assert (z[:, 20:] == 0).all()
    z.append(np.ones((3, 30)))
    assert z.write_chunk_sizes[0] == (5, 10, 15, 10, 10, 3)
    np.testing.assert_array_equal(z[50:], np.ones((3, 30)))
    assert not (tmp_path / "r" / "c" / "4").exists()  # never written: all fill


def test_rectilinear_shards_over_regular_inner_chunks(rectilinear_on: Any, tmp_path: Path) -> None:
    y = np.arange(96, dtype="u1").reshape(12, 8)
    z = zarr.create_array(
        str(tmp_path / "s"), shape=y.shape, chunks=(2, 4), shards=[[4, 8], [8]], dtype="u1"
    )
    z[:] = y
    z[5:7, 1:3] = 0
    y[5:7, 1:3] = 0
    np.testing.assert_array_equal(z[...], y)
    assert z.chunks == (2, 4)
    assert z.read_chunk_sizes == ((2,) * 6, (4, 4))
    assert z.write_chunk_sizes == ((4, 8), (8,))
    assert z.nchunks_initialized == 12
    with pytest.raises(NotImplementedError, match="write_chunk_sizes"):
        _ = z.shards
    assert sorted(p.name for p in (tmp_path / "s" / "c").iterdir()) == ["0", "1"]
    with zarr.config.set({"direct_max_bytes": 0}):
        np.testing.assert_array_equal(z.to_dask().compute(), y)
        assert z.to_dask().chunks == ((4, 8), (8,))


def test_info_says_variable_as_zarr_python_does() -> None:
    golden = Path(__file__).resolve().parents[1] / "data" / "zarr_python_342"

    def rows(text: str) -> dict[str, str]:
        return {k.strip(): v.strip() for k, v in (line.split(":", 1) for line in text.splitlines())}

    plain = rows(str(zarr.open_array(str(golden / "rect_2d"), mode="r").info))
    assert plain["Chunk shape"] == "<variable>"
    sharded = rows(str(zarr.open_array(str(golden / "rect_sharded"), mode="r").info_complete()))
    assert sharded["Chunk shape"] == "(2, 4)"
    assert sharded["Shard shape"] == "<variable>"
    assert sharded["Chunks initialized"] == "12/12"


@pytest.mark.parametrize("seed", range(4))
def test_random_selections_through_the_array_match_numpy(rectilinear_on: Any, seed: int) -> None:
    rng = np.random.default_rng(seed)
    shape = (int(rng.integers(5, 30)), int(rng.integers(5, 30)))
    edges = [rng.multinomial(n - k, [1 / k] * k) + 1 for n, k in ((shape[0], 4), (shape[1], 3))]
    x = rng.integers(0, 100, shape).astype("i8")
    z = zarr.create_array({}, shape=shape, chunks=[e.tolist() for e in edges], dtype="i8")
    z[...] = x
    for _ in range(25):
        sel = tuple(
            slice(
                int(rng.integers(-n, n)),
                int(rng.integers(-n, n + 1)),
                int(rng.choice([-3, -1, 1, 2, 5])),
            )
            for n in shape
        )
        np.testing.assert_array_equal(z[sel], x[sel])
        value = rng.integers(0, 100, x[sel].shape)
        z[sel] = value
        x[sel] = value
        points = tuple(rng.integers(0, n, 7) for n in shape)
        np.testing.assert_array_equal(z.vindex[points], x[points])
    np.testing.assert_array_equal(z[...], x)


@pytest.mark.parametrize("name", ["rect_2d", "rect_sharded"])
@pytest.mark.parametrize("change", [{}, {"compressors": None}, {"fill_value": 3}])
def test_from_array_keeps_a_rectilinear_grid(name: str, change: dict[str, Any]) -> None:
    golden = Path(__file__).resolve().parents[1] / "data" / "zarr_python_342"
    src = zarr.open_array(str(golden / name), mode="r")
    dst = zarr.from_array({}, data=src, **change)
    np.testing.assert_array_equal(dst[...], src[...])
    assert dst.write_chunk_sizes == src.write_chunk_sizes
    assert dst.read_chunk_sizes == src.read_chunk_sizes


def test_unit_copy_plans_and_verify_refuse_rectilinear_grids_by_name() -> None:
    from zarrdist.chunkio.units import ArrayHandle
    from zarrdist.errors import GraphError
    from zarrdist.graphs.copy import plan_copy
    from zarrdist.graphs.verify import verify_graph
    from zarrdist.storage import MemoryStore

    golden = Path(__file__).resolve().parents[1] / "data" / "zarr_python_342" / "rect_2d"
    meta = ArrayMetadataV3.from_json(json.loads((golden / "zarr.json").read_text()))
    handle = ArrayHandle(MemoryStore(), "temperature", meta)
    with pytest.raises(GraphError, match="rectilinear grid"):
        plan_copy(handle, handle)
    with pytest.raises(GraphError, match="rectilinear chunk grids yet"):
        verify_graph(handle)
