"""zarr-python's ``LocalStore`` and ``ZipStore`` as faces over zarrdist's (see ``_faces``)."""

from __future__ import annotations

import asyncio
import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zarrdist import stores as sync_stores
from zarrdist.storage._async_store import Store
from zarrdist.storage._faces import StoreFace, as_bytes

if TYPE_CHECKING:
    from typing import Self

    from zarrdist.storage._buffers import Buffer, BufferPrototype
    from zarrdist.stores import ByteRequest

__all__ = ["LocalStore", "ZipStore"]


class LocalStore(StoreFace):
    """zarr-python's ``LocalStore``: one file per key under a root directory.

    Parameters
    ----------
    root : str or pathlib.Path
        The root directory (created when the store is opened for writing).
    read_only : bool
        Refuse writes.

    Raises
    ------
    TypeError
        If ``root`` is neither a str nor a Path.
    """

    def __init__(self, root: Path | str, *, read_only: bool = False) -> None:
        if not isinstance(root, str | Path):
            raise TypeError(
                "'root' must be a string or Path instance. "
                f"Got an instance of {type(root)} instead."
            )
        super().__init__(read_only=read_only)
        self._sync_store = sync_stores.LocalStore(root, read_only=read_only)

    @classmethod
    async def open(
        cls, root: Path | str, *, read_only: bool = False, mode: str | None = None
    ) -> Self:
        """Construct and open the store; ``mode`` as in zarr-python (``"r"`` is read-only,
        ``"w"`` empties the root)."""
        store = cls(root, read_only=sync_stores.read_only_from_mode(mode, read_only))
        await store._open()
        if mode == "w":
            await store.clear()
        return store

    @property
    def root(self) -> Path:
        """The root directory."""
        return Path(self._sync.root)  # type: ignore[attr-defined]

    def __str__(self) -> str:
        return f"file://{self.root.as_posix()}"

    async def move(self, dest_root: Path | str) -> None:
        """Move the store's directory to ``dest_root``; the store then works there.

        Raises
        ------
        FileExistsError
            If ``dest_root`` exists.
        """
        dest = Path(dest_root)
        if dest.exists():
            raise FileExistsError(f"Destination root {dest} already exists.")
        await asyncio.to_thread(os.makedirs, dest.parent, exist_ok=True)
        await asyncio.to_thread(shutil.move, self.root, dest)
        self._sync_store = sync_stores.LocalStore(dest, read_only=self.read_only)


class ZipStore(StoreFace):
    """zarr-python's ``ZipStore``: values as members of one zip file.

    Parameters
    ----------
    path : str or pathlib.Path
        The zip file; opened (created with ``mode="w"``) on first use.
    mode : {"r", "w", "a", "x"}
        The zip file's mode.
    read_only : bool, optional
        Refuse writes; by default when ``mode`` is ``"r"``.
    compression : int
        ``zipfile.ZIP_STORED`` or another ``zipfile`` compression.
    allowZip64 : bool
        Allow archives over 4 GiB.
    """

    def __init__(
        self,
        path: Path | str,
        *,
        mode: str = "r",
        read_only: bool | None = None,
        compression: int = 0,
        allowZip64: bool = True,
    ) -> None:
        super().__init__(read_only=mode == "r" if read_only is None else read_only)
        self.path = Path(path)
        self._zmode = mode
        self.compression = compression
        self.allowZip64 = allowZip64

    @classmethod
    def _from_sync(cls, store: sync_stores.Store) -> Self:
        face = super()._from_sync(store)
        face.path = Path(store.path)  # type: ignore[attr-defined]
        face._zmode = store.mode  # type: ignore[attr-defined]
        face.compression = store.compression  # type: ignore[attr-defined]
        face.allowZip64 = store.allowZip64  # type: ignore[attr-defined]
        return face

    def _build(self) -> sync_stores.Store:
        return sync_stores.ZipStore(
            self.path,
            mode=self._zmode,
            read_only=self._read_only,
            compression=self.compression,
            allowZip64=self.allowZip64,
        )

    def __str__(self) -> str:
        return f"zip://{self.path}"

    def __eq__(self, value: object) -> bool:
        if isinstance(value, sync_stores.ZipStore):
            return os.path.abspath(self.path) == value.path
        return isinstance(value, type(self)) and self.path == value.path

    def with_read_only(self, read_only: bool = False) -> Self:
        """Not implemented, as in zarr-python: one zip file has one writer.

        Raises
        ------
        NotImplementedError
            Always.
        """
        return Store.with_read_only(self, read_only)  # type: ignore[return-value]

    async def clear(self) -> None:
        """Delete every key: the zip file is written anew (members cannot be deleted)."""
        self._check_writable()
        self.close()
        await asyncio.to_thread(os.remove, self.path)
        self._zmode = "w"
        self._sync_store = self._build()

    def __getstate__(self) -> dict[str, Any]:
        # The archive is reopened where the store is unpickled.
        return {**super().__getstate__(), "_sync_store": None, "_is_open": False}

    def _get(
        self, key: str, prototype: BufferPrototype, byte_range: ByteRequest | None = None
    ) -> Buffer | None:
        """``get`` without the event loop (zarr-python's synchronous helper)."""
        return self._value(self._sync.get(key, byte_range), prototype)

    def _set(self, key: str, value: Buffer) -> None:
        """``set`` without the event loop (zarr-python's synchronous helper)."""
        self._sync.set(key, as_bytes(value))

    async def move(self, path: Path | str) -> None:
        """Move the zip file to ``path``; the store then works there."""
        self.close()
        dest = Path(path)
        await asyncio.to_thread(os.makedirs, dest.parent, exist_ok=True)
        await asyncio.to_thread(shutil.move, self.path, dest)
        self.path = dest
        self._zmode = "a" if self._zmode in ("w", "x") else self._zmode
        self._sync_store = None
        await self._open()
