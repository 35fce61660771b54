"""zarr-python's warnings for keywords without effect: same category, same text (so
its filters match), given in the same situations; checked against zarr-python."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import zarr
import zarr.storage

import zarrdist
from zarrdist.stores import MemoryStore


def _caught(fn: Callable[[], Any]) -> list[tuple[str, str]]:
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        fn()
    return [(type(w.message).__mro__[1].__name__, str(w.message)) for w in seen]


CASES = {
    "order-v3": lambda m, s: m.create_array(s, shape=(4,), dtype="i1", order="F"),
    "order-v2": lambda m, s: m.create_array(s, shape=(4,), dtype="i1", order="F", zarr_format=2),
    "create-write-empty": lambda m, s: m.create((4,), store=s, write_empty_chunks=True),
    "array-write-empty": lambda m, s: m.array(
        np.arange(4), shape=(4,), dtype="u1", store=s, write_empty_chunks=False
    ),
    "create-synchronizer": lambda m, s: m.create((4,), store=s, synchronizer=object()),
    "open-group-cache-attrs": lambda m, s: m.open_group(s, mode="w", cache_attrs=True),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_warnings_match_zarr_python(case: str) -> None:
    ours = _caught(lambda: CASES[case](zarrdist, MemoryStore()))
    theirs = _caught(lambda: CASES[case](zarr, zarr.storage.MemoryStore()))
    normalise = [(cat, " ".join(text.replace("`,or", "`, or").split())) for cat, text in theirs]
    assert ours == normalise


def test_write_empty_chunks_keyword_on_open_warns_and_is_honoured() -> None:
    store = MemoryStore()
    zarrdist.create_array(store, shape=(4,), chunks=(2,), dtype="i1")
    with pytest.warns(zarrdist.errors.ZarrRuntimeWarning, match="write_empty_chunks"):
        a = zarrdist.open_array(store, mode="r+", write_empty_chunks=True)
    a[...] = 0
    assert a.nchunks_initialized == 2
