"""AsyncStoreBridge: a user's ``zarrdist.abc.store.Store`` subclass used by the engine.

zarrdist's engine is synchronous (conventions item 8). A store written against
zarr-python's asynchronous API, as a subclass of ``zarrdist.abc.store.Store``, is
driven the way ``zarrdist.stores.ZarrStoreAdapter`` drives zarr-python's own stores
(batch requests in flight together, byte ranges clamped, pickled for workers), but
on fsspec's I/O loop (``zarrdist.core.sync.sync``, ``_loop``) and with zarrdist's Buffer classes:
no loop thread of zarrdist's own, and no zarr-python import.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from zarrdist.storage._cpu_buffers import default_buffer_prototype
from zarrdist.storage._loop import sync
from zarrdist.stores import ZarrStoreAdapter

if TYPE_CHECKING:
    from collections.abc import Coroutine

    from zarrdist.stores import ByteRequest

__all__ = ["AsyncStoreBridge"]

T = TypeVar("T")


class AsyncStoreBridge(ZarrStoreAdapter):
    """A ``zarrdist.abc.store.Store`` subclass as a synchronous zarrdist Store.

    Parameters
    ----------
    store : zarrdist.abc.store.Store
        The asynchronous store; the bridge is read-only when it is.
    pinned : bool
        As for ``ZarrStoreAdapter``.
    """

    def __repr__(self) -> str:
        return f"AsyncStoreBridge({self.store!r})"

    @classmethod
    def _accepts(cls, store: object) -> bool:
        # The protocol every zarrdist.abc.store.Store has (see native_store).
        return hasattr(type(store), "__zarrdist_store__")

    def _run(self, coro: Coroutine[Any, Any, T]) -> T:
        return sync(coro)

    def _prototype(self) -> Any:
        return default_buffer_prototype()

    def _request(self, request: ByteRequest | None) -> Any:
        # zarrdist.abc.store's byte requests are zarrdist.stores' classes.
        return request

    def _local_reason(self) -> str | None:
        return None
