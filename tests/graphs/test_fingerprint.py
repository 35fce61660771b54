"""Region fingerprints do not depend on how an array is cut into boxes, treat every NaN
alike and -0.0 as 0.0 (as ``values_equal`` does), and change with any element."""

from __future__ import annotations

import numpy as np
import pytest

from zarrdist.chunking.fingerprint import (
    element_hashes,
    merge_sums,
    region_fingerprints,
    region_sums,
)

SHAPE = (13, 7, 10)
REGIONS = (5, 3, 4)


def _values(dtype: str) -> np.ndarray:
    rng = np.random.default_rng(7)
    if dtype == "M8[s]":
        return rng.integers(0, 10**9, SHAPE).astype(dtype)
    if dtype == "?":
        return rng.integers(0, 2, SHAPE).astype(bool)
    return (rng.normal(size=SHAPE) * 100).astype(dtype)


def _cut(values: np.ndarray, rows: int, cols: int) -> dict[tuple[int, ...], int]:
    parts = []
    for r in range(0, SHAPE[0], rows):
        for c in range(0, SHAPE[2], cols):
            box = values[r : r + rows, :, c : c + cols]
            parts.append(region_fingerprints(box, (r, 0, c), SHAPE, REGIONS))
    return merge_sums(parts)


@pytest.mark.parametrize("dtype", ["f4", "f8", ">f8", "i2", "u1", "?", "M8[s]", "c16", "i8"])
def test_fingerprints_do_not_depend_on_the_cut(dtype: str) -> None:
    values = _values(dtype)
    whole = region_fingerprints(values, (0, 0, 0), SHAPE, REGIONS)
    assert set(whole) == {(i, j, k) for i in range(3) for j in range(3) for k in range(3)}
    assert whole == region_sums(element_hashes(values, (0, 0, 0), SHAPE), (0, 0, 0), REGIONS)
    for rows, cols in ((1, 10), (4, 3), (13, 1)):
        assert _cut(values, rows, cols) == whole
    changed = values.copy()
    changed[6, 4, 5] = values[6, 4, 4] if values[6, 4, 4] != values[6, 4, 5] else values[0, 0, 0]
    found = region_fingerprints(changed, (0, 0, 0), SHAPE, REGIONS)
    assert [r for r in whole if whole[r] != found[r]] == [(1, 1, 1)]


def test_nan_and_negative_zero_are_canonical() -> None:
    values = _values("f8")
    values[0, 0, 0], values[1, 1, 1] = np.nan, 0.0
    other = values.copy()
    other[0, 0, 0] = -np.float64("nan")
    other[1, 1, 1] = -0.0
    assert region_fingerprints(other, (0, 0, 0), SHAPE, REGIONS) == region_fingerprints(
        values, (0, 0, 0), SHAPE, REGIONS
    )
    # The same values elsewhere in the array are not the same fingerprint.
    moved = np.roll(values, 1, axis=2)
    assert region_fingerprints(moved, (0, 0, 0), SHAPE, REGIONS) != region_fingerprints(
        values, (0, 0, 0), SHAPE, REGIONS
    )
