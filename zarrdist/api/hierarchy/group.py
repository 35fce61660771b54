"""``Group``: zarr-python 3's synchronous group, over any zarrdist store.

A Group holds a store, a path and its metadata. Opened with consolidated
metadata, it also holds a :class:`~zarrdist.api.hierarchy.consolidation.ConsolidatedView`:
members, nested lookups (``g["a/b/c"]``) and ``tree()`` then do no store reads,
and every change made through it keeps the stored consolidated document true.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from zarrdist.api.arrays.array import Array
from zarrdist.api.arrays.create import new_array, write_into
from zarrdist.api.hierarchy.attributes import Attributes
from zarrdist.api.hierarchy.consolidation import ConsolidatedView, count_kinds, sync_consolidated
from zarrdist.api.hierarchy.create import write_nodes
from zarrdist.api.hierarchy.describe import GroupInfo, TreeRepr, build_tree, group_html
from zarrdist.api.hierarchy.documents import (
    join_path,
    key_prefix,
    kind_of,
    new_group_metadata,
    read_node,
    write_node,
)
from zarrdist.api.hierarchy.edits import create_node, move_node, remove_node
from zarrdist.api.hierarchy.group_arrays import GroupArrayMethods
from zarrdist.api.hierarchy.group_node import create_group_node, open_group_node
from zarrdist.api.hierarchy.location import Node
from zarrdist.api.hierarchy.members import walk
from zarrdist.errors import GroupNotFoundError, ReadOnlyStoreError
from zarrdist.graphs.locks import metadata_lock
from zarrdist.metadata import GroupMetadataV2, GroupMetadataV3, group_metadata_from_dict

if TYPE_CHECKING:
    import dask.array as da

    from zarrdist.metadata import GroupMetadata, NodeMetadata
    from zarrdist.stores import Store

__all__ = ["Group"]


class Group(GroupArrayMethods, Node):
    """A Zarr group (format 2 or 3).

    Create or open one with :func:`zarrdist.group`, :func:`zarrdist.create_group`
    or :func:`zarrdist.open_group`; the constructor is for those functions.

    Parameters
    ----------
    store : Store
        The store holding the group.
    path : str
        Path of the group in the store ("" for the root).
    metadata : GroupMetadataV2 or GroupMetadataV3
        The group's metadata.
    view : ConsolidatedView, optional
        Consolidated metadata to answer member lookups from, without store reads.
    """

    def __init__(
        self,
        store: Store,
        path: str | None = None,
        metadata: GroupMetadata | None = None,
        *,
        view: ConsolidatedView | None = None,
    ) -> None:
        if metadata is None:
            # zarr-python's ``Group(async_group)``: the group an AsyncGroup faces.
            face = getattr(store, "_sync", None)
            if not isinstance(face, Group):
                raise TypeError("Group needs a store, a path and metadata, or an AsyncGroup")
            store, path, metadata, view = face._store, face._path, face._metadata, face._view  # type: ignore[has-type]
        assert path is not None
        self._store = store
        self._path = join_path(path)
        self._metadata = metadata
        self._view = view

    # -- opening --------------------------------------------------------------------------
    @classmethod
    def from_store(
        cls,
        store: Any,
        *,
        attributes: Mapping[str, Any] | None = None,
        zarr_format: int | None = None,
        overwrite: bool = False,
    ) -> Group:
        """Create a group at the root of ``store``.

        Raises
        ------
        ContainsArrayError, ContainsGroupError
            If a node exists there and ``overwrite`` is False.
        """
        node = create_group_node(
            store, zarr_format=zarr_format, overwrite=overwrite, attributes=attributes
        )
        return cls(node.store, node.path, node.metadata)

    @classmethod
    def from_dict(cls, store_path: Any, data: Mapping[str, Any]) -> Group:
        """The group that ``data`` (zarr-python's ``to_dict`` form of group metadata)
        describes at ``store_path``; nothing is written, as in zarr-python."""
        return cls(store_path.store, store_path.path, group_metadata_from_dict(data))

    @classmethod
    def open(cls, store: Any, zarr_format: int | None = None, **kwargs: Any) -> Group:
        """Open the group at the root of ``store`` (``use_consolidated=`` as open_group).

        Raises
        ------
        GroupNotFoundError
            If there is no group.
        """
        node = open_group_node(
            store, mode=kwargs.pop("mode", "r+"), zarr_format=zarr_format, **kwargs
        )
        return cls(node.store, node.path, node.metadata, view=node.view)

    # -- description ----------------------------------------------------------------------

    @property
    def zarr_format(self) -> int:
        """2 or 3."""
        return self._metadata.zarr_format

    @property
    def read_only(self) -> bool:
        """Whether writes are refused."""
        return bool(self._store.read_only)

    @property
    def synchronizer(self) -> None:
        """Always None (zarr-python 2 compatibility)."""
        return None

    @property
    def metadata(self) -> GroupMetadata:
        """The group's metadata (v3: with the consolidated metadata it was opened with)."""
        if self._view is not None and isinstance(self._metadata, GroupMetadataV3):
            return self._metadata.with_consolidated(self._view.consolidated_for(self._path))
        return self._metadata

    @property
    def attrs(self) -> Attributes:
        """The group's attributes; changes are written at once."""
        return Attributes(
            lambda: dict(self._metadata.attributes), self._put_attributes, self._atomic_attributes
        )

    def update_attributes(self, new_attributes: Mapping[str, Any]) -> Group:
        """Merge ``new_attributes`` into the attributes (one metadata write)."""
        self.attrs.update(new_attributes)
        return self

    async def update_attributes_async(self, new_attributes: Mapping[str, Any]) -> Group:
        """:meth:`update_attributes` as a coroutine (zarr-python's ``Group`` has both);
        the write runs in a worker thread, off the event loop."""
        return await asyncio.to_thread(self.update_attributes, new_attributes)

    @property
    def _async_group(self) -> Any:
        """zarr-python's ``Group._async_group``: this group's awaitable face."""
        import zarrdist  # the root's lazy names: zarrdist.api.aio imports this module

        return zarrdist.AsyncGroup(self)

    @property
    def info(self) -> GroupInfo:
        """A summary; member counts only when consolidated metadata makes them free."""
        if self._view is None:
            return self._info(None)
        return self._info([m for _, m in self._view.below(self._path, None)])

    def info_complete(self) -> GroupInfo:
        """A summary with member counts (walks the hierarchy)."""
        return self._info([m for _, _, m in self._walk(None)])

    def _info(self, members: list[NodeMetadata] | None) -> GroupInfo:
        counts: tuple[int | None, ...] = (None, None, None)
        if members is not None:
            arrays, groups = count_kinds(members)
            counts = (len(members), arrays, groups)
        return GroupInfo(
            _name=self._path,
            _zarr_format=self.zarr_format,
            _read_only=self.read_only,
            _store_type=type(self._store).__name__,
            _count_members=counts[0],
            _count_arrays=counts[1],
            _count_groups=counts[2],
        )

    def __repr__(self) -> str:
        return f"<Group {self._store.url}{'/' + self._path if self._path else ''}>"

    def _repr_html_(self) -> str:
        members = [(k, kind_of(m)) for k, _, m in self._walk(0)]
        return group_html(f"zarrdist.Group {self.name}", self.info, members)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Group):
            return NotImplemented
        return (self._store, self._path, self._metadata) == (
            other._store,
            other._path,
            other._metadata,
        )

    def __hash__(self) -> int:
        return hash((self._store, self._path))

    # -- members ----------------------------------------------------------------------------
    def _node(self, path: str, metadata: NodeMetadata) -> Array | Group:
        if isinstance(metadata, GroupMetadataV2 | GroupMetadataV3):
            return Group(self._store, path, metadata, view=self._view)
        return Array(self._store, path, metadata, view=self._view)

    def _walk(self, max_depth: int | None) -> list[tuple[str, str, NodeMetadata]]:
        return walk(self._store, self._path, self.zarr_format, max_depth=max_depth, view=self._view)

    def _lookup(self, key: str) -> tuple[str, NodeMetadata | None]:
        try:
            path = join_path(self._path, key)
        except ValueError:
            raise KeyError(key) from None  # '..' and the like name no member
        if path == self._path:
            raise KeyError(key)
        if self._view is not None and self._view.covers(path):
            return path, self._view.get(path)
        return path, read_node(self._store, path, self.zarr_format)

    def __getitem__(self, key: str) -> Array | Group:
        """The member at ``key``, which may be a nested path (``"a/b/c"``).

        Raises
        ------
        KeyError
            If no member exists there.
        """
        path, metadata = self._lookup(key)
        if metadata is None:
            raise KeyError(key)
        return self._node(path, metadata)

    def get(self, key: str, default: Any = None) -> Any:
        """The member at ``key``, or ``default``."""
        try:
            return self[key]
        except KeyError:
            return default

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, str):
            return False
        try:
            return self._lookup(key)[1] is not None
        except KeyError:
            return False

    def members(
        self, max_depth: int | None = 0, *, use_consolidated_for_children: bool = True
    ) -> tuple[tuple[str, Array | Group], ...]:
        """(relative path, member) pairs; ``max_depth=None`` walks the whole hierarchy."""
        found = walk(
            self._store,
            self._path,
            self.zarr_format,
            max_depth=max_depth,
            view=self._view,
            use_consolidated_for_children=use_consolidated_for_children,
        )
        return tuple((rel, self._node(path, m)) for rel, path, m in found)

    def nmembers(self, max_depth: int | None = 0) -> int:
        """Number of members (``max_depth`` as in :meth:`members`)."""
        return len(self._walk(max_depth))

    def keys(self) -> Iterator[str]:
        """Names of the immediate members, sorted."""
        return (rel for rel, _, _ in self._walk(0))

    def __iter__(self) -> Iterator[str]:
        return self.keys()

    def __len__(self) -> int:
        return self.nmembers()

    def _of_kind(self, kind: str) -> Iterator[tuple[str, Array | Group]]:
        return ((rel, self._node(p, m)) for rel, p, m in self._walk(0) if kind_of(m) == kind)

    def arrays(self) -> Iterator[tuple[str, Array]]:
        """(name, array) of the immediate member arrays."""
        return ((k, v) for k, v in self._of_kind("array") if isinstance(v, Array))

    def groups(self) -> Iterator[tuple[str, Group]]:
        """(name, group) of the immediate member groups."""
        return ((k, v) for k, v in self._of_kind("group") if isinstance(v, Group))

    def array_keys(self) -> Iterator[str]:
        """Names of the immediate member arrays."""
        return (k for k, _ in self.arrays())

    def group_keys(self) -> Iterator[str]:
        """Names of the immediate member groups."""
        return (k for k, _ in self.groups())

    def array_values(self) -> Iterator[Array]:
        """The immediate member arrays."""
        return (v for _, v in self.arrays())

    def group_values(self) -> Iterator[Group]:
        """The immediate member groups."""
        return (v for _, v in self.groups())

    def tree(self, expand: bool | None = None, level: int | None = None) -> TreeRepr:
        """The hierarchy below this group as a tree (``level``: deepest level shown).

        Plain text unless rich is installed; ``repr()`` of the result gives the text.
        """
        if expand is not None:
            raise NotImplementedError("'expand' is not supported (nor by zarr-python)")
        return build_tree(self.name, [(rel, m) for rel, _, m in self._walk(level)])

    def to_dask(self, *, max_depth: int | None = None) -> dict[str, da.Array]:
        """Every array below this group as a dask array, by relative path."""
        return {
            rel: node.to_dask() for rel, node in self.members(max_depth) if isinstance(node, Array)
        }

    # -- writing ----------------------------------------------------------------------------
    def _check_writable(self) -> None:
        if self._store.read_only:
            raise ReadOnlyStoreError(f"group {self.name!r} is read-only", store=self._store.url)

    def _put_attributes(self, attributes: dict[str, Any]) -> None:
        self._atomic_attributes(lambda _stored: attributes)

    def _atomic_attributes(self, make: Any) -> None:
        """Apply ``make`` to the stored attributes under the group's metadata lock."""
        self._check_writable()
        with metadata_lock(self._store, self._path):
            self._write_attributes(make)

    def _write_attributes(self, make: Any) -> None:
        # Rewrite what is stored (it may hold consolidated metadata this handle dropped).
        stored = read_node(self._store, self._path, self.zarr_format)
        if not isinstance(stored, GroupMetadataV2 | GroupMetadataV3):
            raise GroupNotFoundError(
                "the group no longer exists", store=self._store.url, path=self._path or "/"
            )
        attributes = make(dict(stored.attributes))
        updated = stored.with_attributes(attributes)
        write_node(self._store, self._path, updated)
        self._metadata = self._metadata.with_attributes(attributes)
        sync_consolidated(self._store, [(self._path, updated)], view=self._view)

    def create_group(
        self, name: str, *, overwrite: bool = False, attributes: Mapping[str, Any] | None = None
    ) -> Group:
        """Create a member group (``name`` may be nested; missing parents are created).

        Raises
        ------
        ContainsArrayError, ContainsGroupError
            If a member exists there and ``overwrite`` is False.
        """
        self._check_writable()
        path = join_path(self._path, name)
        metadata = new_group_metadata(self.zarr_format, attributes)
        create_node(self._store, path, metadata, overwrite=overwrite, view=self._view)
        return Group(self._store, path, metadata, view=self._view)

    def require_group(self, name: str, overwrite: bool = False) -> Group:
        """The member group ``name``, created if missing.

        Raises
        ------
        TypeError
            If an array exists there.
        """
        if overwrite:
            return self.create_group(name, overwrite=True)
        node = self.get(name)
        if node is None:
            return self.create_group(name)
        if not isinstance(node, Group):
            raise TypeError(f"Incompatible object ({type(node).__name__}) already exists")
        return node

    def require_groups(self, *names: str) -> tuple[Group, ...]:
        """:meth:`require_group` for each name."""
        return tuple(self.require_group(name) for name in names)

    def create_array(self, name: str, **kwargs: Any) -> Array:
        """Create a member array; keywords as :func:`zarrdist.create_array`.

        Raises
        ------
        ContainsArrayError, ContainsGroupError
            If a member exists there and ``overwrite`` is False.
        """
        self._check_writable()
        kwargs.pop("storage_options", None)
        kwargs.setdefault("zarr_format", self.zarr_format)
        automatic = ("compressor", "compressors")
        if kwargs["zarr_format"] == 2 and all(kwargs.get(k, "auto") == "auto" for k in automatic):
            # zarr-python's Group.create_array gives v2 arrays numcodecs' default Blosc,
            # unlike its top-level create_array (Zstd); same call, same bytes.
            kwargs["compressors"] = [{"id": "blosc", "cname": "lz4", "clevel": 5, "shuffle": 1,
                                      "blocksize": 0}]  # fmt: skip
        return self._new_array(name, **kwargs)

    def _new_array(self, name: str, **kwargs: Any) -> Array:
        self._check_writable()
        kwargs.pop("storage_options", None)
        kwargs.setdefault("zarr_format", self.zarr_format)
        return new_array(self._store, join_path(self._path, name), view=self._view, **kwargs)

    def __setitem__(self, key: str, value: Any) -> None:
        """Store ``value`` as the member array ``key``, replacing what is there."""
        self._check_writable()
        chunks = getattr(value, "chunks", None)
        array = (
            new_array(
                self._store,
                join_path(self._path, key),
                data=None,
                shape=getattr(value, "shape", None),
                dtype=getattr(value, "dtype", None),
                chunks=chunks if isinstance(chunks, tuple) else "auto",
                overwrite=True,
                view=self._view,
                zarr_format=self.zarr_format,
            )
            if hasattr(value, "shape")
            else None
        )
        if array is None:
            import numpy as np

            self[key] = np.asanyarray(value)
            return
        write_into(array, value)

    def __delitem__(self, key: str) -> None:
        """Delete the member ``key`` and everything below it (no error if missing)."""
        self._check_writable()
        remove_node(
            self._store, join_path(self._path, key), zarr_format=self.zarr_format, view=self._view
        )

    def rmdir(self, name: str) -> None:
        """Delete the member ``name`` (a group or array) and everything below it.

        Raises
        ------
        KeyError
            If no member exists there.
        """
        if name not in self:
            raise KeyError(name)
        del self[name]

    def move(self, source: str, dest: str) -> None:
        """Move the member at ``source`` to ``dest`` (both relative to this group).

        Raises
        ------
        NodeNotFoundError
            If nothing exists at ``source``.
        ContainsNodeError
            If something exists at ``dest``.
        """
        self._check_writable()
        move_node(
            self._store,
            join_path(self._path, source),
            join_path(self._path, dest),
            zarr_format=self.zarr_format,
            view=self._view,
        )

    def create_hierarchy(
        self, nodes: Mapping[str, NodeMetadata], *, overwrite: bool = False
    ) -> Iterator[tuple[str, Array | Group]]:
        """Create ``nodes`` (paths relative to this group) as one graph; see
        :func:`zarrdist.create_hierarchy`.

        Raises
        ------
        ValueError
            If ``nodes`` names this group itself, or mixes Zarr formats with it.
        """
        prefixed = {}
        for key, metadata in nodes.items():
            if not join_path(key):
                raise ValueError(
                    "It is an error to use this method to create a root node. nodes may not "
                    "redefine this group (the path '' or '/')"
                )
            if metadata.zarr_format != self.zarr_format:
                raise ValueError(
                    f"node {key!r} is zarr_format {metadata.zarr_format}, this group "
                    f"{self.zarr_format}"
                )
            prefixed[join_path(self._path, key)] = metadata
        written = write_nodes(self._store, prefixed, overwrite=overwrite, view=self._view)
        created = open_nodes(self._store, written, self._view)
        cut = len(self._path) + 1 if self._path else 0
        below = key_prefix(self._path)
        return iter(
            [
                (path[cut:], node)
                for path, node in created
                if path.startswith(below) and path != self._path
            ]
        )


def open_nodes(
    store: Store, written: Mapping[str, NodeMetadata], view: ConsolidatedView | None
) -> list[tuple[str, Array | Group]]:
    """The nodes just written (path -> metadata), as arrays and groups over ``store``."""
    return [
        (
            path,
            Group(store, path, metadata, view=view)
            if isinstance(metadata, GroupMetadataV2 | GroupMetadataV3)
            else Array(store, path, metadata, view=view),
        )
        for path, metadata in written.items()
    ]
