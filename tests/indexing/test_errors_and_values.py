"""Refused selections name what is wrong; values broadcast by NumPy's rules; helpers
apply projections without surprises."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zarrdist.chunking.indexing import (
    apply_chunk_selection,
    assign_chunk_selection,
    basic_indexer,
    block_indexer,
    broadcast_value,
    check_value_shape,
    coordinate_indexer,
    fancy_indexer,
    mask_indexer,
    orthogonal_indexer,
)
from zarrdist.errors import MetadataError, SelectionError

SHAPE, CHUNKS = (4, 5), (2, 2)

REFUSED = [
    (basic_indexer, (4, 0), r"index 4 is out of bounds for axis 0 with size 4"),
    (basic_indexer, (0, -6), r"index -6 is out of bounds for axis 1 with size 5"),
    (basic_indexer, (0, 0, 0), r"too many indices for array: array is 2-dimensional, but 3"),
    (basic_indexer, (..., 0, ...), r"single Ellipsis"),
    (basic_indexer, (1.5,), r"an index must be an integer.*1\.5 \(float\)"),
    (basic_indexer, ("f0",), r"field names"),
    (basic_indexer, (True,), r"boolean scalar"),
    (basic_indexer, (slice(0, 4, 0),), r"slice step cannot be zero"),
    (basic_indexer, (slice(0.5, 2),), r"slice start must be an integer"),
    (basic_indexer, ([0, 1],), r"index array at position 0 .*oindex.*vindex"),
    (fancy_indexer, ([0, 4],), r"index 4 is out of bounds for axis 0 with size 4"),
    (
        fancy_indexer,
        ([True, False],),
        r"boolean index did not match .* axis 0; size of axis is 4 .* 2",
    ),
    (fancy_indexer, ([0, 1], [0, 1, 2]), r"shape mismatch: .*\(2,\) \(3,\)"),
    (fancy_indexer, ([0, 1], None), r"np.newaxis / None cannot be combined"),
    (fancy_indexer, ([0.5],), r"dtype float64"),
    (fancy_indexer, (np.array(True),), r"0-d boolean"),
    (fancy_indexer, ([[0, 1], [2]],), r"cannot use .* as an index array"),
    (orthogonal_indexer, ([[0, 1]],), r"1-D index arrays; got an array of shape \(1, 2\)"),
    (orthogonal_indexer, (None,), r"None is not supported in orthogonal"),
    (orthogonal_indexer, (slice(None), [5]), r"index 5 is out of bounds for axis 1 with size 5"),
    (orthogonal_indexer, (slice(None), [True] * 4), r"axis 1; size of axis is 5"),
    (coordinate_indexer, ([0, 1],), r"needs 2 index arrays .* got 1"),
    (coordinate_indexer, ([0, 1], slice(None)), r"one integer array .* per axis; got slice"),
    (coordinate_indexer, ([0, 1], [True] * 5), r"one integer array .* per axis"),
    (coordinate_indexer, ([0, 1], [0, 9]), r"index 9 is out of bounds for axis 1 with size 5"),
    (coordinate_indexer, ([0, 1], [0, 1, 2]), r"shape mismatch"),
    (mask_indexer, np.ones((4, 4), bool), r"mask shape \(4, 4\) does not match .* \(4, 5\)"),
    (mask_indexer, np.ones((4, 5), int), r"must be a boolean array, got dtype int"),
    (block_indexer, (2,), r"block index 2 is out of bounds for axis 0 with 2 chunks"),
    (block_indexer, (slice(None), -4), r"block index -4 is out of bounds for axis 1 with 3"),
    (block_indexer, (slice(0, 2, 2),), r"step 1"),
    (block_indexer, ([0],), r"chunk indices"),
]


@pytest.mark.parametrize(
    ("builder", "selection", "match"), REFUSED, ids=lambda v: getattr(v, "__name__", repr(v))
)
def test_refused_selections_say_why(builder: Any, selection: Any, match: str) -> None:
    with pytest.raises(SelectionError, match=match) as info:
        builder(selection, SHAPE, CHUNKS)
    assert isinstance(info.value, IndexError)


def test_point_fast_path_refuses_out_of_bounds_like_the_slow_path() -> None:
    with pytest.raises(SelectionError, match="index -5 is out of bounds for axis 0 with size 4"):
        basic_indexer((-5, 0), SHAPE, CHUNKS)
    with pytest.raises(SelectionError, match="index 10 is out of bounds for axis 0 with size 10"):
        fancy_indexer(10, (10,), (3,))


@pytest.mark.parametrize(
    ("shape", "chunks", "match"),
    [
        ((4, 5), (2,), r"has 1 dimensions but the array shape \(4, 5\) has 2"),
        ((4, 5), (2, 0), "axis 1 must be >= 1"),
    ],
)
def test_bad_chunk_shapes_are_metadata_errors(shape: Any, chunks: Any, match: str) -> None:
    for selection in ((0, 0), slice(None)):
        with pytest.raises(MetadataError, match=match):
            basic_indexer(selection, shape, chunks)


def _numpy_accepts(value_shape: tuple[int, ...], target: tuple[int, ...]) -> bool:
    try:
        np.empty(target)[...] = np.zeros(value_shape)
    except ValueError:
        return False
    return True


shapes = st.lists(st.integers(0, 3), max_size=3).map(tuple)


@settings(max_examples=300, deadline=None)
@given(shapes, shapes)
def test_check_value_shape_follows_numpy(value_shape: Any, target: Any) -> None:
    if _numpy_accepts(value_shape, target):
        assert check_value_shape(value_shape, target) == target
        value = np.arange(int(np.prod(value_shape))).reshape(value_shape)
        expected = np.empty(target, dtype=value.dtype)
        expected[...] = value
        np.testing.assert_array_equal(broadcast_value(value, target), expected)
    else:
        with pytest.raises(SelectionError, match=r"could not broadcast input array from shape"):
            check_value_shape(value_shape, target)
        with pytest.raises(SelectionError):
            broadcast_value(np.zeros(value_shape), target)


def test_broadcast_value_names_both_shapes() -> None:
    with pytest.raises(SelectionError, match=r"from shape \(3,\) into shape \(2, 4\)"):
        broadcast_value([1, 2, 3], (2, 4))


def test_broadcast_value_keeps_python_objects_with_object_dtype() -> None:
    out = broadcast_value("abc", (2,), dtype=object)
    assert out.dtype == object
    assert out.tolist() == ["abc", "abc"]


def test_apply_chunk_selection_keeps_zero_d_results_as_arrays() -> None:
    chunk = np.array([["a", "bb"], ["ccc", "d"]], dtype=object)
    got = apply_chunk_selection(chunk, (1, 0))
    assert isinstance(got, np.ndarray)
    assert got.shape == ()
    assert got[()] == "ccc"


def test_assign_chunk_selection_orthogonal_ix_form() -> None:
    chunk = np.zeros((3, 3), dtype=int)
    [p] = list(orthogonal_indexer(([0, 2], [2, 1]), (3, 3), (3, 3)))
    assign_chunk_selection(chunk, p.chunk_selection, np.array([[1, 2], [3, 4]]))
    assert chunk.tolist() == [[0, 2, 1], [0, 0, 0], [0, 4, 3]]
