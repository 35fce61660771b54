"""Shared fixtures: config reset after every test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from zarrdist.config import config


@pytest.fixture(autouse=True)
def _reset_config() -> Iterator[None]:
    """Every test starts and ends with the default config."""
    config.reset()
    yield
    config.reset()
