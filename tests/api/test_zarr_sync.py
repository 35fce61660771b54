"""``zarr.core.sync``'s ``sync`` and ``collect_aiterator`` under zarrdist: the same
results as zarr-python's, from plain code and from inside a running event loop, without
an event loop of zarrdist's own."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator

import pytest
import zarr.core.sync as peer

import zarrdist
from zarrdist.core import sync as ours
from zarrdist.storage import MemoryStore


async def _count(n: int) -> AsyncIterator[int]:
    for i in range(n):
        await asyncio.sleep(0)
        yield i


async def _fail() -> None:
    raise KeyError("boom")


def test_sync_and_collect_equal_zarr_python() -> None:
    assert ours.sync(asyncio.sleep(0, result=7)) == peer.sync(asyncio.sleep(0, result=7)) == 7
    assert ours.collect_aiterator(_count(4)) == peer.collect_aiterator(_count(4)) == (0, 1, 2, 3)
    assert ours.sync(ours._collect_aiterator(_count(3))) == (0, 1, 2)
    with pytest.raises(KeyError, match="boom"):
        ours.sync(_fail())
    with pytest.raises(TimeoutError):
        ours.sync(asyncio.sleep(5), timeout=0.01)


def test_sync_inside_a_running_loop_uses_a_fresh_loop_elsewhere() -> None:
    async def caller() -> tuple[int, bool]:
        outer = asyncio.get_running_loop()

        async def inner() -> bool:
            return asyncio.get_running_loop() is not outer

        return ours.sync(asyncio.sleep(0, result=3)), ours.sync(inner())

    assert asyncio.run(caller()) == (3, True)
    assert not [t for t in threading.enumerate() if t.name.startswith("zarrdist-sync")]


def test_collect_aiterator_over_the_async_face() -> None:
    store = MemoryStore()
    root = zarrdist.group(store)
    root.create_group("b")
    root.create_group("a")
    face = root._async_group
    assert sorted(k for k in ours.collect_aiterator(face.group_keys())) == ["a", "b"]
