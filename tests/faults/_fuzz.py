"""Shared pieces of the fuzz harness: the Hypothesis budget and the per-case bound.

Every fuzz case must end either in a result or in a zarrdist error (``ZarrdistError``)
naming the store key that is damaged, within :data:`CASE_SECONDS` and
:data:`CASE_PEAK_BYTES` of traced allocations. Anything else (a bare ``ValueError``
from a codec library, a ``RecursionError``, a ``MemoryError``, a hang) fails.

Budget: CI runs a bounded number of examples per test (the whole harness in about
a minute on two cores); ``ZARRDIST_FUZZ_EXAMPLES=N`` runs N per test instead, for
a long run on demand::

    ZARRDIST_FUZZ_EXAMPLES=2000 python -m pytest tests/faults -k fuzz -p no:xdist
"""

from __future__ import annotations

import os
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from hypothesis import HealthCheck, settings

from zarrdist.errors import ZarrdistError

__all__ = ["CASE_PEAK_BYTES", "CASE_SECONDS", "FUZZ", "bounded", "outcome"]

#: Examples per fuzz test: a CI budget unless ZARRDIST_FUZZ_EXAMPLES asks for more.
EXAMPLES = int(os.environ.get("ZARRDIST_FUZZ_EXAMPLES", "0") or 0)
#: Seconds one case may take (generous: the CI machine is shared).
CASE_SECONDS = 5.0
#: Traced allocation peak of one case: the arrays here are a few KiB decoded, so a
#: case that allocates more believed a damaged size field.
CASE_PEAK_BYTES = 64 << 20

settings.register_profile(
    "zarrdist-fuzz",
    max_examples=EXAMPLES or 25,
    deadline=None,  # timed by `bounded`, which also allows for tracemalloc's overhead
    derandomize=not EXAMPLES,  # CI: the same cases every run; long runs: fresh ones
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    print_blob=True,
)
#: The settings every fuzz test uses.
FUZZ = settings.get_profile("zarrdist-fuzz")


@contextmanager
def bounded(peak_bytes: int = CASE_PEAK_BYTES) -> Iterator[None]:
    """Fail if the body takes longer than CASE_SECONDS or allocates past ``peak_bytes``."""
    tracemalloc.start()
    start = time.monotonic()
    try:
        yield
    finally:
        elapsed = time.monotonic() - start
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert elapsed < CASE_SECONDS, f"case took {elapsed:.1f} s"
    assert peak < peak_bytes, f"case allocated {peak:,} bytes at its peak"


def outcome(call: Callable[[], Any], *names: str, peak_bytes: int = CASE_PEAK_BYTES) -> Any:
    """Run ``call`` within the bounds; a zarrdist error must name one of ``names``.

    Returns the call's result, or the zarrdist error it raised.
    """
    with bounded(peak_bytes):
        try:
            return call()
        except ZarrdistError as error:
            text = str(error)
            assert any(name in text for name in names), f"{names} not named in: {text}"
            return error
