"""Fixtures: a fake ``cupy`` and nvCOMP backend (CPU), and the ``gpu`` marker's skip."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator

import pytest

from tests.gpu._fake_device import FakeKvikio, FakeNvcomp, fake_cupy
from zarrdist.chunkio.device_files import register_file_reader
from zarrdist.chunkio.device_read import register_backend


def real_gpu() -> bool:
    """Whether CuPy is installed and sees a GPU."""
    if importlib.util.find_spec("cupy") is None:
        return False
    import cupy

    try:
        return bool(cupy.cuda.runtime.getDeviceCount() > 0)
    except cupy.cuda.runtime.CUDARuntimeError:  # no driver, or no device
        return False


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if real_gpu():
        return
    skip = pytest.mark.skip(reason="needs CuPy and a GPU (tests/gpu/run_device_checks.sh)")
    for item in items:
        if item.get_closest_marker("gpu") is not None:
            item.add_marker(skip)


@pytest.fixture
def fake_gpu(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeNvcomp]:
    """``cupy`` is the fake module and nvCOMP the fake backend for this test."""
    xp = fake_cupy()
    monkeypatch.setitem(sys.modules, "cupy", xp)
    backend = FakeNvcomp(xp)
    register_backend("cupy", backend)
    try:
        yield backend
    finally:
        register_backend("cupy", None)


@pytest.fixture
def fake_kvikio(fake_gpu: FakeNvcomp) -> Iterator[FakeKvikio]:
    """kvikio's file reads for the fake ``cupy`` (with :func:`fake_gpu`)."""
    kvikio = FakeKvikio()
    register_file_reader("cupy", kvikio)
    try:
        yield kvikio
    finally:
        register_file_reader("cupy", None)
