"""Fixtures of the graph-engine tests: the session's one LocalCluster, and engines."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.graphs._helpers import Engine, engine_context, shared_cluster


@pytest.fixture(scope="session")
def cluster() -> Iterator[Any]:
    """A ``LocalCluster(processes=True, n_workers=2, threads_per_worker=1)`` client."""
    with shared_cluster() as client:
        yield client


@pytest.fixture
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """The engine named by ``indirect`` parametrisation (default: local threads)."""
    name = getattr(request, "param", "threads")
    with engine_context(name, tmp_path, lambda: request.getfixturevalue("cluster")) as e:
        yield e
