"""A store wrapper that injects faults at chosen calls, and helpers for writer processes.

``FaultStore(base, Fault("set", "c/", nth=2, action="error"))`` fails the second
``set`` of a key starting with ``c/``. Actions:

* ``error``: raise a :class:`StoreError` naming the key (a failed request);
* ``delay``: sleep ``seconds`` then do the call (a slow request);
* ``stall``: block until :meth:`FaultStore.release` or ``seconds`` pass (a hung
  endpoint), then do the call;
* ``short``: a read returns only the first half of the value (a short read);
* ``torn``: a write stores only the first half of the value and then raises (a
  store that is not atomic, dying mid-upload).

Every call is recorded in ``calls`` as ``(op, key)``, so a test can say which call
a fault hit and what happened around it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from zarrdist.errors import StoreError
from zarrdist.stores import Store, WrapperStore
from zarrdist.stores._base import ByteRequest

__all__ = ["Fault", "FaultStore"]


@dataclass
class Fault:
    """One fault: the ``nth`` matching call of ``op`` on a key with ``prefix``.

    ``nth=None`` hits every matching call; ``times`` limits how many it hits.
    """

    op: str  # "get", "set", "delete", "list"
    prefix: str = ""
    nth: int | None = 1
    action: str = "error"
    seconds: float = 0.0
    times: int | None = None
    seen: int = field(default=0, init=False)
    hit: int = field(default=0, init=False)

    def matches(self, op: str, key: str) -> bool:
        if op != self.op or not key.startswith(self.prefix):
            return False
        self.seen += 1
        if self.times is not None and self.hit >= self.times:
            return False
        if self.nth is not None and self.seen != self.nth:
            return False
        self.hit += 1
        return True


class FaultStore(WrapperStore):
    """Forwards to ``base``, injecting ``faults`` (see the module docstring)."""

    driver = "faults"

    def __init__(self, base: Store, *faults: Fault) -> None:
        super().__init__(base)
        self.faults = list(faults)
        self.calls: list[tuple[str, str]] = []
        self._guard = threading.Lock()
        self._released = threading.Event()
        #: Set when a call starts stalling.
        self.stalled = threading.Event()

    def with_read_only(self, read_only: bool = True) -> FaultStore:
        """The same faults, calls and stalls over the base in another mode."""
        if read_only == self.read_only:
            return self
        other = FaultStore(self._store.with_read_only(read_only))
        other.faults, other.calls, other._guard = self.faults, self.calls, self._guard
        other._released, other.stalled = self._released, self.stalled
        return other

    def release(self) -> None:
        """End every stall now and later."""
        self._released.set()

    def _fault(self, op: str, key: str) -> Fault | None:
        with self._guard:
            self.calls.append((op, key))
            for fault in self.faults:
                if fault.matches(op, key):
                    return fault
        return None

    def _before(self, fault: Fault | None, key: str) -> None:
        if fault is None:
            return
        if fault.action == "error":
            raise StoreError("injected fault", store=self.url, key=key)
        if fault.action == "delay":
            time.sleep(fault.seconds)
        elif fault.action == "stall":
            self.stalled.set()
            self._released.wait(fault.seconds or None)

    def _get(self, key: str, byte_range: ByteRequest | None) -> bytes | memoryview | None:
        fault = self._fault("get", key)
        self._before(fault, key)
        value = self._store.get(key, byte_range)
        if fault is not None and fault.action == "short" and value is not None:
            return bytes(value)[: len(value) // 2]
        return value

    def get(self, key: str, byte_range: ByteRequest | None = None) -> bytes | memoryview | None:
        return self._get(self._key(key), byte_range)

    def get_many(self, keys: Sequence[str]) -> list[bytes | memoryview | None]:
        return [self._get(self._key(k), None) for k in keys]

    def get_many_into(self, keys: Sequence[str], buffer: Any) -> list[bytes | memoryview | None]:
        return self.get_many(keys)

    def get_ranges(
        self, key: str, ranges: Sequence[ByteRequest]
    ) -> list[bytes | memoryview | None]:
        return [self._get(self._key(key), r) for r in ranges]

    def _set(self, key: str, value: bytes | memoryview) -> None:
        fault = self._fault("set", key)
        self._before(fault, key)
        if fault is not None and fault.action == "torn":
            self._store.set(key, bytes(value)[: len(value) // 2])
            raise StoreError("injected torn write", store=self.url, key=key)
        self._store.set(key, value)

    def set(self, key: str, value: bytes | bytearray | memoryview) -> None:
        key = self._key(key)
        self._check_writable(key)
        self._set(key, value if isinstance(value, bytes) else memoryview(value).cast("B"))

    def set_many(self, items: Any) -> None:
        pairs = items.items() if hasattr(items, "items") else items
        for key, value in pairs:
            self.set(key, value)

    def set_if_not_exists(self, key: str, value: bytes | memoryview) -> bool:
        fault = self._fault("set", key)
        self._before(fault, key)
        return self._store.set_if_not_exists(key, value)

    def _delete(self, key: str) -> None:
        self._before(self._fault("delete", key), key)
        self._store.delete(key)

    def delete(self, key: str) -> None:
        key = self._key(key)
        self._check_writable(key)
        self._delete(key)

    def _list(self, prefix: str) -> Iterator[str]:
        self._before(self._fault("list", prefix), prefix)
        return self._store.list_prefix(prefix) if prefix else self._store.list()

    def list_dir(self, prefix: str) -> Iterator[str]:
        self._before(self._fault("list", prefix), prefix)
        return self._store.list_dir(prefix)

    def exists(self, key: str) -> bool:
        return self._get(self._key(key), None) is not None

    def getsize(self, key: str) -> int | None:
        return self._store.getsize(key)
