"""Shared fixtures: config reset after every test; a moto S3 server for ``s3`` tests."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from typing import Any, NamedTuple

import pytest

from zarrdist.config import config


@pytest.fixture(autouse=True)
def _reset_config() -> Iterator[None]:
    """Every test starts and ends with the default config."""
    config.reset()
    yield
    config.reset()


class S3Location(NamedTuple):
    """A fresh, empty S3 location on the local moto server."""

    url: str
    storage_options: dict[str, Any]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def s3_server() -> Iterator[str]:
    """A real moto S3 server on 127.0.0.1 (a subprocess); yields its endpoint URL."""
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-p", str(port), "-H", "127.0.0.1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    try:
        while True:
            try:
                urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"moto server did not start on {endpoint}") from None
                time.sleep(0.1)
        yield endpoint
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture
def s3_bucket_url(s3_server: str) -> S3Location:
    """``s3://<new bucket>/<prefix>`` plus the storage_options that reach the moto server."""
    import s3fs

    options: dict[str, Any] = {
        "endpoint_url": s3_server,
        "key": "testing",
        "secret": "testing",
        "anon": False,
    }
    bucket = f"zarrdist-{uuid.uuid4().hex[:16]}"
    s3fs.S3FileSystem(**options).mkdir(bucket)
    return S3Location(f"s3://{bucket}/data", options)
