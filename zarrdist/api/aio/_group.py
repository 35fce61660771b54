"""``AsyncGroup``: zarr-python's awaitable group, a face over :class:`zarrdist.Group`."""

from __future__ import annotations

from typing import Any

from zarrdist.api.aio._face import async_iterator, awaitable, passthrough, run, same_signature
from zarrdist.api.hierarchy.group import Group
from zarrdist.stores._path import from_zarr_store_path

__all__ = ["AsyncGroup"]

_PROPERTIES = (
    "store", "store_path", "path", "name", "basename", "metadata", "zarr_format",
    "read_only", "synchronizer", "info",
)  # fmt: skip

_AWAITABLE = {
    "getitem": "__getitem__",
    "setitem": "__setitem__",
    "delitem": "__delitem__",
    "contains": "__contains__",
    "get": "get",
    "create_group": "create_group",
    "require_group": "require_group",
    "require_groups": "require_groups",
    "create_array": "create_array",
    "create_dataset": "create_dataset",
    "require_array": "require_array",
    "require_dataset": "require_dataset",
    "nmembers": "nmembers",
    "info_complete": "info_complete",
    "tree": "tree",
    "move": "move",
    "empty": "empty",
    "zeros": "zeros",
    "ones": "ones",
    "full": "full",
    "empty_like": "empty_like",
    "zeros_like": "zeros_like",
    "ones_like": "ones_like",
    "full_like": "full_like",
}

_ITERATORS = (
    "members", "keys", "groups", "group_keys", "group_values", "arrays", "array_keys",
    "array_values", "create_hierarchy",
)  # fmt: skip


class AsyncGroup:
    """A group whose I/O methods are coroutines and whose listings are async iterators,
    as zarr-python's ``AsyncGroup``.

    It faces a synchronous :class:`zarrdist.Group`: each call runs the same code in a
    worker thread, and the arrays and groups it returns are async faces too.
    """

    _face_of = Group

    def __init__(
        self, group: Group | None = None, *, metadata: Any = None, store_path: Any = None
    ) -> None:
        if group is None and metadata is not None and store_path is not None:
            # zarr-python's form: the group described by ``metadata`` at ``store_path``
            # (nothing is written, as there).
            located = from_zarr_store_path(store_path)  # the async face's: its sync form
            group = Group(located.store, located.path, metadata)
        if not isinstance(group, Group):
            raise TypeError(
                "AsyncGroup faces a zarrdist Group (or takes metadata= and store_path=), "
                f"not {type(group).__name__}"
            )
        self._sync = group

    @classmethod
    async def open(cls, store: Any, zarr_format: int | None = None, **kwargs: Any) -> AsyncGroup:
        """Open the group at ``store``."""
        result: AsyncGroup = await run(Group.open, store, zarr_format=zarr_format, **kwargs)
        return result

    @classmethod
    async def from_store(cls, store: Any, **kwargs: Any) -> AsyncGroup:
        """Create a group at ``store`` (``attributes=``, ``zarr_format=``, ``overwrite=``)."""
        result: AsyncGroup = await run(Group.from_store, store, **kwargs)
        return result

    @classmethod
    def from_dict(cls, store_path: Any, data: dict[str, Any]) -> AsyncGroup:
        """The group ``data`` (group metadata's ``to_dict`` form) describes at
        ``store_path``, written nowhere (zarr-python's ``AsyncGroup.from_dict``)."""
        return cls(Group.from_dict(store_path, data))

    @property
    def attrs(self) -> dict[str, Any]:
        """The attributes as a plain dict (zarr-python's AsyncGroup gives a dict)."""
        return dict(self._sync.attrs)

    async def update_attributes(self, new_attributes: dict[str, Any]) -> AsyncGroup:
        """Merge ``new_attributes`` into the attributes (one metadata write)."""
        await run(self._sync.update_attributes, new_attributes)
        return self

    def __repr__(self) -> str:
        return "<Async" + repr(self._sync)[1:]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, AsyncGroup):
            return NotImplemented
        return self._sync == other._sync

    def __hash__(self) -> int:
        return hash(self._sync)


for _name in _PROPERTIES:
    setattr(AsyncGroup, _name, passthrough(_name))
for _name, _sync_name in _AWAITABLE.items():
    setattr(AsyncGroup, _name, same_signature(awaitable(_sync_name), getattr(Group, _sync_name)))
for _name in _ITERATORS:
    setattr(AsyncGroup, _name, same_signature(async_iterator(_name), getattr(Group, _name)))
