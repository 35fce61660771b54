"""The copy graph: conversions, rechunks through an intermediate, resume, and verify.

Values are checked against NumPy and the copies are read back with zarr-python 3.1.5.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import zarr

import zarrdist
from tests.graphs._helpers import FailingStore, RaisingStore, shared_cluster
from zarrdist.api.arrays.keywords import array_metadata
from zarrdist.chunking.indexing import basic_indexer
from zarrdist.chunkio.units import ArrayHandle, group_by_unit
from zarrdist.errors import GraphError, MemoryBudgetError, StoreError
from zarrdist.graphs.copy import CopyStats, copy_array, copy_graph, plan_copy
from zarrdist.graphs.execute import run_graph
from zarrdist.graphs.verify import comparison_mode, verify_graph
from zarrdist.stores import LocalStore, MemoryStore, Store

SHAPE = (24, 10, 12)


def _source(store: Store, *, zarr_format: int = 2, **kwargs: Any) -> tuple[Any, np.ndarray]:
    data = np.random.default_rng(0).normal(size=SHAPE).astype("f4")
    data[3] = 0.0  # a whole time step of fill values: not stored
    kwargs.setdefault("chunks", (1, 10, 12))
    z = zarrdist.create_array(store, shape=SHAPE, dtype="f4", zarr_format=zarr_format, **kwargs)
    z[...] = data
    return z, data


def _target(store: Store, path: str = "", shape: tuple[int, ...] = SHAPE, **kwargs: Any) -> Any:
    kwargs.setdefault("zarr_format", 3)
    metadata = array_metadata(shape=shape, dtype="f4", **kwargs)
    return ArrayHandle(store, path, metadata)


def _read_with_zarr_python(path: Path) -> np.ndarray:
    return np.asarray(zarr.open_array(str(path), mode="r")[...])


def _written_units(graph: Any) -> list[str]:
    keys = []
    for node in graph.dsk.values():
        if getattr(node, "func", None).__name__ == "_copy_block":
            target, region = node.args[1], node.args[3]
            indexer = basic_indexer(region, target.metadata.shape, target.io_chunk_shape)
            keys += [target.key(u) for u in group_by_unit(target, indexer)]
    return keys


def test_time_to_space_through_an_intermediate(tmp_path: Path) -> None:
    src, data = _source(LocalStore(tmp_path / "src.zarr"))
    dst_store = LocalStore(tmp_path / "dst.zarr")
    target = _target(dst_store, chunks=(24, 2, 3), shards=(24, 4, 6))
    plan = plan_copy(src._handle, target, max_mem=12_000)
    assert plan.intermediate_chunks is not None
    graph = copy_graph(src._handle, target, plan=plan)
    assert graph.op == "copy"
    assert graph.intermediate is not None
    written = _written_units(graph)
    assert len(written) == len(set(written))  # one writer per key, both stages
    stats = copy_array(src._handle, target, max_mem=12_000)
    assert stats.units_written == 3 * 2  # shards of the target
    np.testing.assert_array_equal(_read_with_zarr_python(tmp_path / "dst.zarr"), data)
    tmp = LocalStore(tmp_path / "dst.zarr.zarrdist-tmp")
    assert list(tmp.list()) == []  # the intermediate is gone


def test_graph_build_does_no_io(tmp_path: Path) -> None:
    src, _ = _source(LocalStore(tmp_path / "src.zarr"))
    source = ArrayHandle(RaisingStore(src.store), "", src.metadata)
    target = _target(RaisingStore(LocalStore(tmp_path / "dst.zarr")), chunks=(24, 5, 6))
    graph = copy_graph(
        source, target, max_mem=20_000, intermediate_store=RaisingStore(MemoryStore())
    )
    again = copy_graph(
        source, target, max_mem=20_000, intermediate_store=RaisingStore(MemoryStore())
    )
    assert set(graph.dsk) == set(again.dsk)  # deterministic names
    assert all(str(k[0]).startswith("zarrdist-") for k in graph.dsk)
    assert graph.num_tasks == graph.plan.num_tasks


@pytest.mark.parametrize(
    ("source_kwargs", "target_kwargs"),
    [
        (
            {"zarr_format": 3, "chunks": (4, 5, 4), "shards": (8, 10, 12)},
            {
                "zarr_format": 2,
                "chunks": (6, 5, 5),
                "compressors": {"id": "blosc", "cname": "lz4", "clevel": 5, "shuffle": 1},
            },
        ),
        (
            {"zarr_format": 2, "chunks": (5, 3, 7)},
            {"zarr_format": 3, "chunks": (7, 4, 5), "compressors": [{"name": "gzip"}]},
        ),
    ],
    ids=["sharded-v3-to-v2-blosc", "v2-to-v3-gzip-misaligned"],
)
def test_convert_and_rechunk(
    tmp_path: Path, source_kwargs: dict[str, Any], target_kwargs: dict[str, Any]
) -> None:
    src, data = _source(LocalStore(tmp_path / "src.zarr"), **source_kwargs)
    target = _target(LocalStore(tmp_path / "dst.zarr"), **target_kwargs)
    stats = copy_array(src._handle, target, max_mem=30_000)
    assert stats.bytes_copied == data.nbytes
    # Counted as the tasks wrote, not read back: equal to the chunk files on disk.
    root = tmp_path / "dst.zarr"
    on_disk = sum(
        p.stat().st_size
        for p in root.rglob("*")
        if p.is_file() and p.name not in ("zarr.json", ".zarray", ".zattrs")
    )
    assert stats.bytes_stored == on_disk > 0
    np.testing.assert_array_equal(_read_with_zarr_python(tmp_path / "dst.zarr"), data)


def test_region_copy_at_an_unaligned_offset(tmp_path: Path) -> None:
    src, data = _source(LocalStore(tmp_path / "src.zarr"), chunks=(4, 4, 4))
    region = (slice(5, 19), slice(1, 10), slice(0, 12))
    target = _target(LocalStore(tmp_path / "dst.zarr"), shape=(14, 9, 12), chunks=(3, 3, 12))
    plan = plan_copy(src._handle, target, region, max_mem=20_000)
    assert plan.stages[0].source_offset == (5, 1, 0)
    copy_array(src._handle, target, region=region, max_mem=20_000)
    np.testing.assert_array_equal(_read_with_zarr_python(tmp_path / "dst.zarr"), data[region])


def test_bad_region_and_budget(tmp_path: Path) -> None:
    src, _ = _source(LocalStore(tmp_path / "src.zarr"))
    target = _target(LocalStore(tmp_path / "dst.zarr"))
    with pytest.raises(GraphError, match="shape"):
        copy_graph(src._handle, target, region=(slice(0, 5), slice(0, 10), slice(0, 12)))
    with pytest.raises(GraphError, match="does not fit"):
        copy_graph(
            src._handle,
            _target(MemoryStore(), shape=(30, 10, 12)),
            region=(slice(0, 30), slice(0, 10), slice(0, 12)),
        )
    with pytest.raises(MemoryBudgetError, match="within 100 bytes"):
        plan_copy(src._handle, target, max_mem=100)


def test_interrupted_copy_resumes(tmp_path: Path) -> None:
    """A copy that fails part-way publishes nothing; resuming skips what was written."""
    src, data = _source(LocalStore(tmp_path / "src.zarr"))
    base = LocalStore(tmp_path / "dst.zarr")
    failing = FailingStore(base, fail_on=4)
    target = _target(failing, chunks=(24, 5, 6))
    zarrdist.config.set({"scheduler": "sync"})
    with pytest.raises(StoreError, match="injected failure"):
        copy_array(src._handle, target, max_mem=25_000)
    assert base.get("zarr.json") is None  # nothing looks complete
    done_before = sorted(k for k in base.list() if k.startswith("c/"))
    assert len(done_before) == 3
    stats = copy_array(src._handle, _target(base, chunks=(24, 5, 6)), max_mem=25_000, resume=True)
    assert stats.units_skipped == 3
    assert stats.units_written == 4 - 3  # (10, 12) in tiles of (5, 6)
    np.testing.assert_array_equal(_read_with_zarr_python(tmp_path / "dst.zarr"), data)


def test_resume_rewrites_corrupt_and_with_verify_wrong_units(tmp_path: Path) -> None:
    src, data = _source(LocalStore(tmp_path / "src.zarr"))
    store = LocalStore(tmp_path / "dst.zarr")
    target = _target(store, chunks=(24, 5, 6))
    copy_array(src._handle, target)
    store.set("c/0/0/0", b"garbage")  # does not decode
    wrong = zarrdist.open_array(store)
    wrong[:, 5:, 6:] = -1.0  # decodes, but differs from the source
    stats = copy_array(src._handle, target, resume=True)
    assert (stats.units_written, stats.units_skipped) == (1, 3)
    assert np.all(zarrdist.open_array(store)[:, 5:, 6:] == -1.0)
    stats = copy_array(src._handle, target, resume=True, verify=True)
    assert (stats.units_written, stats.units_skipped) == (1, 3)
    np.testing.assert_array_equal(_read_with_zarr_python(tmp_path / "dst.zarr"), data)


def test_verify_reports_every_bad_key_and_differences(tmp_path: Path) -> None:
    src, data = _source(
        LocalStore(tmp_path / "src.zarr"),
        zarr_format=3,
        chunks=(6, 5, 6),
        compressors=[{"name": "zstd"}, {"name": "crc32c"}],
    )
    store = src.store
    good = store.get("c/0/0/0")
    store.set("c/1/0/0", bytes(good)[:-1] + bytes([good[-1] ^ 0xFF]))  # checksum fails
    store.set("c/2/1/1", b"not a zstd frame")
    graph = verify_graph(src._handle)
    (result,) = run_graph(graph.dsk, graph.keys, num_tasks=graph.num_tasks)
    assert sorted(k for k, _ in result.bad_keys) == ["c/1/0/0", "c/2/1/1"]
    assert any("checksum" in message.lower() for _, message in result.bad_keys)
    assert result.units_checked == 4 * 2 * 2
    other = zarrdist.create_array(MemoryStore(), shape=SHAPE, dtype="f4", chunks=(5, 5, 5))
    expected = data.copy()
    expected[0, 1, 2] = 99.0
    other[...] = expected
    graph = verify_graph(ArrayHandle(MemoryStore(), "", src.metadata), against=other._handle)
    (result,) = run_graph(graph.dsk, graph.keys, num_tasks=graph.num_tasks)
    assert result.units_missing == 16
    assert result.mismatches  # an empty store (all fill values) differs everywhere
    fixed = zarrdist.create_array(MemoryStore(), shape=SHAPE, dtype="f4", chunks=(6, 5, 6))
    fixed[...] = data
    graph = verify_graph(fixed._handle, against=other._handle)
    (result,) = run_graph(graph.dsk, graph.keys, num_tasks=graph.num_tasks)
    assert [(m.count, m.first_index) for m in result.mismatches] == [(1, (0, 1, 2))]


def test_copy_on_a_local_cluster(tmp_path: Path) -> None:
    src, data = _source(LocalStore(tmp_path / "src.zarr"))
    target = _target(LocalStore(tmp_path / "dst.zarr"), chunks=(24, 5, 3))
    with shared_cluster() as client:
        graph = copy_graph(src._handle, target, max_mem=8_000)
        assert graph.plan is not None
        assert graph.plan.intermediate_chunks is not None
        (stats,) = client.get(graph.dsk, graph.keys)
    assert isinstance(stats, CopyStats)
    np.testing.assert_array_equal(_read_with_zarr_python(tmp_path / "dst.zarr"), data)


def test_verify_across_crossing_chunks_reads_each_array_once(tmp_path: Path) -> None:
    """Time-chunked against space-chunked: fingerprints, then an exact count."""
    from tests.graphs._helpers import ByteCountingStore

    src, data = _source(LocalStore(tmp_path / "src.zarr"))
    data[5, 1, 1] = np.nan
    data[6, 2, 2] = -0.0
    src[...] = data
    copy = zarrdist.create_array(
        LocalStore(tmp_path / "dst.zarr"), shape=SHAPE, dtype="f4", chunks=(24, 2, 3)
    )
    expected = data.copy()
    expected[6, 2, 2] = 0.0  # -0.0 equals 0.0
    copy[...] = expected
    counting = ByteCountingStore(src.store)
    against = ArrayHandle(counting, "", src.metadata)
    assert comparison_mode(copy._handle, against, (0, 0, 0)) == "fingerprint"
    graph = verify_graph(copy._handle, against=against)
    (report,) = run_graph(graph.dsk, graph.keys, num_tasks=graph.num_tasks)
    assert report.ok, report
    stored = sum(len(counting.store.get(k)) for k in counting.store.list() if k[0].isdigit())
    assert counting.bytes_read == stored  # every source chunk read exactly once
    expected[17, 9, 11] = 5.0
    expected[17, 0, 0] = 6.0
    copy[...] = expected
    (report,) = run_graph(graph.dsk, graph.keys, num_tasks=graph.num_tasks)
    assert sorted((m.key, m.count, m.first_index) for m in report.mismatches) == [
        ("c/0/0/0", 1, (17, 0, 0)),
        ("c/0/4/3", 1, (17, 9, 11)),
    ]


def test_fingerprint_doctests() -> None:
    import doctest

    import zarrdist.chunking.fingerprint as module

    assert doctest.testmod(module).failed == 0
