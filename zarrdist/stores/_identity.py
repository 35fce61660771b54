"""Where a store's keys physically live, so that two spellings of one place compare equal.

A copy must never write into its own source, nor delete a directory that holds it:
``zarrdist copy era5.zarr . --overwrite`` names the source's parent as the
destination, and ``LocalStore("era5.zarr")`` and ``LocalStore(".")`` have different
roots although one holds the other. :func:`store_location` reduces a store and a path
inside it to a *namespace* (which file system or object store: the local disk, one
zip file, one S3 endpoint, one in-memory store) and the *parts* of the path in it
(symlinks and relative paths resolved for local files, ``file://`` URLs treated as
local paths, ``s3a://`` as ``s3://``, empty and trailing path segments dropped).
:func:`stores_overlap` says whether one location is the other or lies inside it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote, urlparse

from zarrdist.stores._base import Store

__all__ = ["Location", "store_location", "stores_overlap"]

#: (namespace, path parts): equal namespaces compare their parts.
Location = tuple[tuple[str, ...], tuple[str, ...]]

_LOCAL_SCHEMES = frozenset({"file", "local"})
# Spellings of one protocol: the same bucket reached through either is the same data.
_SCHEME_ALIASES = {"s3a": "s3", "s3n": "s3", "gcs": "gs", "abfss": "abfs", "az": "abfs"}


def _parts(path: str) -> tuple[str, ...]:
    return tuple(p for p in path.replace("\\", "/").split("/") if p and p != ".")


def _local(path: str) -> Location:
    return ("file",), _parts(os.path.realpath(os.path.abspath(path)))


def _endpoint(options: Mapping[str, Any]) -> str:
    client = options.get("client_kwargs")
    endpoint = options.get("endpoint_url")
    if endpoint is None and isinstance(client, Mapping):
        endpoint = client.get("endpoint_url")
    return str(endpoint or "").rstrip("/").lower()


def _from_url(url: str, options: Mapping[str, Any]) -> Location:
    if "::" in url:  # a chained URL: only an identical spelling is known to be the same
        return ("chain", url), ()
    scheme, sep, rest = url.partition("://")
    scheme = scheme.lower() if sep else "file"
    if scheme in _LOCAL_SCHEMES:
        parsed = urlparse(url) if sep else None
        return _local(unquote(parsed.path) if parsed is not None else url)
    scheme = _SCHEME_ALIASES.get(scheme, scheme)
    return (scheme, _endpoint(options)), _parts(rest)


def _from_spec(spec: Mapping[str, Any]) -> Location | None:
    driver = spec.get("driver")
    if "base" in spec and isinstance(spec["base"], Mapping):  # a wrapper: its base store
        return _from_spec(spec["base"])
    if driver == "local":
        return _local(str(spec["root"]))
    if driver == "fsspec":
        return _from_url(str(spec["url"]), spec.get("storage_options") or {})
    if driver == "zip":
        return ("zip", os.path.realpath(str(spec["path"]))), ()
    if driver == "memory":
        return ("memory", str(spec.get("id")), str(spec.get("pid"))), ()
    return None


def store_location(store: Store, path: str = "") -> Location | None:
    """The namespace and path parts of ``path`` inside ``store`` (None if unknown)."""
    found = _from_spec(store.spec.to_json())
    if found is None:
        return None
    namespace, parts = found
    return namespace, parts + _parts(path)


def stores_overlap(a: Store, a_path: str, b: Store, b_path: str) -> bool:
    """Whether ``a_path`` of ``a`` and ``b_path`` of ``b`` are one place or nested.

    Stores of unknown kinds overlap only when they are the same object.
    """
    first, second = store_location(a, a_path), store_location(b, b_path)
    if first is None or second is None:
        return a is b
    if first[0] != second[0]:
        return False
    shorter = min(len(first[1]), len(second[1]))
    return first[1][:shorter] == second[1][:shorter]
