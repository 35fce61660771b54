"""zarr-python's async face: ``AsyncArray``, ``AsyncGroup`` (and ``zarrdist.api.asynchronous``).

A thin awaitable face over the synchronous objects: the same planning, the same chunk
units and graphs, run off the event loop in worker threads. See :mod:`zarrdist.api.aio._face`.
"""

from __future__ import annotations

from typing import Any

from zarrdist.api.aio import _face
from zarrdist.api.aio._array import AsyncArray, AsyncOIndex, AsyncVIndex
from zarrdist.api.aio._group import AsyncGroup
from zarrdist.api.arrays.array import Array
from zarrdist.api.hierarchy.group import Group

__all__ = ["AsyncArray", "AsyncGroup", "AsyncOIndex", "AsyncVIndex"]


def _to_face(value: Any) -> Any:
    if isinstance(value, Array):
        return AsyncArray(value)
    if isinstance(value, Group):
        return AsyncGroup(value)
    return value


_face._WRAPPERS.append(_to_face)
