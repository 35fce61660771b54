"""What arrays and groups share: where they live."""

from __future__ import annotations

from typing import TYPE_CHECKING

from zarrdist.stores import Store

if TYPE_CHECKING:
    from zarrdist.storage import StorePath as AsyncStorePath

__all__ = ["Node"]


class Node:
    """A node of a hierarchy: a store and a path in it (``_store``, ``_path``)."""

    _store: Store
    _path: str

    @property
    def store(self) -> Store:
        """The store holding the node."""
        return self._store

    @property
    def path(self) -> str:
        """Path inside the store ("" for the root)."""
        return self._path

    @property
    def store_path(self) -> AsyncStorePath:
        """The store and the path together, as zarr-python's ``store_path``: its async
        ``StorePath`` over the store's face (``zarrdist.storage``; equal to the
        synchronous store, ``node.store``)."""
        from zarrdist.storage import StorePath as FaceStorePath

        return FaceStorePath(self._store, self._path)

    @property
    def name(self) -> str:
        """``/`` + path, as in h5py and zarr-python."""
        return "/" + self._path

    @property
    def basename(self) -> str:
        """Last component of the path."""
        return self._path.rsplit("/", 1)[-1]
