"""Worked examples: what the projections look like, and agreement with zarr-python 3.1.5
on the selections it handles correctly."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import zarr

from tests.indexing._helpers import assemble, check_projections, read_via, split, write_via
from zarrdist.chunking.indexing import (
    ChunkProjection,
    Indexer,
    basic_indexer,
    block_indexer,
    coordinate_indexer,
    fancy_indexer,
    is_basic_selection,
    is_pure_fancy,
    mask_indexer,
    orthogonal_indexer,
    selection_axes,
)


def _as_lists(indexer: Indexer) -> list[tuple[Any, ...]]:
    """Projections with arrays as lists, for comparing against literals."""

    def plain(entry: Any) -> Any:
        return entry.tolist() if isinstance(entry, np.ndarray) else entry

    return [
        (
            p.chunk_coords,
            tuple(plain(e) for e in p.chunk_selection),
            tuple(plain(e) for e in p.out_selection),
            p.is_complete_chunk,
        )
        for p in indexer
    ]


def test_negative_step_reads_positive_chunk_slices_into_reversed_output() -> None:
    indexer = basic_indexer(slice(8, 1, -3), (10,), (4,))  # elements 8, 5, 2
    assert indexer.shape == (3,)
    assert _as_lists(indexer) == [
        ((0,), (slice(2, 3, 3),), (slice(2, 1, -1),), False),
        ((1,), (slice(1, 2, 3),), (slice(1, 0, -1),), False),
        ((2,), (slice(0, 1, 3),), (slice(0, None, -1),), False),
    ]
    a = np.arange(10)
    np.testing.assert_array_equal(read_via(indexer, split(a, (4,)), a.dtype), a[8:1:-3])


def test_full_reverse_over_partial_last_chunk() -> None:
    a = np.arange(7)
    indexer = basic_indexer(slice(None, None, -1), (7,), (3,))
    assert [p.is_complete_chunk for p in indexer] == [True, True, True]
    np.testing.assert_array_equal(read_via(indexer, split(a, (3,)), a.dtype), a[::-1])


def test_unsorted_coordinates_keep_the_inverse_permutation() -> None:
    indexer = coordinate_indexer(([5, 0, 7, 1],), (10,), (4,))
    assert _as_lists(indexer) == [
        ((0,), (slice(0, 2),), ([1, 3],), False),  # a run of indices becomes a slice
        ((1,), ([1, 3],), ([0, 2],), False),
    ]
    a = np.arange(10) * 10
    np.testing.assert_array_equal(read_via(indexer, split(a, (4,)), a.dtype), [50, 0, 70, 10])


def test_repeated_coordinates_write_last_value_wins_like_numpy() -> None:
    a = np.zeros((4, 4), dtype=int)
    chunks = split(a, (2, 2))
    sel = (np.array([1, 3, 1]), np.array([2, 0, 2]))
    write_via(coordinate_indexer(sel, a.shape, (2, 2)), chunks, np.array([10, 20, 30]))
    expected = a.copy()
    expected[sel] = [10, 20, 30]
    assert expected[1, 2] == 30
    np.testing.assert_array_equal(assemble(chunks, a.shape, (2, 2), a.dtype), expected)


def test_point_selection_uses_python_ints_and_is_scalar() -> None:
    indexer = basic_indexer((7, -1), (10, 9), (4, 4))
    assert indexer.is_scalar
    assert indexer.shape == ()
    assert indexer.drop_axes == (0, 1)
    [p] = list(indexer)
    assert p == ChunkProjection((1, 2), (3, 0), (), False)
    assert all(type(v) is int for v in (*p.chunk_coords, *p.chunk_selection))
    assert indexer.region == (slice(7, 8), slice(8, 9))
    assert not basic_indexer((7, -1, ...), (10, 9), (4, 4)).is_scalar


def test_point_in_a_one_element_edge_chunk_is_complete() -> None:
    [p] = list(basic_indexer((8,), (9,), (4,)))
    assert p.is_complete_chunk


@pytest.mark.parametrize(
    ("selection", "expected_shape", "scalar"),
    [((), (), True), (Ellipsis, (), False), (None, (1,), False), ((None, ...), (1,), False)],
)
def test_zero_dimensional_arrays(
    selection: Any, expected_shape: tuple[int, ...], scalar: bool
) -> None:
    a = np.array(5)
    indexer = fancy_indexer(selection, (), ())
    assert indexer.shape == expected_shape == a[selection].shape
    assert indexer.is_scalar is scalar
    got = read_via(indexer, split(a, ()), a.dtype)
    np.testing.assert_array_equal(got, a[selection])


def test_zero_length_dimension_touches_no_chunk() -> None:
    indexer = basic_indexer((slice(None), 2), (0, 5), (3, 3))
    assert indexer.shape == (0,)
    assert indexer.nchunks_touched == 0
    assert list(indexer) == []


def test_chunk_larger_than_the_array() -> None:
    indexer = basic_indexer(slice(None), (3,), (10,))
    assert _as_lists(indexer) == [((0,), (slice(0, 3, 1),), (slice(0, 3),), True)]


def test_bool_1d_on_nd_masks_the_first_axis() -> None:
    a = np.arange(12).reshape(4, 3)
    mask = np.array([True, False, True, True])
    indexer = fancy_indexer(mask, a.shape, (3, 2))
    assert indexer.kind == "orthogonal"
    np.testing.assert_array_equal(read_via(indexer, split(a, (3, 2)), a.dtype), a[mask])


def test_integer_separated_from_array_by_a_slice_moves_the_points_first() -> None:
    a = np.arange(60).reshape(3, 4, 5)
    sel = (0, slice(None), [1, 3])
    indexer = fancy_indexer(sel, a.shape, (2, 3, 2))
    assert indexer.shape == a[sel].shape == (2, 4)
    np.testing.assert_array_equal(read_via(indexer, split(a, (2, 3, 2)), a.dtype), a[sel])


def test_empty_ellipsis_still_separates_advanced_indices() -> None:
    a = np.arange(24).reshape(2, 3, 4)
    sel = (slice(None), [0, 2], ..., [1, 3])
    assert a[sel].shape == (2, 2)  # NumPy: the points axis goes first
    indexer = fancy_indexer(sel, a.shape, (1, 2, 3))
    check_projections(indexer, split(a, (1, 2, 3)))
    np.testing.assert_array_equal(read_via(indexer, split(a, (1, 2, 3)), a.dtype), a[sel])


def test_orthogonal_with_two_arrays_gives_ix_shaped_chunk_selections() -> None:
    indexer = orthogonal_indexer(([2, 0], [1, 0]), (3, 3), (3, 3))
    [p] = list(indexer)
    assert [e.shape for e in p.chunk_selection] == [(2, 1), (1, 2)]
    assert [e.tolist() for e in selection_axes(p.chunk_selection)] == [[2, 0], [1, 0]]
    a = np.arange(9).reshape(3, 3)
    np.testing.assert_array_equal(a[p.chunk_selection], a[np.ix_([2, 0], [1, 0])])


def test_orthogonal_single_array_stays_one_dimensional() -> None:
    indexer = orthogonal_indexer((slice(None), [0, 2]), (4, 4), (2, 2))
    for p in indexer:
        assert all(not isinstance(e, np.ndarray) or e.ndim == 1 for e in p.chunk_selection)


def test_region_of_a_coordinate_selection() -> None:
    indexer = coordinate_indexer(([3, 1], [0, 4]), (5, 5), (2, 2))
    assert indexer.region == (slice(1, 4), slice(0, 5))


def test_mask_output_is_c_order() -> None:
    a = np.arange(16).reshape(4, 4)
    mask = (a % 3) == 0
    indexer = mask_indexer(mask, a.shape, (3, 3))
    np.testing.assert_array_equal(read_via(indexer, split(a, (3, 3)), a.dtype), a[mask])


def test_selection_predicates() -> None:
    assert is_basic_selection((1, slice(None), Ellipsis, None, np.int64(2)))
    assert not is_basic_selection((True,))
    assert not is_basic_selection(([0, 1],))
    assert is_pure_fancy(([0, 1], [2, 3]), 2)
    assert is_pure_fancy((np.array([0, 1]), 3), 2)
    assert is_pure_fancy(np.ones((2, 2), bool), 2)
    assert is_pure_fancy([0, 3], 1)
    assert not is_pure_fancy(([0, 1], slice(None)), 2)
    assert not is_pure_fancy((1, 2), 2)


# -- zarr-python 3.1.5 as the peer, on the selections it gets right -------------------

SHAPE, CHUNKS = (7, 9), (3, 4)


@pytest.fixture(scope="module")
def peer() -> tuple[Any, np.ndarray[Any, Any]]:
    data = np.arange(63, dtype="i4").reshape(SHAPE)
    z = zarr.create_array(store={}, shape=SHAPE, chunks=CHUNKS, dtype="i4")
    z[...] = data
    return z, data


def _ours(indexer: Indexer, data: np.ndarray[Any, Any]) -> Any:
    return read_via(indexer, split(data, CHUNKS), data.dtype)


@pytest.mark.parametrize(
    "sel",
    [(slice(1, 6, 2), 3), (Ellipsis, slice(2, None)), (6, 8), (slice(None), [8, 0, 3])],
    ids=str,
)
def test_getitem_agrees_with_zarr(peer: Any, sel: Any) -> None:
    z, data = peer
    np.testing.assert_array_equal(_ours(fancy_indexer(sel, SHAPE, CHUNKS), data), z[sel])


@pytest.mark.parametrize(
    "sel",
    [([6, 0, 2], [8, 1]), (np.array([True, False] * 3 + [True]), slice(1, 8, 3)), (2, [0, 4])],
    ids=str,
)
def test_oindex_agrees_with_zarr(peer: Any, sel: Any) -> None:
    z, data = peer
    np.testing.assert_array_equal(
        _ours(orthogonal_indexer(sel, SHAPE, CHUNKS), data), z.oindex[sel]
    )


@pytest.mark.parametrize(
    "sel", [([6, 0, 2, 0], [8, 1, 4, 1]), (np.array([[1, 2], [3, 4]]), 5)], ids=str
)
def test_vindex_agrees_with_zarr(peer: Any, sel: Any) -> None:
    z, data = peer
    np.testing.assert_array_equal(
        _ours(coordinate_indexer(sel, SHAPE, CHUNKS), data), z.vindex[sel]
    )


@pytest.mark.parametrize("sel", [1, -1, (slice(1, 3), 2), (Ellipsis, slice(0, 2))], ids=str)
def test_blocks_agree_with_zarr(peer: Any, sel: Any) -> None:
    z, data = peer
    np.testing.assert_array_equal(_ours(block_indexer(sel, SHAPE, CHUNKS), data), z.blocks[sel])


@pytest.mark.parametrize(
    ("builder", "selection"),
    [
        (basic_indexer, (1, 2)),
        (basic_indexer, (slice(None), None)),
        (orthogonal_indexer, ([0, 2], [1])),
        (coordinate_indexer, ([0, 2], [1, 1])),
        (mask_indexer, np.eye(3, dtype=bool)),
        (block_indexer, (0,)),
        (fancy_indexer, ([[0], [2]], [1, 0])),
    ],
    ids=lambda v: getattr(v, "__name__", "sel"),
)
def test_every_builder_returns_an_indexer(builder: Any, selection: Any) -> None:
    indexer = builder(selection, (3, 3), (2, 2))
    assert isinstance(indexer, Indexer)
    assert indexer.kind in ("basic", "orthogonal", "vectorized")
    assert (indexer.array_shape, indexer.chunk_shape) == ((3, 3), (2, 2))
