"""Fixtures of the xarray tests: the shared LocalCluster, and a scheduler switch."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import dask
import pytest

from tests.graphs._helpers import shared_cluster


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    """A ``LocalCluster(processes=True, n_workers=2, threads_per_worker=1)`` client."""
    with shared_cluster() as client:
        yield client


@pytest.fixture(params=["threads", "cluster"])
def scheduler(request: pytest.FixtureRequest) -> Iterator[Callable[[], Any]]:
    """A context factory: dask's threads, or the LocalCluster as the current client."""
    if request.param == "threads":
        yield lambda: dask.config.set(scheduler="threads")
        return
    client = request.getfixturevalue("cluster")

    @contextlib.contextmanager
    def on_cluster() -> Iterator[None]:
        with client.as_current(), dask.config.set(scheduler=client.get):
            yield

    yield on_cluster
