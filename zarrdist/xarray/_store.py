"""xarray's ZarrStore driven with zarrdist groups and arrays.

xarray's :class:`~xarray.backends.zarr.ZarrStore` holds the whole Zarr encoding of a
dataset: CF encoding of variables, ``_ARRAY_DIMENSIONS`` / ``dimension_names``, fill
values, appends, regions, the checks of modes and encodings. It talks to its group
through zarr-python 3's public API, which zarrdist's Group and Array provide, except
in a few places where it imports zarr-python itself (isinstance checks, opening,
consolidating). :class:`ZarrdistStore` overrides exactly those places, so what
xarray writes is decided by xarray's own code and only the bytes go through zarrdist.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from xarray.backends.zarr import DIMENSION_KEY, FillValueCoder, ZarrStore
from xarray.core import indexing
from xarray.core.utils import FrozenDict
from xarray.core.variable import Variable

import zarrdist
from zarrdist.api.arrays.array import Array
from zarrdist.api.hierarchy.group import Group
from zarrdist.errors import ContainsArrayError
from zarrdist.xarray._array import ZarrdistBackendArray

__all__ = ["ZarrdistStore", "dims_and_attrs", "open_zarrdist_group"]


def dims_and_attrs(array: Array) -> tuple[tuple[str | None, ...], dict[str, Any]]:
    """Dimension names and user attributes of ``array``.

    Format 3 keeps the names in the metadata's ``dimension_names``; format 2 in the
    ``_ARRAY_DIMENSIONS`` attribute, which is hidden from the user's attributes.

    Raises
    ------
    KeyError
        If the array does not record its dimension names, as xarray's zarr backend.
    """
    attributes = dict(array.attrs)
    if array.metadata.zarr_format == 3:
        names = tuple(array.metadata.dimension_names or ())
        if len(names) != array.ndim:
            raise KeyError(
                f"Zarr array {array.path!r} is missing the `dimension_names` metadata which "
                "is required for xarray to determine variable dimensions."
            )
        return names, attributes
    try:
        names = tuple(attributes.pop(DIMENSION_KEY))
    except KeyError as err:
        raise KeyError(
            f"Zarr array {array.path!r} is missing the attribute `{DIMENSION_KEY}`, which is "
            "required for xarray to determine variable dimensions."
        ) from err
    return names, {k: v for k, v in attributes.items() if not k.lower().startswith("_nc")}


def _member_group(root: Group, group: str | None, *, create: bool = False) -> Group:
    if group in (None, "", "/"):
        return root
    name = str(group).strip("/")
    if create and not root.read_only and name not in root:
        return root.require_group(name)
    node = root[name]
    if not isinstance(node, Group):
        raise ContainsArrayError(
            "an array exists here, not a group", store=root.store.url, path=node.path
        )
    return node


def open_zarrdist_group(
    store: Any,
    *,
    mode: str,
    group: str | None,
    consolidated: bool | None,
    storage_options: Mapping[str, Any] | None,
    zarr_format: int | None,
) -> Group:
    """The zarrdist Group a dataset is read from or written to.

    ``store`` is anything zarrdist opens (a path, URL, StoreLike) or a zarrdist Group,
    whose member ``group`` is then taken. ``consolidated``: None uses consolidated
    metadata when the store has some, True requires it, False ignores it.
    """
    if isinstance(store, Group):
        return _member_group(store, group, create=mode not in ("r", "r+"))
    if isinstance(store, os.PathLike):
        store = os.fspath(store)
    open_mode = "a" if mode == "a-" else mode
    kwargs: dict[str, Any] = {
        "mode": open_mode,
        "storage_options": storage_options,
        "zarr_format": zarr_format,
    }
    if consolidated is False or open_mode in ("w", "w-"):
        return zarrdist.open_group(store, path=group, use_consolidated=False, **kwargs)
    # Consolidated metadata lives at the root: open it there, then walk to the group.
    root = zarrdist.open_group(store, use_consolidated=consolidated, **kwargs)
    return _member_group(root, group)


class ZarrdistStore(ZarrStore):
    """An xarray data store over a zarrdist Group (reads and writes)."""

    __slots__ = ()

    @classmethod
    def open_group(
        cls,
        store: Any,
        mode: str = "r",
        group: str | None = None,
        consolidated: bool | None = False,
        consolidate_on_close: bool = False,
        storage_options: Mapping[str, Any] | None = None,
        append_dim: Any = None,
        write_region: Any = None,
        safe_chunks: bool = True,
        align_chunks: bool = False,
        zarr_format: int | None = None,
        use_zarr_fill_value_as_mask: bool | None = None,
        write_empty: bool | None = None,
        cache_members: bool = True,
    ) -> ZarrdistStore:
        """Open the group as :meth:`xarray.backends.ZarrStore.open_group` does."""
        zgroup = open_zarrdist_group(
            store,
            mode=mode,
            group=group,
            consolidated=consolidated,
            storage_options=storage_options,
            zarr_format=zarr_format,
        )
        if use_zarr_fill_value_as_mask is None:
            # xarray's rule: format 2 data has always used the fill value as a mask.
            use_zarr_fill_value_as_mask = zgroup.metadata.zarr_format == 2
        return cls(
            zgroup,
            mode,
            consolidate_on_close,
            append_dim,
            write_region,
            safe_chunks,
            write_empty,
            not isinstance(store, Group) and zgroup.store is not store,
            use_zarr_fill_value_as_mask,
            align_chunks=align_chunks,
            cache_members=cache_members,
        )

    # -- members: zarrdist's Array, not zarr-python's ----------------------------------
    def array_keys(self) -> tuple[str, ...]:
        return tuple(k for k, node in self.members.items() if isinstance(node, Array))

    def arrays(self) -> tuple[tuple[str, Array], ...]:  # type: ignore[override]
        members: dict[str, Any] = dict(self.members)
        return tuple((k, node) for k, node in members.items() if isinstance(node, Array))

    # -- reading ---------------------------------------------------------------------
    def open_store_variable(self, name: str) -> Variable:
        """The variable ``name``, lazily indexed over its zarrdist Array.

        The encoding is what xarray's zarr backend records, except that the preferred
        chunks are the storage units (shards when the array has them): a dask block
        then never splits a shard between two tasks.
        """
        array = self.members[name]
        assert isinstance(array, Array)
        dims, attributes = dims_and_attrs(array)
        wrapper = ZarrdistBackendArray(array)
        data = indexing.LazilyIndexedArray(wrapper)
        units = tuple(array.shards or array.chunks)
        encoding: dict[str, Any] = {
            "chunks": tuple(array.chunks),
            "preferred_chunks": dict(zip(dims, units, strict=True)),
            "compressors": array.compressors,
            "filters": array.filters,
            "shards": array.shards,
        }
        if wrapper.dtype.kind == "T":
            encoding["dtype"] = wrapper.dtype
        zarr_format = array.metadata.zarr_format
        if zarr_format == 3:
            encoding["serializer"] = array.serializer
        if self._use_zarr_fill_value_as_mask:
            if array.fill_value is not None:
                attributes["_FillValue"] = array.fill_value
        else:
            if zarr_format == 3:
                encoding["fill_value"] = array.fill_value
            if "_FillValue" in attributes:
                attributes["_FillValue"] = FillValueCoder.decode(
                    attributes["_FillValue"], array.dtype
                )
        return Variable(dims, data, attributes, encoding)

    def get_variables(self) -> Mapping[str, Variable]:
        return FrozenDict((k, self.open_store_variable(k)) for k in self.array_keys())

    def get_dimensions(self) -> dict[Any, int]:
        sizes: dict[Any, int] = {}
        for _, array in self.arrays():
            names, _ = dims_and_attrs(array)
            for dim, size in zip(names, array.shape, strict=True):
                if sizes.setdefault(dim, size) != size:
                    raise ValueError(
                        f"found conflicting lengths for dimension {dim} ({size} != {sizes[dim]})"
                    )
        return sizes

    # -- writing ---------------------------------------------------------------------
    def store(self, *args: Any, **kwargs: Any) -> None:
        """xarray's store, then consolidation with zarrdist (not zarr-python)."""
        consolidate, self._consolidate_on_close = self._consolidate_on_close, False
        try:
            super().store(*args, **kwargs)
        finally:
            self._consolidate_on_close = consolidate
        if consolidate:
            zarrdist.consolidate_metadata(
                self.zarr_group.store, zarr_format=self.zarr_group.metadata.zarr_format
            )

    def _open_existing_array(self, *, name: str) -> Array:  # type: ignore[override]
        array = self.zarr_group[name]
        assert isinstance(array, Array)
        if self._write_empty is not None:
            array = array.with_config(write_empty_chunks=self._write_empty)
        return array

    def close(self) -> None:
        if self._close_store_on_close:
            self.zarr_group.store.close()
