"""A dask worker process SIGKILLed while a graph writes: the scheduler reruns its
tasks on the other worker (or the restarted one), the write completes, and every
unit holds what was written (units are written atomically, so a task that died
midway left nothing torn)."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import numpy as np
import pytest

import zarrdist
from zarrdist.config import config


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_worker_killed_during_a_sharded_write(tmp_path: Path) -> None:
    from distributed import Client, LocalCluster

    data = np.random.default_rng(2).random((1024, 1024))  # 1,024 shards: seconds of work
    z = zarrdist.create_array(
        str(tmp_path / "a.zarr"),
        shape=data.shape,
        chunks=(16, 16),
        shards=(32, 32),
        dtype="f8",
        compressors=[{"name": "gzip", "configuration": {"level": 9}}],  # slow: still running
    )
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as c,
        Client(c) as client,
    ):
        pids = list(client.run(os.getpid).values())
        killed: list[bool] = []
        finished = threading.Event()

        def kill_one() -> None:
            # Wait until the graph's tasks are running on the workers, then kill one.
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and not any(client.processing().values()):
                time.sleep(0.05)
            time.sleep(0.2)
            os.kill(pids[0], signal.SIGKILL)
            killed.append(not finished.is_set())  # True: the write was still running

        killer = threading.Thread(target=kill_one)
        killer.start()
        with (
            client.as_current(),
            config.set({"direct_max_bytes": 0, "graph.task_bytes": 1, "numpy_on_cluster": True}),
        ):
            z[...] = data
        finished.set()
        killer.join()
        assert killed == [True], "the write finished before the worker was killed"
    np.testing.assert_array_equal(z[...], data)
