"""Placing chunks (zarrdist.chunkio.placement): runs of whole chunks against chunk-by-chunk
placement, and one chunk row by row against NumPy's own assignment."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from zarrdist.chunking.indexing import ChunkProjection, basic_indexer
from zarrdist.chunkio.placement import may_take_whole_chunks, place_chunk, place_runs


def _chunks_of(
    data: np.ndarray[Any, Any], chunk: tuple[int, ...], ps: list[ChunkProjection]
) -> list[bytes]:
    """The raw bytes of each projected chunk of ``data`` (padded with zeros at edges)."""
    out = []
    for p in ps:
        block = np.zeros(chunk, data.dtype)
        region = tuple(
            slice(c * n, (c + 1) * n) for c, n in zip(p.chunk_coords, chunk, strict=True)
        )
        part = data[region]
        block[tuple(slice(0, s) for s in part.shape)] = part
        out.append(block.tobytes())
    return out


@pytest.mark.parametrize(
    ("shape", "chunk", "selection", "order"),
    [
        ((64, 96), (8, 16), (slice(None), slice(None)), "C"),
        ((64, 96), (8, 16), (slice(None), slice(None)), "F"),
        ((61, 90), (8, 16), (slice(None), slice(None)), "C"),  # partial edge chunks
        ((64, 96), (8, 16), (slice(3, 50), slice(16, 80)), "C"),  # partial first row
        ((64, 96), (8, 16), (slice(None, None, -1), slice(None)), "C"),  # reversed
        ((64, 96), (8, 16), (5, slice(None)), "C"),  # an axis dropped
        ((12, 16, 24), (4, 8, 8), (slice(None), slice(None), slice(None)), "C"),
        ((100,), (10,), (slice(None),), "C"),
    ],
)
def test_place_runs_equals_numpy(
    shape: tuple[int, ...], chunk: tuple[int, ...], selection: Any, order: str
) -> None:
    data = np.arange(np.prod(shape), dtype="<i4").reshape(shape)
    indexer = basic_indexer(selection, shape, chunk)
    ps = list(indexer)
    raw = _chunks_of(data, chunk, ps)
    out = np.full(indexer.shape, -1, dtype="<i4", order=order)
    left = place_runs(out, [[p] for p in ps], raw, chunk, np.dtype("<i4"))
    for i in left:
        chunk_arr = np.frombuffer(raw[i], "<i4").reshape(chunk)
        out[ps[i].out_selection] = chunk_arr[ps[i].chunk_selection]
    np.testing.assert_array_equal(out, data[selection])
    placed = len(ps) - len(left)
    # Whole chunks side by side are placed as runs; partial ones are left over.
    if shape == (64, 96) and selection == (slice(None), slice(None)):
        assert left == []
    if selection == (slice(None, None, -1), slice(None)) or len(ps) < 2:
        assert placed == 0


def test_place_runs_leaves_chunks_with_several_projections_or_odd_sizes() -> None:
    shape, chunk = (8, 32), (8, 8)
    data = np.arange(256, dtype="u2").reshape(shape)
    ps = list(basic_indexer((slice(None), slice(None)), shape, chunk))
    raw = _chunks_of(data, chunk, ps)
    raw[2] = raw[2][:-2]  # not a whole chunk's bytes: the caller's codec reports it
    projections = [[p] for p in ps]
    projections[3] = [ps[3], ps[3]]
    out = np.zeros(shape, "u2")
    assert place_runs(out, projections, raw, chunk, np.dtype("u2")) == [2, 3]
    np.testing.assert_array_equal(out[:, :16], data[:, :16])
    assert not out[:, 16:].any()


def test_place_runs_leaves_whole_chunks_read_through_index_arrays() -> None:
    # A vectorized selection that permutes a chunk covers it completely, through an
    # index array instead of a slice: such chunks go back to the caller, and runs
    # still form among the others (found by Hypothesis: shape (4,), chunks (3,)).
    data = np.arange(12, dtype="<i4")
    chunk = (3,)
    raw = [data[i : i + 3].tobytes() for i in range(0, 12, 3)]
    permuted = ChunkProjection((0,), (np.array([0, 2, 1]),), (slice(0, 3),), True)
    whole = [
        ChunkProjection((c,), (slice(0, 3, None),), (slice(3 * c, 3 * c + 3),), True)
        for c in (1, 2, 3)
    ]
    out = np.full(12, -1, "<i4")
    left = place_runs(out, [[permuted], *([p] for p in whole)], raw, chunk, np.dtype("<i4"))
    assert left == [0]
    np.testing.assert_array_equal(out[3:], data[3:])
    assert (out[:3] == -1).all()


_STRUCT = np.dtype([("a", "<i2"), ("b", "<f8")])


_ALL = (slice(None),) * 3


@pytest.mark.parametrize(
    ("dtype", "out_sel", "chunk_sel"),
    [
        ("<f4", (slice(8, 16), slice(4, 12), slice(3, 19)), _ALL),
        (
            "<f4",
            (slice(8, 16), slice(4, 12), slice(3, 11)),
            (slice(None), slice(None), slice(0, 8)),
        ),
        ("<u2", (slice(0, 8), 5, slice(0, 16)), (slice(None), 0, slice(None))),  # an axis dropped
        ("<f8", (slice(15, 7, -1), slice(4, 12), slice(0, 16)), _ALL),  # reversed
        ("<f4", (slice(8, 16), slice(4, 12), slice(18, 2, -1)), _ALL),  # rows reversed
        (
            "<f4",
            (slice(0, 4), slice(0, 8), slice(0, 16, 2)),
            (slice(0, 4), slice(None), slice(0, 8)),
        ),
        (
            "<f4",
            (slice(0, 8), slice(0, 8), slice(0, 8)),
            (slice(None), slice(None), slice(None, None, 2)),
        ),
        (">f4", (slice(8, 16), slice(4, 12), slice(3, 19)), _ALL),  # cast on assignment
        (_STRUCT, (slice(8, 16), slice(4, 12), slice(3, 19)), _ALL),
        ("U3", (slice(0, 8), slice(4, 12), slice(3, 19)), _ALL),
        ("O", (slice(0, 8), slice(4, 12), slice(3, 19)), _ALL),
        ("<f4", (np.arange(8), slice(4, 12), slice(0, 16)), _ALL),  # an index array
        ("<f4", (slice(0, 8), slice(0, 8), slice(0, 0)), (slice(None), slice(None), slice(0, 0))),
    ],
)
def test_place_chunk_equals_numpy(dtype: Any, out_sel: Any, chunk_sel: Any) -> None:
    chunk = np.random.default_rng(3).integers(0, 1000, (8, 8, 16)).astype(dtype)
    expected = np.zeros((20, 16, 20), "<f4" if dtype == ">f4" else dtype)
    got = expected.copy()
    expected[out_sel] = chunk[chunk_sel]
    place_chunk(got, out_sel, chunk, chunk_sel)
    if got.dtype.hasobject:
        assert (got == expected).all()
    else:
        assert got.tobytes() == expected.tobytes()


def test_place_chunk_into_a_strided_output_and_from_a_read_only_chunk() -> None:
    chunk = np.frombuffer(np.arange(64, dtype="<i4").tobytes(), "<i4").reshape(4, 16)
    base = np.zeros((10, 40), "<i4")
    out = base[:, ::2]  # not contiguous along its last axis
    place_chunk(out, (slice(2, 6), slice(0, 16)), chunk, (slice(None), slice(None)))
    expected = np.zeros((10, 40), "<i4")
    expected[:, ::2][2:6, :16] = chunk
    assert np.array_equal(base, expected)
    with pytest.raises(ValueError, match="read-only"):
        place_chunk(chunk, (slice(0, 2), slice(0, 4)), out, (slice(0, 2), slice(0, 4)))


@pytest.mark.parametrize(
    ("out_shape", "chunk_shape", "expected"),
    [
        ((512, 512, 512), (64, 64, 64), False),
        ((64, 256, 512), (8, 256, 512), True),
        ((1, 512, 512), (1, 64, 512), True),
        ((10, 100), (1, 50), True),
        ((10, 100), (2, 50), False),
        ((4, 4), (2, 1), False),
        ((100,), (10,), True),
        ((10, 100), (100,), False),  # an axis dropped
    ],
)
def test_may_take_whole_chunks_is_a_shape_rule(
    out_shape: tuple[int, ...], chunk_shape: tuple[int, ...], expected: bool
) -> None:
    from zarrdist.codecs import ArraySpec

    spec = ArraySpec(shape=chunk_shape, dtype=np.dtype("<f4"), fill_value=0)
    out = np.empty(out_shape, "<f4")
    assert may_take_whole_chunks(out, spec) is expected
    # a whole region at a chunk boundary is contiguous exactly when the rule says so
    if len(out_shape) == len(chunk_shape):
        region = out[tuple(slice(0, c) for c in chunk_shape)]
        assert region.flags.c_contiguous is expected
    assert may_take_whole_chunks(out[::2], spec)  # any other output: asked chunk by chunk
