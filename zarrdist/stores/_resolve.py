"""resolve_store: anything a user may pass as ``store=`` turned into a Store.

The rules follow zarr-python 3.1.5's ``make_store``: a local path opens a
LocalStore, a URL an FsspecStore, a dict a MemoryStore over that dict, None a new
MemoryStore, an fsspec mapping an FsspecStore, and a Store is used as it is. In
addition, a local path ending in ``.zip`` opens a ZipStore. A StorePath gives its
store; the API functions put its path before the node's (``split_store_path``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeAlias
from urllib.parse import unquote, urlparse

from fsspec.mapping import FSMap

from zarrdist.stores._base import (
    ACCESS_MODES,
    Store,
    native_store,
    normalize_key,
    read_only_from_mode,
)
from zarrdist.stores._fsspec import FsspecStore
from zarrdist.stores._local import LocalStore
from zarrdist.stores._memory import MemoryStore
from zarrdist.stores._obstore import ObjectStore
from zarrdist.stores._path import StorePath, from_zarr_store_path
from zarrdist.stores._zarr_adapter import ZarrStoreAdapter, is_zarr_store
from zarrdist.stores._zip import ZipStore

__all__ = ["StoreLike", "resolve_store"]

StoreLike: TypeAlias = Store | StorePath | str | os.PathLike[str] | dict[str, Any] | FSMap | None

# zarr-python access modes as zip modes: "w" truncates, "w-" must create.
_ZIP_MODE = {"r": "r", "r+": "a", "a": "a", "w": "w", "w-": "x"}
_LOCAL_SCHEMES = ("file", "local")


def resolve_store(
    store_like: StoreLike,
    *,
    mode: str = "a",
    storage_options: Mapping[str, Any] | None = None,
    path: str | None = None,
) -> Store:
    """The Store that ``store_like`` names.

    Parameters
    ----------
    store_like : Store, StorePath, str, os.PathLike, dict, fsspec.FSMap, zarr.abc.store.Store or None
        A store (a StorePath naming no path inside it gives its store); a
        zarr-python store (wrapped in a :class:`ZarrStoreAdapter`); a local
        path (``.zip`` opens a ZipStore); a ``file://`` URL; any other fsspec URL
        (``s3://``, ``gs://``, ``memory://``, ...); a dict (a MemoryStore over it);
        None (a new MemoryStore); an fsspec mapping.
    mode : {"r", "r+", "a", "w", "w-"}
        Access mode; ``"r"`` opens new stores read-only. A Store passed in is
        returned unchanged, except that mode ``"r"`` gives a read-only view of a
        writable one, as in zarr-python.
    storage_options : Mapping, optional
        fsspec options; only for URLs.
    path : str, optional
        A sub-directory of a path or URL to root the store at.

    Raises
    ------
    TypeError
        If ``store_like`` has an unsupported type, or ``storage_options`` would be unused.
    ValueError
        If ``mode`` is unknown, ``path`` is given for a store that has no root to
        join, or a StorePath names a path (the API functions take those).
    """
    if mode not in ACCESS_MODES:
        raise ValueError(f"unknown access mode {mode!r}; use one of {ACCESS_MODES}")
    read_only = read_only_from_mode(mode, False)
    store_like = from_zarr_store_path(store_like)
    if isinstance(store_like, StorePath):
        if store_like.path or (path and path.strip("/")):
            raise ValueError(
                f"{store_like!r} names a path inside its store, which this call cannot "
                "take; pass the StorePath to an API function (open_array, open_group, "
                "create_array, ...), or its store and the path separately"
            )
        store_like = store_like.store
    subpath = normalize_key(path.strip("/")) if path and path.strip("/") else ""
    if isinstance(store_like, os.PathLike):
        store_like = os.fspath(store_like)
    if isinstance(store_like, str):
        return _from_string(store_like, mode, read_only, storage_options, subpath)
    if storage_options:
        raise TypeError(
            "storage_options were given but are only used for URL strings "
            f"(store_like is a {type(store_like).__name__})"
        )
    if subpath:
        raise ValueError(
            f"path={path!r} can only be joined to a path or URL, not to a "
            f"{type(store_like).__name__}; pass the path to the array or group instead"
        )
    return _from_object(store_like, read_only)


def _from_object(store_like: object, read_only: bool) -> Store:
    """The store for anything that is not a path or URL."""
    store_like = native_store(store_like)
    if is_zarr_store(store_like):
        store_like = _native_or_adapter(store_like)
    if isinstance(store_like, Store):
        # As zarr-python: mode "r" gives a read-only view of a writable store.
        if read_only and not store_like.read_only:
            return store_like.with_read_only(True)
        return store_like
    if store_like is None:
        return MemoryStore(read_only=read_only)
    if isinstance(store_like, dict):
        return MemoryStore(store_like, read_only=read_only)
    if isinstance(store_like, FSMap):
        return FsspecStore(store_like, read_only=read_only)
    raise TypeError(
        f"Unsupported type for store_like: {type(store_like).__name__!r} "
        f"(cannot make a store from {store_like!r})"
    )


def _native_or_adapter(zstore: Any) -> Store:
    """zarr-python's obstore ObjectStore as zarrdist's (the same obstore store, driven
    by obstore's synchronous calls); any other zarr-python store in the adapter."""
    from zarr.storage import ObjectStore as ZarrObjectStore

    if isinstance(zstore, ZarrObjectStore):
        return ObjectStore(zstore.store, read_only=zstore.read_only)
    return ZarrStoreAdapter(zstore)


def _from_string(
    text: str,
    mode: str,
    read_only: bool,
    storage_options: Mapping[str, Any] | None,
    subpath: str,
) -> Store:
    scheme = text.partition("://")[0].lower() if "://" in text else ""
    is_url = bool(scheme) or "::" in text
    if is_url and (scheme not in _LOCAL_SCHEMES or storage_options):
        url = text.rstrip("/") + "/" + subpath if subpath else text
        return FsspecStore.from_url(url, storage_options=storage_options, read_only=read_only)
    if storage_options:
        raise TypeError(
            f"storage_options were given but {text!r} is a local path; they are only "
            "used for URL strings (s3://..., gs://..., file://...)"
        )
    local = _local_path(text) if is_url else text
    if subpath:
        local = os.path.join(local, subpath)
    if local.lower().endswith(".zip") and not os.path.isdir(local):
        return ZipStore(local, mode=_ZIP_MODE[mode])
    return LocalStore(local, read_only=read_only)


def _local_path(url: str) -> str:
    """The file system path of a ``file://`` (or ``local://``) URL."""
    parsed = urlparse(url)
    if parsed.netloc not in ("", "localhost"):
        raise ValueError(f"{url!r} names another host; a file URL must be local")
    return str(Path(unquote(parsed.path)))
