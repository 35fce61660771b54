"""The work a read hands to threads: planned items, cut into pieces run by a pool.

:mod:`zarrdist.chunkio.read` plans a read into items (a chunk's key, a byte range of
a shard, or bytes already here) and runs them. A direct-path read cuts them into
pieces as planning goes on (:class:`Pieces`); pool threads take pieces while the
caller plans, then the caller takes pieces too. The pool is the stores' reader pool
(:func:`zarrdist.stores.reader_pool`), the one LocalStore's batch reads use.
"""

from __future__ import annotations

import sys
import threading
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, NamedTuple, Self

from zarrdist.chunking.indexing import ChunkProjection
from zarrdist.codecs.sharding import ChunkSlot
from zarrdist.stores import RangeByteRequest, reader_pool

__all__ = [
    "ByInner",
    "ChunkFetch",
    "Item",
    "Pieces",
    "RangeFetch",
    "ReadJob",
    "item_weight",
]


class ReadJob(NamedTuple):
    """A fetched chunk: its store key, its encoded bytes (None: absent, read as the
    fill value) and the projections that read from it."""

    key: str
    data: Any
    projections: Sequence[ChunkProjection]


#: Inner-chunk coordinates -> the projections that read from that inner chunk.
ByInner = Mapping[tuple[int, ...], Sequence[ChunkProjection]]


@dataclass(frozen=True, slots=True)
class ChunkFetch:
    """A whole unsharded chunk still to be read."""

    key: str
    projections: Sequence[ChunkProjection]
    weight = 1


@dataclass(frozen=True, slots=True)
class RangeFetch:
    """One byte range of a shard still to be read, and the inner chunks it holds."""

    key: str
    request: RangeByteRequest
    slots: list[ChunkSlot]
    by_inner: ByInner
    #: Each inner chunk's place in the selection's order, made once per shard and
    #: shared by its ranges; None keeps the shard's order.
    rank: Mapping[tuple[int, ...], int] | None = None

    @property
    def weight(self) -> int:
        return len(self.slots)


#: What a thread is handed: chunks whose bytes are here, or bytes still to fetch.
Item = ReadJob | ChunkFetch | RangeFetch


def item_weight(item: Item) -> int:
    """Chunks an item stands for: what pieces are cut by."""
    return 1 if isinstance(item, tuple) else item.weight  # a ReadJob (a named tuple)


class Pieces:
    """Cuts the planned items of a read of ``total`` chunks into pieces, run by up to
    ``helpers`` pool threads as soon as they are cut, and by the caller once it has
    planned.

    Pieces shrink as the read goes on: each holds the chunks not yet cut shared
    among the runners, kept within ``least`` and ``most`` chunks (guided
    self-scheduling). The first piece gives a helper a large share with one
    hand-off, and the last ones are small, so the runners end together
    (docs/performance.md, "Pieces of a direct read").

    The caller goes on planning (a shard's index is a request, then a plan) while
    the helpers fetch, decode and place the pieces already cut; then it takes
    pieces itself, so no thread hand-off delays the end of the read. Every runner
    takes the next piece as it frees up, so the read ends when the work does. A
    byte range of several inner chunks is cut where a piece ends: neighbouring
    inner chunks are stored back to back and coalesce into one range, which alone
    could otherwise be most of the read.

    Leaving the ``with`` block waits for every piece that started; the first error
    is raised then (pieces not yet started are dropped), or the caller's own (a
    planning error).
    """

    def __init__(
        self,
        run: Callable[[list[Item]], None],
        total: int,
        helpers: int,
        least: int = 1,
        most: int = sys.maxsize,
    ) -> None:
        self._run = run
        self._left = total
        self._runners = helpers + 1
        self._least = max(1, least)
        self._most = max(self._least, most)
        self._weight = self._next_weight()
        self._helpers = helpers
        self._pending: list[Item] = []
        self._held = 0
        # Pieces not yet taken; deque appends and pops are atomic between threads.
        self._queue: deque[list[Item]] = deque()
        self._active = 0
        self._lock = threading.Lock()
        self._futures: list[Future[None]] = []

    def __enter__(self) -> Self:
        return self

    def add(self, items: Iterable[Item]) -> None:
        """Queue ``items``; hand out each piece they complete."""
        for item in items:
            weight = item_weight(item)
            while isinstance(item, RangeFetch) and weight > self._weight - self._held:
                room = self._weight - self._held
                head, item = _split_range(item, room)
                self._pending.append(head)
                self._held += room
                self._cut()
                weight -= room
            self._pending.append(item)
            self._held += weight
            if self._held >= self._weight:
                self._cut()

    def _next_weight(self) -> int:
        share = -(-max(self._left, 0) // self._runners)
        return min(self._most, max(self._least, share))

    def _cut(self) -> None:
        self._queue.append(self._pending)
        self._left -= self._held
        self._weight = self._next_weight()
        self._pending, self._held = [], 0
        with self._lock:
            start = self._active < self._helpers
            self._active += start
        if start:
            self._futures.append(reader_pool().submit(self._take, True))

    def _take(self, helper: bool = False) -> None:
        """Run queued pieces until none is left."""
        try:
            while True:
                try:
                    piece = self._queue.popleft()
                except IndexError:
                    return
                self._run(piece)
        except BaseException:
            self._queue.clear()  # a failed read stops taking new pieces
            raise
        finally:
            if helper:
                with self._lock:
                    self._active -= 1

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if kind is not None:
            self._queue.clear()
            self._wait()
            return
        if self._pending:
            self._cut()
        try:
            self._take()
        finally:
            errors = self._wait()
        for error in errors:
            if error is not None:
                raise error

    def _wait(self) -> list[BaseException | None]:
        # Every piece that started ends (or fails) before the caller sees the output.
        return [f.exception() for f in self._futures]


def _split_range(item: RangeFetch, k: int) -> tuple[RangeFetch, RangeFetch]:
    """The first ``k`` inner chunks of ``item`` and the others, as two byte ranges."""
    start = item.request.start
    head_slots, tail_slots = item.slots[:k], item.slots[k:]
    head_end = max(offset + nbytes for _, offset, nbytes in head_slots)
    cut = tail_slots[0][1]
    head = RangeFetch(
        item.key, RangeByteRequest(start, start + head_end), head_slots, item.by_inner, item.rank
    )
    tail = RangeFetch(
        item.key,
        RangeByteRequest(start + cut, item.request.end),
        [(coords, offset - cut, nbytes) for coords, offset, nbytes in tail_slots],
        item.by_inner,
        item.rank,
    )
    return head, tail
