"""How many bytes the reader of a value expects at most, for stores that expand data.

A store that decompresses what it holds (a deflated ZipStore member) could be made
to expand a small member into gigabytes before any codec sees it. The chunk
reader knows how large a stored chunk can be (see ``zarrdist.codecs._bounds``) and
says so with :func:`value_limit`; such a store then refuses a member that declares
more, naming the key, before decompressing it. Outside such a block nothing is
capped (metadata documents, copies of arbitrary keys).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

__all__ = ["current_value_limit", "value_limit"]

_LIMIT: ContextVar[int | None] = ContextVar("zarrdist_value_limit", default=None)


@contextmanager
def value_limit(nbytes: int | None) -> Iterator[None]:
    """Within the block, values this thread reads are expected to hold at most ``nbytes``."""
    token = _LIMIT.set(nbytes)
    try:
        yield
    finally:
        _LIMIT.reset(token)


def current_value_limit() -> int | None:
    """The limit set by the innermost :func:`value_limit` block of this thread, or None."""
    return _LIMIT.get()
