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


def _consolidate(m: Any, store: Any, zarr_format: int, child: bool) -> None:
    root = m.group(store, zarr_format=zarr_format)
    if child:
        root.create_group("a")
    m.consolidate_metadata(store)


@pytest.mark.parametrize(("zarr_format", "child"), [(3, True), (3, False), (2, True)])
def test_v3_consolidation_warns_as_zarr_python(zarr_format: int, child: bool) -> None:
    """A v3 consolidation with members warns (category and first sentence as
    zarr-python's, so its filters match); a v2 one, or one of an empty group, does not."""
    ours = _caught(lambda: _consolidate(zarrdist, MemoryStore(), zarr_format, child))
    theirs = _caught(lambda: _consolidate(zarr, zarr.storage.MemoryStore(), zarr_format, child))
    assert [(c, t.split(" specification")[0]) for c, t in ours] == [
        (c, t.split(" specification")[0]) for c, t in theirs
    ]
    assert len(ours) == (zarr_format == 3 and child)


def _sharded(m: Any, kind: str) -> Any:
    store = MemoryStore() if m is zarrdist else zarr.storage.MemoryStore()
    inner = m.codecs.ShardingCodec(chunk_shape=(2,))
    kwargs: dict[str, Any] = {
        "alone": {"shards": (4,), "chunks": (2,)},
        "with-zstd": {"chunks": (4,), "serializer": inner},
        "no-compressor": {"chunks": (4,), "serializer": inner, "compressors": None},
        "nested-alone": {
            "chunks": (4,),
            "compressors": None,
            "serializer": m.codecs.ShardingCodec(chunk_shape=(2,), codecs=[inner]),
        },
        "transposed": {
            "chunks": (4,),
            "compressors": None,
            "filters": [m.codecs.TransposeCodec(order=(0,))],
            "serializer": inner,
        },
    }[kind]
    return m.create_array(store, shape=(8,), dtype="u1", **kwargs)


@pytest.mark.parametrize(
    "kind", ["alone", "with-zstd", "no-compressor", "nested-alone", "transposed"]
)
def test_sharding_beside_other_codecs_warns_as_zarr_python(kind: str) -> None:
    def first_sentence(seen: list[tuple[str, str]]) -> list[tuple[str, str]]:
        return [(c, t.split(" (zarrdist")[0]) for c, t in seen if "sharding_indexed" in t]

    ours = first_sentence(_caught(lambda: _sharded(zarrdist, kind)))
    theirs = first_sentence(_caught(lambda: _sharded(zarr, kind)))
    assert ours == theirs
    assert bool(ours) == (kind in ("with-zstd", "transposed"))


@pytest.mark.parametrize("zarr_format", [2, 3])
@pytest.mark.parametrize("compressor", ["unset", None, "auto", "zstd"])
def test_group_array_warns_of_its_compressor_keyword_as_zarr_python(
    zarr_format: int, compressor: Any
) -> None:
    """zarr-python's ``Group.array`` takes its default ``compressor=None`` as the
    deprecated keyword: it warns in both formats and stores uncompressed chunks."""

    def make(m: Any) -> Any:
        store = MemoryStore() if m is zarrdist else zarr.storage.MemoryStore()
        kwargs: dict[str, Any] = {}
        if compressor == "zstd":
            kwargs["compressor"] = m.codecs.ZstdCodec() if zarr_format == 3 else {"id": "zstd"}
        elif compressor != "unset":
            kwargs["compressor"] = compressor
        group = m.group(store, zarr_format=zarr_format)
        data = np.arange(4, dtype="u1")
        return group.array(name="a", data=data, shape=data.shape, dtype=data.dtype, **kwargs)

    def compressor_warnings(seen: list[tuple[str, str]]) -> list[tuple[str, str]]:
        return [(c, t.split(" (zarrdist")[0]) for c, t in seen if "`compressor`" in t]

    ours = compressor_warnings(_caught(lambda: make(zarrdist)))
    theirs = compressor_warnings(_caught(lambda: make(zarr)))
    assert ours == theirs
    assert bool(ours) == (compressor != "auto")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        made_ours, made_theirs = make(zarrdist), make(zarr)
    assert made_ours.metadata.to_dict() == made_theirs.metadata.to_dict()
