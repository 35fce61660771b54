"""zarr-python's ``FsspecStore`` and ``ObjectStore`` as faces over zarrdist's (see ``_faces``)."""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import fsspec

from zarrdist import stores as sync_stores
from zarrdist.errors import ZarrUserWarning
from zarrdist.storage._faces import StoreFace
from zarrdist.stores._fsspec import ALLOWED_EXCEPTIONS

if TYPE_CHECKING:
    from typing import Self

__all__ = ["FsspecStore", "ObjectStore"]

T_Obstore = TypeVar("T_Obstore")


class FsspecStore(StoreFace):
    """zarr-python's ``FsspecStore``: keys under a path of an fsspec file system.

    Parameters
    ----------
    fs : fsspec.AbstractFileSystem
        The file system. zarr-python asks for an asynchronous one
        (``asynchronous=True``) and warns otherwise; zarrdist drives either kind (an
        asynchronous one on fsspec's loop).
    read_only : bool
        Refuse writes.
    path : str
        The root path in ``fs``.
    allowed_exceptions : tuple of exception classes
        Errors that mean "no such key".
    """

    # Plain attributes, as zarr-python's: a caller may turn one off on an instance.
    supports_writes = True
    supports_deletes = True
    supports_listing = True

    def __init__(
        self,
        fs: Any,
        read_only: bool = False,
        path: str = "/",
        allowed_exceptions: tuple[type[Exception], ...] = ALLOWED_EXCEPTIONS,
    ) -> None:
        super().__init__(read_only=read_only)
        self._sync_store = sync_stores.FsspecStore(
            fs, read_only=read_only, path=path, allowed_exceptions=allowed_exceptions
        )
        self.fs = fs
        if getattr(fs, "async_impl", False) and not getattr(fs, "asynchronous", True):
            warnings.warn(
                f"fs ({fs}) was not created with `asynchronous=True`, as zarr-python asks "
                "(zarrdist drives it either way)",
                ZarrUserWarning,
                stacklevel=2,
            )

    @classmethod
    def _from_sync(cls, store: sync_stores.Store) -> Self:
        face = super()._from_sync(store)
        face.fs = store.fs  # type: ignore[attr-defined]
        return face

    @classmethod
    def from_url(
        cls,
        url: str,
        storage_options: dict[str, Any] | None = None,
        read_only: bool = False,
        allowed_exceptions: tuple[type[Exception], ...] = ALLOWED_EXCEPTIONS,
    ) -> Self:
        """A store on ``url`` (``s3://bucket/x.zarr``, ``memory://x``, ...); a file
        system that has an asynchronous mode is opened in it, as zarr-python does."""
        options = dict(storage_options or {})
        protocol = url.partition("://")[0] if "://" in url else "file"
        if getattr(fsspec.get_filesystem_class(protocol), "async_impl", False):
            options.setdefault("asynchronous", True)
        store = sync_stores.FsspecStore.from_url(
            url,
            storage_options=options,
            read_only=read_only,
            allowed_exceptions=allowed_exceptions,
        )
        return cls._from_sync(store)

    @classmethod
    def from_mapper(
        cls,
        fs_map: Any,
        read_only: bool = False,
        allowed_exceptions: tuple[type[Exception], ...] = ALLOWED_EXCEPTIONS,
    ) -> Self:
        """A store on an ``fsspec.FSMap``'s file system and root."""
        store = sync_stores.FsspecStore.from_mapper(
            fs_map, read_only=read_only, allowed_exceptions=allowed_exceptions
        )
        return cls._from_sync(store)

    @classmethod
    def from_upath(
        cls,
        upath: Any,
        read_only: bool = False,
        allowed_exceptions: tuple[type[Exception], ...] = ALLOWED_EXCEPTIONS,
    ) -> Self:
        """A store on a ``universal_pathlib`` path's file system and path."""
        store = sync_stores.FsspecStore.from_upath(
            upath, read_only=read_only, allowed_exceptions=allowed_exceptions
        )
        return cls._from_sync(store)

    @property
    def path(self) -> str:
        """The root path in the file system."""
        return str(self._sync.path)  # type: ignore[attr-defined]

    def __repr__(self) -> str:
        return f"<FsspecStore({type(self.fs).__name__}, {self.path})>"

    __str__ = __repr__

    async def delete_dir(self, prefix: str) -> None:
        """Delete every key under the directory ``prefix``.

        Raises
        ------
        NotImplementedError
            If deletes are turned off (``supports_deletes``).
        """
        if not self.supports_deletes:
            raise NotImplementedError(
                "This method is only available for stores that support deletes."
            )
        await super().delete_dir(prefix)


class ObjectStore(StoreFace, Generic[T_Obstore]):
    """zarr-python's ``ObjectStore``: an obstore store (S3, GCS, Azure, HTTP, ...).

    Parameters
    ----------
    store : obstore.store.ObjectStore
        The obstore store.
    read_only : bool
        Refuse writes.
    """

    def __init__(self, store: Any, *, read_only: bool = False) -> None:
        super().__init__(read_only=read_only)
        self._sync_store = sync_stores.ObjectStore(store, read_only=read_only)

    @property
    def store(self) -> Any:
        """The obstore store."""
        return self._sync.store  # type: ignore[attr-defined]

    def __str__(self) -> str:
        return f"object_store://{self.store}"

    def __repr__(self) -> str:
        return f"ObjectStore({self})"
