"""Fixtures for the public-API tests: fresh stores of each kind."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path

import pytest

from zarrdist.stores import LocalStore, MemoryStore, Store

StoreFactory = Callable[[], Store]


@pytest.fixture(params=["memory", "local"])
def store_factory(request: pytest.FixtureRequest, tmp_path: Path) -> StoreFactory:
    """Makes fresh, empty stores of one kind."""
    if request.param == "memory":
        return MemoryStore
    counter = itertools.count()
    return lambda: LocalStore(tmp_path / f"store{next(counter)}")


@pytest.fixture
def store(store_factory: StoreFactory) -> Store:
    """A fresh, empty store."""
    return store_factory()
