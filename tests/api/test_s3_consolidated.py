"""A consolidated hierarchy on the local S3 server opens in a constant number of requests.

HTTP requests are counted by a proxy in front of moto, for zarrdist and for
zarr-python alike (see tests/benchmarks/bench_consolidated.py for the 1,000-array
measurement).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import zarr as zarr_python

import zarrdist as zarr
from tests.benchmarks._s3proxy import CountingProxy
from tests.benchmarks.bench_consolidated import build, measure, target

pytestmark = pytest.mark.s3


@pytest.fixture(scope="module")
def proxy(s3_server: str) -> Iterator[CountingProxy]:
    counting = CountingProxy(s3_server)
    yield counting
    counting.close()


@pytest.mark.parametrize("fmt", [2, 3])
def test_consolidated_open_is_constant_and_no_worse_than_zarr_python(
    s3_server: str, proxy: CountingProxy, fmt: int
) -> None:
    counts = {}
    for n in (4, 40):
        url, options = build(s3_server, n, fmt)
        ours = measure(proxy, url, options, zarr, True, target(n))
        theirs = measure(proxy, url, options, zarr_python, True, target(n))
        counts[n] = [c for c, _ in ours]
        opened, metadata, listed, read = counts[n]
        assert metadata == 0  # the array's metadata comes from the consolidated document
        assert listed == 0
        assert opened <= 8  # one batch: the group's documents and the consolidated one
        assert read >= 1
        assert opened <= theirs[0][0]
        assert metadata + listed <= theirs[1][0] + theirs[2][0]
    assert counts[4] == counts[40]  # independent of the number of arrays


def test_unconsolidated_listing_grows_with_the_hierarchy(
    s3_server: str, proxy: CountingProxy
) -> None:
    """The contrast: without consolidated metadata, listing reads every member."""
    url, options = build(s3_server, 12, 3)
    ours = measure(proxy, url, options, zarr, False, target(12))
    assert ours[2][0] >= 13  # at least one request per member (12 arrays and a group)
    through = {**options, "endpoint_url": proxy.url}
    group = zarr.open_group(url, mode="r", storage_options=through)
    assert sorted(group) == sorted([f"array_{i}" for i in range(12)] + ["group"])
