"""icechunk: the transactional ETL recipe of docs/icechunk.md on a real 2-worker
LocalCluster; conflicting commits detected; nothing visible before a commit."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dask.array as da
import numpy as np
import pytest
import zarr

import zarrdist
from tests.graphs._helpers import shared_cluster
from zarrdist.config import config
from zarrdist.errors import StoreError
from zarrdist.graphs.icechunk import fork_writes
from zarrdist.stores import ZarrStoreAdapter, release_pinned

icechunk = pytest.importorskip("icechunk")

SHAPE = (48, 40)


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    with shared_cluster() as shared:
        yield shared


def _repo(path: Path) -> Any:
    """A repository with one committed, empty sharded array ``t``."""
    repo = icechunk.Repository.create(icechunk.local_filesystem_storage(str(path)))
    session = repo.writable_session("main")
    zarrdist.create_array(
        session.store, name="t", shape=SHAPE, chunks=(8, 10), shards=(16, 20), dtype="f8"
    )
    session.commit("create t")
    return repo


def _read(repo: Any, **at: Any) -> np.ndarray:
    session = repo.readonly_session(**at) if at else repo.readonly_session(branch="main")
    return np.asarray(zarrdist.open_array(session.store, path="t", mode="r")[:])


@pytest.mark.slow
def test_fork_merge_commit_on_a_cluster(tmp_path: Path, client: Any) -> None:
    from distributed import get_task_stream

    repo = _repo(tmp_path / "repo")
    data = np.random.default_rng(1).standard_normal(SHAPE)
    # Dask blocks that cut across shards: zarrdist's graph writes each shard once.
    source = da.from_array(data, chunks=(12, 15))
    session = repo.writable_session("main")
    with (
        client.as_current(),
        # NumPy blocks held here would be written here (numpy_on_cluster): send them.
        config.set({"direct_max_bytes": 0, "numpy_on_cluster": True}),
        get_task_stream(client) as stream,
        fork_writes(session) as store,
    ):
        assert store.supports_multiprocess_writes
        zarrdist.open_array(store, path="t")[...] = source
    workers = {task["worker"] for task in stream.data}
    assert workers <= set(client.scheduler_info()["workers"])
    assert workers  # the writes ran on the cluster's worker processes
    assert session.has_uncommitted_changes
    # Merged but not committed: readers of the branch see nothing of it.
    np.testing.assert_array_equal(_read(repo), np.zeros(SHAPE))
    snapshot = session.commit("load t")
    np.testing.assert_array_equal(_read(repo, snapshot_id=snapshot), data)
    # zarr-python reads the same snapshot equal.
    theirs = zarr.open_array(repo.readonly_session(snapshot_id=snapshot).store, path="t")
    np.testing.assert_array_equal(theirs[:], data)
    # No worker keeps a copy of the fork after the merge.
    assert all(not copies for copies in client.run(release_pinned, store.pin).values())


@pytest.mark.slow
def test_error_inside_the_block_merges_nothing(tmp_path: Path, client: Any) -> None:
    repo = _repo(tmp_path / "repo")
    session = repo.writable_session("main")
    pins: list[str | None] = []

    def etl() -> None:
        with (
            client.as_current(),
            config.set({"direct_max_bytes": 0}),
            fork_writes(session) as store,
        ):
            pins.append(store.pin)
            zarrdist.open_array(store, path="t")[:16] = da.ones((16, 40), chunks=(8, 20))
            raise RuntimeError("transform failed")

    with pytest.raises(RuntimeError, match="transform failed"):
        etl()
    assert not session.has_uncommitted_changes
    (pin,) = pins
    assert pin is not None
    assert all(not copies for copies in client.run(release_pinned, pin).values())
    np.testing.assert_array_equal(_read(repo), np.zeros(SHAPE))


def test_fork_writes_on_threads(tmp_path: Path) -> None:
    repo = _repo(tmp_path / "repo")
    data = np.random.default_rng(2).standard_normal(SHAPE)
    session = repo.writable_session("main")
    with config.set({"direct_max_bytes": 0}), fork_writes(session, client=None) as store:
        zarrdist.open_array(store, path="t")[...] = da.from_array(data, chunks=(20, 20))
    snapshot = session.commit("threads")
    np.testing.assert_array_equal(_read(repo, snapshot_id=snapshot), data)


def test_conflicting_commits_are_detected(tmp_path: Path) -> None:
    repo = _repo(tmp_path / "repo")
    first, second = repo.writable_session("main"), repo.writable_session("main")
    zarrdist.open_array(first.store, path="t")[:10] = 1.0
    zarrdist.open_array(second.store, path="t")[5:20] = 2.0
    winner = first.commit("first")
    with pytest.raises(icechunk.ConflictError):
        second.commit("second")
    expected = np.zeros(SHAPE)
    expected[:10] = 1.0
    # The branch holds the first commit whole, and nothing of the second.
    np.testing.assert_array_equal(_read(repo), expected)
    np.testing.assert_array_equal(_read(repo, snapshot_id=winner), expected)


@pytest.mark.slow
def test_writable_session_stays_in_this_process(tmp_path: Path, client: Any) -> None:
    repo = _repo(tmp_path / "repo")
    session = repo.writable_session("main")
    store = ZarrStoreAdapter(session.store)
    assert not store.supports_multiprocess_writes
    assert "cannot be pickled" in store.spec.options["reason"]
    data = np.arange(np.prod(SHAPE), dtype="f8").reshape(SHAPE)
    with client.as_current(), config.set({"direct_max_bytes": 0}):
        # The graph runs on threads here, with a cluster active.
        zarrdist.open_array(session.store, path="t")[...] = da.from_array(data, chunks=(24, 20))
        future = client.submit(lambda s: s.get("t/zarr.json"), store)
        with pytest.raises(StoreError, match=r"cannot be pickled.*IcechunkStore"):
            future.result(timeout=60)
    snapshot = session.commit("threads")
    np.testing.assert_array_equal(_read(repo, snapshot_id=snapshot), data)


@pytest.mark.slow
def test_the_documented_recipe_runs(tmp_path: Path) -> None:
    import re
    import subprocess
    import sys

    doc = Path(__file__).resolve().parents[2] / "docs" / "icechunk.md"
    recipe = re.findall(r"```python\n(.*?)```", doc.read_text(), re.DOTALL)[0]
    (tmp_path / "recipe.py").write_text(recipe)
    result = subprocess.run(
        [sys.executable, "recipe.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    snapshot = result.stdout.split("committed ")[1].strip()
    repo = icechunk.Repository.open(icechunk.local_filesystem_storage(str(tmp_path / "etl-repo")))
    assert [s.message for s in repo.ancestry(branch="main")][:2] == [
        "load temperature",
        "create temperature",
    ]
    assert repo.lookup_branch("main") == snapshot


@pytest.mark.slow
def test_a_worker_lost_mid_block_merges_nothing(tmp_path: Path) -> None:
    from distributed import Client, LocalCluster

    repo = _repo(tmp_path / "repo")
    session = repo.writable_session("main")
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as c,
        Client(c) as own,
        config.set({"direct_max_bytes": 0}),
    ):

        def etl() -> None:
            with fork_writes(session, client=own) as store:
                zarrdist.open_array(store, path="t")[...] = da.ones(SHAPE, chunks=(16, 20))
                # A worker that wrote through its fork leaves before the merge.
                gone = min(own.scheduler_info()["workers"])
                own.retire_workers([gone], close_workers=True)

        with pytest.raises(StoreError, match="left the cluster"):
            etl()
    assert not session.has_uncommitted_changes
    np.testing.assert_array_equal(_read(repo), np.zeros(SHAPE))
