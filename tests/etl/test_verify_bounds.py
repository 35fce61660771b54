"""``verify`` of unwritten units stays within its memory budget (the fill value is
compared in boxes of ``graph.task_bytes``, never allocated whole)."""

from __future__ import annotations

import sys
import tracemalloc
from pathlib import Path

import dask.local
import pytest

import zarrdist
from tests.etl._cli import THREADS
from zarrdist.graphs.verify import verify_graph

MiB = 1 << 20


def test_unwritten_shard_against_another_in_bounded_memory(tmp_path: Path) -> None:
    layout = {"shape": (2048, 4096), "chunks": (256, 4096), "shards": (2048, 4096), "dtype": "f8"}
    ours = zarrdist.create_array(tmp_path / "a.zarr", fill_value=1.5, **layout)  # 64 MiB
    theirs = zarrdist.create_array(tmp_path / "b.zarr", fill_value=1.5, **layout)
    with zarrdist.config.set({"graph.task_bytes": 4 * MiB}):
        graph = verify_graph(ours._handle, against=theirs._handle)
        tracemalloc.start()
        (report,) = dask.local.get_sync(graph.dsk, graph.keys)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert report.ok
    assert (report.units_checked, report.units_missing) == (1, 1)
    assert peak < 24 * MiB, f"peak {peak / MiB:.1f} MiB for a 64 MiB unwritten shard"

    # A difference in an unwritten unit is still found and counted exactly.
    theirs[1000:1003, 7] = 0.0
    with zarrdist.config.set({"graph.task_bytes": 4 * MiB}):
        graph = verify_graph(ours._handle, against=theirs._handle)
        (report,) = dask.local.get_sync(graph.dsk, graph.keys)
    (mismatch,) = report.mismatches
    assert (mismatch.count, mismatch.first_index) == (3, (1000, 7))


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_AS as Linux applies it")
def test_cli_verify_of_an_unwritten_64_gib_shard_under_a_3_gib_limit(tmp_path: Path) -> None:
    import resource
    import subprocess

    zarrdist.create_array(  # one unwritten shard of 2**33 float64: 64 GiB
        tmp_path / "huge.zarr",
        shape=(2**17, 2**16),
        chunks=(2**12, 2**12),
        shards=(2**17, 2**16),
        dtype="f8",
    )

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))

    result = subprocess.run(
        [sys.executable, "-m", "zarrdist", "verify", str(tmp_path / "huge.zarr"), *THREADS],
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=limit,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == (
        "verified 1 array, 1 unit (chunks or shards), decoding every chunk: OK"
    )
    assert result.stdout.splitlines()[1].startswith("verify: 65536.0 MiB in ")
