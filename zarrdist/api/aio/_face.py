"""How the async face turns a synchronous call into an awaitable one.

Every awaitable call here runs the synchronous implementation (the same planning,
the same chunk units, the same graphs on the active dask client) in a worker thread
with :func:`asyncio.to_thread`, so the event loop stays free while chunks are read
or written. Nothing is re-implemented: the face only moves the call off the loop and
wraps the nodes it returns (``Array`` -> ``AsyncArray``, ``Group`` -> ``AsyncGroup``).

The classes declare their members through the three descriptors below instead of
one hand-written coroutine per method, so the async face cannot drift from the
synchronous one.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
from collections.abc import AsyncIterator, Callable
from typing import Any

__all__ = [
    "async_iterator",
    "awaitable",
    "awaitable_value",
    "passthrough",
    "run",
    "same_signature",
    "unwrap",
    "wrap",
]

#: Set by zarrdist.api.aio: the callables turning sync nodes into async ones and back.
_WRAPPERS: list[Callable[[Any], Any]] = []


def wrap(value: Any) -> Any:
    """``value`` with every synchronous node in it replaced by its async face."""
    for wrapper in _WRAPPERS:
        wrapped = wrapper(value)
        if wrapped is not value:
            return wrapped
    if isinstance(value, tuple):
        return tuple(wrap(v) for v in value)
    if isinstance(value, list):
        return [wrap(v) for v in value]
    return value


def unwrap(value: Any) -> Any:
    """``value`` with an async node replaced by the synchronous node it faces."""
    return getattr(value, "_sync", value) if hasattr(type(value), "_face_of") else value


async def run(fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
    """``fn(*args, **kwargs)`` in a worker thread, async nodes in and out translated."""
    args = tuple(unwrap(a) for a in args)
    kwargs = {k: unwrap(v) for k, v in kwargs.items()}
    return wrap(await asyncio.to_thread(fn, *args, **kwargs))


def awaitable(name: str, doc: str | None = None) -> Any:
    """A coroutine method calling the synchronous node's method ``name`` off the loop."""

    async def method(self: Any, /, *args: Any, **kwargs: Any) -> Any:
        return await run(getattr(self._sync, name), *args, **kwargs)

    method.__name__ = name.strip("_")
    method.__doc__ = doc or f"Awaitable form of the synchronous ``{name}``."
    return method


def awaitable_value(name: str, doc: str | None = None) -> Any:
    """A coroutine method reading the synchronous node's property ``name`` off the loop
    (zarr-python spells ``nchunks_initialized`` and ``nbytes_stored`` as coroutines)."""

    async def method(self: Any) -> Any:
        return await run(lambda: int(getattr(self._sync, name)))

    method.__name__ = name
    method.__doc__ = doc or f"Awaitable form of the synchronous ``{name}``."
    return method


def async_iterator(name: str, doc: str | None = None) -> Any:
    """An async generator over what the synchronous method ``name`` returns, produced
    off the loop (listing a store can be slow) and yielded with nodes wrapped."""

    async def method(self: Any, /, *args: Any, **kwargs: Any) -> AsyncIterator[Any]:
        items = await run(lambda: list(getattr(self._sync, name)(*args, **kwargs)))
        for item in items:
            yield item

    method.__name__ = name
    method.__doc__ = doc or f"Async iterator form of the synchronous ``{name}``."
    return method


def passthrough(name: str) -> property:
    """A property reading the synchronous node's attribute ``name`` (no I/O)."""
    return property(
        functools.partial(lambda n, self: wrap(getattr(self._sync, n)), name),
        doc=f"The synchronous node's ``{name}``.",
    )


def same_signature(method: Any, sync_method: Any) -> Any:
    """``method`` showing ``sync_method``'s parameters (``inspect.signature``, help):
    the face takes exactly what the synchronous method takes (what it returns differs)."""
    signature = inspect.signature(sync_method)
    method.__signature__ = signature.replace(return_annotation=inspect.Signature.empty)
    return method
