"""Remote stores that stall or refuse: bounded by ``async.timeout``, StoreError naming the URL."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import pytest

import zarrdist
from zarrdist.config import config
from zarrdist.errors import StoreError
from zarrdist.stores import FsspecStore

pytest.importorskip("s3fs")


@pytest.fixture
def stalled_endpoint() -> Iterator[str]:
    """An HTTP endpoint on 127.0.0.1 that accepts connections and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    server.settimeout(0.2)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(timeout=5)
        for conn in accepted:
            conn.close()
        server.close()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _options(endpoint: str) -> dict[str, object]:
    return {"endpoint_url": endpoint, "key": "k", "secret": "s", "anon": False}


def test_stalled_endpoint_fails_within_async_timeout(stalled_endpoint: str) -> None:
    import s3fs  # noqa: F401 - imported before timing: the bound is on the call

    config.set({"async.timeout": 1.0})
    store = FsspecStore.from_url("s3://bkt/x.zarr", storage_options=_options(stalled_endpoint))
    for call in (
        lambda: store.get("zarr.json"),
        lambda: store.get_many(["zarr.json", ".zarray", ".zattrs"]),
        lambda: store.set("k", b"v"),
        lambda: list(store.list()),
        lambda: store.exists("zarr.json"),
    ):
        start = time.monotonic()
        with pytest.raises(StoreError, match=r"async.timeout = 1.0 s.*s3://bkt/x.zarr"):
            call()
        assert time.monotonic() - start < 5  # 1 s, plus scheduling slack on a busy machine
    start = time.monotonic()
    with pytest.raises(StoreError, match=r"zarr\.json"):
        zarrdist.open_array("s3://bkt/x.zarr", storage_options=_options(stalled_endpoint))
    assert time.monotonic() - start < 5


def test_connection_refused_is_a_store_error_naming_the_url() -> None:
    endpoint = f"http://127.0.0.1:{_closed_port()}"
    store = FsspecStore.from_url("s3://bkt/x.zarr", storage_options=_options(endpoint))
    with pytest.raises(StoreError) as info:
        store.get("zarr.json")
    assert "s3://bkt/x.zarr" in str(info.value)
    assert info.value.key == "zarr.json"
    assert "EndpointConnectionError" in str(info.value)


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "zarrdist", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONWARNINGS": "ignore", **env},
        check=False,
    )


@pytest.mark.slow
def test_cli_prints_one_line_for_refused_and_stalled_endpoints(stalled_endpoint: str) -> None:
    import json

    refused = json.dumps(_options(f"http://127.0.0.1:{_closed_port()}"))
    result = _cli("info", "s3://bkt/x.zarr", "--storage-options", refused, env={})
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "s3://bkt/x.zarr" in result.stderr
    stalled = json.dumps(_options(stalled_endpoint))
    start = time.monotonic()
    result = _cli(
        "info",
        "s3://bkt/x.zarr",
        "--storage-options",
        stalled,
        env={"ZARRDIST_ASYNC__TIMEOUT": "2"},
    )
    assert time.monotonic() - start < 60  # interpreter start-up and imports included
    assert result.returncode == 1
    assert "async.timeout = 2.0 s" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
