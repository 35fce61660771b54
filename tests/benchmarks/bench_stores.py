"""Store throughput: LocalStore get_many, and FsspecStore on a local moto S3 server.

Run from the repository root::

    python tests/benchmarks/bench_stores.py [--local-count 1000] [--s3-count 200]

It prints MiB/s for: LocalStore reading 1 MiB values one ``get`` at a time, with
``get_many`` as shipped (threads once reads wait on the disk) and forced sequential;
and FsspecStore over S3 reading in a ``get`` loop versus one concurrent ``get_many``.
moto answers every request in one Python process, so S3 numbers show the gain
from overlapping requests, not real S3 bandwidth.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from zarrdist.config import config
from zarrdist.stores import FsspecStore, LocalStore, Store

__all__ = ["main"]

MiB = 1 << 20


def _rate(
    label: str,
    nbytes: int,
    run: Callable[[], object],
    repeat: int = 3,
    setup: Callable[[], object] | None = None,
) -> float:
    """Best-of-``repeat`` MiB/s of ``run`` (``setup`` runs untimed first), printed."""
    best = float("inf")
    for _ in range(repeat):
        if setup is not None:
            setup()
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    rate = nbytes / MiB / best
    print(f"{label:<48} {rate:10.1f} MiB/s  ({best:.3f} s)")
    return rate


def _read_all(store: Store, keys: list[str]) -> list[object]:
    # Keep every value, as get_many does, so both pay for the same memory.
    return [store.get(key) for key in keys]


def _evict(root: str) -> None:
    """Drop this benchmark's own files from the page cache (nothing else is touched)."""
    for directory, _, files in os.walk(root):
        for name in files:
            fd = os.open(os.path.join(directory, name), os.O_RDONLY)
            try:
                os.fsync(fd)
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            finally:
                os.close(fd)


def bench_local(count: int, size: int, root_dir: str | None = None) -> None:
    """LocalStore: get loop vs get_many, ``count`` values of ``size`` bytes, warm and cold."""
    with tempfile.TemporaryDirectory(dir=root_dir) as root:
        store = LocalStore(root)
        keys = [f"c/{i // 100}/{i % 100}" for i in range(count)]
        payload = os.urandom(size)
        store.set_many(dict.fromkeys(keys, payload))
        total = count * size

        def sequential() -> object:
            return [store._get(store._key(k), None) for k in keys]

        print(f"LocalStore, {count} x {size // 1024} KiB, {os.cpu_count()} cores")
        _rate("  warm: get() loop", total, lambda: _read_all(store, keys))
        _rate("  warm: get_many() forced sequential", total, sequential)
        _rate("  warm: get_many() (as shipped)", total, lambda: store.get_many(keys))
        if hasattr(os, "posix_fadvise"):
            for label, run in (
                ("  cold: get_many() forced sequential", sequential),
                ("  cold: get_many() (as shipped)", lambda: store.get_many(keys)),
            ):
                _rate(label, total, run, repeat=2, setup=lambda: _evict(root))


@contextmanager
def moto_server() -> Iterator[str]:
    """A moto S3 server subprocess on a free local port; yields its endpoint."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    cmd = [sys.executable, "-m", "moto.server", "-p", str(port), "-H", "127.0.0.1"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("moto server did not start") from None
                time.sleep(0.1)
        yield endpoint
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def bench_s3(count: int, size: int) -> None:
    """FsspecStore on moto: a get loop vs one get_many at several concurrency limits."""
    import s3fs

    with moto_server() as endpoint:
        options = {"endpoint_url": endpoint, "key": "k", "secret": "s", "anon": False}
        s3fs.S3FileSystem(**options).mkdir("bench")
        store = FsspecStore.from_url("s3://bench/data", storage_options=options)
        keys = [f"c/{i}" for i in range(count)]
        payload = os.urandom(size)
        store.set_many(dict.fromkeys(keys, payload))
        total = count * size
        print(f"FsspecStore on moto S3, {count} x {size // 1024} KiB")
        _rate("  get() loop (sequential)", total, lambda: _read_all(store, keys))
        for limit in (4, 16, 32):
            with config.set({"io.max_concurrency": limit}):
                _rate(
                    f"  get_many() io.max_concurrency={limit}", total, lambda: store.get_many(keys)
                )


def main(argv: list[str] | None = None) -> None:
    """Run the benchmarks and print MiB/s."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--local-count", type=int, default=1000)
    parser.add_argument("--local-size", type=int, default=MiB)
    parser.add_argument("--s3-count", type=int, default=200)
    parser.add_argument("--s3-size", type=int, default=256 * 1024)
    parser.add_argument("--local-dir", default=None, help="where to write (default: tmp)")
    args = parser.parse_args(argv)
    bench_local(args.local_count, args.local_size, args.local_dir)
    bench_s3(args.s3_count, args.s3_size)


if __name__ == "__main__":
    main()
