"""Opening a consolidated hierarchy on S3: HTTP requests, zarrdist vs zarr-python.

Run from the repository root::

    python tests/benchmarks/bench_consolidated.py [--arrays 1000] [--format 3]

A hierarchy of N arrays (and one group) is written to a local moto S3 server and
consolidated. Each library then, through a counting proxy in front of moto:

1. opens the root group (consolidated metadata used when present),
2. reads one array's metadata (``g["array_<N/2>"].shape``),
3. lists the members (``sorted(g)``),
4. reads that array's data,

first with consolidated metadata, then with ``use_consolidated=False``. The proxy
counts real HTTP requests, so both libraries are measured the same way.
"""

from __future__ import annotations

import argparse
import sys
import time
import uuid
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.benchmarks._s3proxy import CountingProxy

__all__ = ["build", "main", "measure", "target"]

STEPS = ("open", "one array's metadata", "list members", "read the array")


def target(n_arrays: int) -> str:
    """The array whose metadata and data are read."""
    return f"array_{n_arrays // 2}"


def build(endpoint: str, n_arrays: int, zarr_format: int) -> tuple[str, dict[str, Any]]:
    """Write and consolidate a hierarchy of ``n_arrays`` small arrays; (url, options)."""
    import s3fs

    import zarrdist

    options = {"endpoint_url": endpoint, "key": "k", "secret": "s", "anon": False}
    bucket = f"bench-{uuid.uuid4().hex[:12]}"
    s3fs.S3FileSystem(**options).mkdir(bucket)
    url = f"s3://{bucket}/hierarchy.zarr"
    nodes: dict[str, Any] = {"": zarrdist.GroupMetadata(zarr_format=zarr_format)}
    nodes.update({
        f"array_{i}": zarrdist.ArrayMetadata(shape=(100,), chunks=(100,), dtype="f4",
                                             zarr_format=zarr_format)
        for i in range(n_arrays)
    })  # fmt: skip
    nodes["group"] = zarrdist.GroupMetadata(zarr_format=zarr_format)
    dict(zarrdist.create_hierarchy(zarrdist.storage.FsspecStore.from_url(
        url, storage_options=options), nodes))  # fmt: skip
    zarrdist.open_array(url, path=target(n_arrays), storage_options=options)[:] = 1.0
    zarrdist.consolidate_metadata(zarrdist.storage.FsspecStore.from_url(
        url, storage_options=options))  # fmt: skip
    return url, options


def _steps(
    lib: Any, url: str, options: dict[str, Any], consolidated: bool, name: str
) -> list[Callable[[], Any]]:
    state: dict[str, Any] = {}

    def open_group() -> None:
        state["g"] = lib.open_group(
            url, mode="r", storage_options=options, use_consolidated=None if consolidated else False
        )

    return [
        open_group,
        lambda: state["g"][name].shape,
        lambda: sorted(state["g"]),
        lambda: state["g"][name][:].sum(),
    ]


def measure(
    proxy: CountingProxy,
    url: str,
    options: dict[str, Any],
    lib: Any,
    consolidated: bool,
    name: str,
) -> list[tuple[int, float]]:
    """(HTTP requests, seconds) of each step, for ``lib`` (zarr or zarrdist)."""
    through = {**options, "endpoint_url": proxy.url}
    results = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for step in _steps(lib, url, through, consolidated, name):
            proxy.reset()
            start = time.perf_counter()
            step()
            results.append((proxy.total, time.perf_counter() - start))
    return results


def main(argv: list[str] | None = None) -> None:
    """Build the hierarchy, measure both libraries, print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--arrays", type=int, default=1000)
    parser.add_argument("--format", type=int, default=3, choices=(2, 3))
    args = parser.parse_args(argv)
    import zarr

    import zarrdist
    from tests.benchmarks.bench_stores import moto_server

    with moto_server() as endpoint:
        start = time.perf_counter()
        url, options = build(endpoint, args.arrays, args.format)
        print(f"built and consolidated {args.arrays} arrays (v{args.format}) in "
              f"{time.perf_counter() - start:.1f} s")  # fmt: skip
        proxy = CountingProxy(endpoint)
        try:
            for consolidated in (True, False):
                label = "consolidated" if consolidated else "use_consolidated=False"
                print(f"\n{label}: HTTP requests (seconds)")
                print(f"{'step':<24}{'zarrdist':>18}{'zarr-python':>18}")
                name = target(args.arrays)
                ours = measure(proxy, url, options, zarrdist, consolidated, name)
                theirs = measure(proxy, url, options, zarr, consolidated, name)
                for step, (a, b) in zip(STEPS, zip(ours, theirs, strict=True), strict=True):
                    print(f"{step:<24}{a[0]:>8} ({a[1]:6.2f}s){b[0]:>8} ({b[1]:6.2f}s)")
        finally:
            proxy.close()


if __name__ == "__main__":
    main()
