"""tests/benchmarks/call_paths.py on the current code: a small read goes through the
chunk I/O modules and builds no graph; a write goes through the codecs and the store."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "call_paths.py"


def test_call_paths_of_a_small_read_and_a_write() -> None:
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--json"],
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )
    paths = json.loads(result.stdout)
    read, write = paths["read"], paths["write"]
    assert read[:2] == ["zarrdist.api.arrays.selections", "zarrdist.api.arrays.array"]
    for module in ("zarrdist.chunkio.read", "zarrdist.chunkio.placement", "zarrdist.codecs.zstd"):
        assert module in read
    assert "zarrdist.stores._local" in read
    # The only graphs module a small read touches is the one that decides inline /
    # pool / graph (it imports no dask); nothing builds or runs a graph.
    assert [m for m in read if m.startswith("zarrdist.graphs")] == ["zarrdist.graphs.execute"]
    assert "zarrdist.chunkio.pieces" in read  # the read path's records live there
    for module in ("zarrdist.codecs.zstd", "zarrdist.stores._local", "zarrdist.stores._rename"):
        assert module in write
    assert not [m for m in write if m.startswith(("zarrdist.graphs.read", "zarrdist.graphs.write"))]
    assert len(set(read)) == len(read)
    assert len(set(write)) == len(write)
