"""``Array.attrs`` / ``Group.attrs``: a dict-like view that writes through to the store."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from typing import Any

from zarrdist.errors import AttributeTypeError, MetadataError

__all__ = ["Attributes"]


class Attributes(MutableMapping[str, Any]):
    """The attributes of a node; every change is validated, then written at once.

    A value that is not JSON-serialisable is refused with an error and leaves the
    stored attributes (and this view) unchanged.
    """

    _read: Callable[[], dict[str, Any]]
    _write: Callable[[dict[str, Any]], None]
    _atomic: Callable[[Callable[[dict[str, Any]], dict[str, Any]]], None] | None

    def __init__(
        self,
        read: Callable[[], dict[str, Any]] | Any,
        write: Callable[[dict[str, Any]], None] | None = None,
        atomic: Callable[[Callable[[dict[str, Any]], dict[str, Any]]], None] | None = None,
    ) -> None:
        if write is None:
            # zarr-python's form, Attributes(node): the attributes of an array or group.
            node_attrs = getattr(read, "attrs", None)
            if not isinstance(node_attrs, Attributes):
                raise TypeError(
                    "Attributes takes an array or group, or read and write functions; "
                    f"got {type(read).__name__}"
                )
            read, write, atomic = node_attrs._read, node_attrs._write, node_attrs._atomic
        self._read = read
        self._write = write
        # atomic(make): under the node's lock, read the stored attributes, call
        # make(stored) for the new ones and write them; concurrent updates of
        # different keys then all survive.
        self._atomic = atomic

    def _update(self, change: Callable[[dict[str, Any]], None]) -> None:
        if self._atomic is not None:
            self._atomic(lambda stored: self._changed(stored, change))
        else:
            self._write(self._changed(self._read(), change))

    @staticmethod
    def _changed(
        current: Mapping[str, Any], change: Callable[[dict[str, Any]], None]
    ) -> dict[str, Any]:
        new = dict(current)
        change(new)
        try:
            json.dumps(new, allow_nan=True)
        except TypeError as error:  # a value of a type JSON has no form for
            raise AttributeTypeError(f"attributes must be JSON-serialisable: {error}") from error
        except ValueError as error:  # a circular reference
            raise MetadataError(f"attributes must be JSON-serialisable: {error}") from error
        return new

    def __getitem__(self, key: str) -> Any:
        return self._read()[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self._update(lambda d: d.__setitem__(key, value))

    def __delitem__(self, key: str) -> None:
        if key not in self._read():
            raise KeyError(key)
        self._update(lambda d: d.__delitem__(key))

    def __iter__(self) -> Iterator[str]:
        return iter(self._read())

    def __len__(self) -> int:
        return len(self._read())

    def put(self, attributes: Mapping[str, Any]) -> None:
        """Replace every attribute at once."""

        def replace(document: dict[str, Any]) -> None:
            document.clear()
            document.update(attributes)

        self._update(replace)

    def update(self, *args: Any, **kwargs: Any) -> None:
        """Set several attributes with one metadata write."""
        items = dict(*args, **kwargs)
        self._update(lambda d: d.update(items))

    def asdict(self) -> dict[str, Any]:
        """A plain dict copy."""
        return dict(self._read())

    def __repr__(self) -> str:
        return repr(self._read())
