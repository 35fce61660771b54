"""The selection methods of ``Array``: ``z[...]``, ``oindex``, ``vindex``, ``blocks`` and
the ``get_/set_*_selection`` methods, with the ``fields`` of structured data types.

Each method builds an indexer (:mod:`zarrdist.chunking.indexing`) and hands it to the
array's ``_get`` / ``_set``, which choose the direct path or a graph. Field names
may also stand inside a selection (``z["a"]``, ``z[1:3, "a"]``), as in zarr-python.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.lib.recfunctions import repack_fields

from zarrdist.chunking.indexing import (
    basic_indexer,
    block_indexer,
    coordinate_indexer,
    fancy_indexer,
    mask_indexer,
    orthogonal_indexer,
)
from zarrdist.chunkio.units import Fields
from zarrdist.errors import SelectionError

if TYPE_CHECKING:
    from zarrdist.chunking.indexing import Indexer

__all__ = ["Selections", "pop_fields"]

#: Field names a caller may give: one, or several in any sequence.
FieldNames = str | Sequence[str]
IndexerFactory = Callable[[Any, tuple[int, ...], tuple[int, ...]], "Indexer"]


def pop_fields(selection: Any) -> tuple[Fields | None, Any]:
    """The field names inside ``selection`` (strings, or lists of strings) and the
    selection without them, as zarr-python's ``pop_fields``."""
    if isinstance(selection, str):
        return selection, Ellipsis
    if isinstance(selection, list) and _is_field_entry(selection):
        return list(selection), Ellipsis
    if not isinstance(selection, tuple):
        return None, selection
    names = [n for s in selection if _is_field_entry(s) for n in ([s] if isinstance(s, str) else s)]
    if not names:
        return None, selection
    rest = tuple(s for s in selection if not _is_field_entry(s))
    fields: Fields = names[0] if len(names) == 1 else names
    return fields, (rest[0] if len(rest) == 1 else rest) if rest else Ellipsis


def _is_field_entry(entry: Any) -> bool:
    """A field name, or a list of them (never an index: indices are not strings)."""
    if isinstance(entry, str):
        return True
    return isinstance(entry, list) and bool(entry) and all(isinstance(s, str) for s in entry)


def _check_fields(fields: FieldNames, dtype: np.dtype[Any], name: str) -> Fields:
    """``fields`` checked against ``dtype``, as NumPy indexes with them: one name, or a
    list (the form every layer below takes)."""
    names = [fields] if isinstance(fields, str) else list(fields)
    if dtype.names is None:
        raise SelectionError(f"array {name!r} of dtype {dtype} has no fields; got {fields!r}")
    unknown = [f for f in names if f not in dtype.names]
    if unknown or not names:
        raise SelectionError(
            f"no field {unknown[0] if unknown else fields!r} in array {name!r}; "
            f"its fields are {list(dtype.names)}"
        )
    return fields if isinstance(fields, str) else names


def _take(result: Any, fields: Fields) -> Any:
    taken = result[fields]
    if isinstance(fields, str) or not isinstance(taken, np.ndarray):
        return taken
    # Several fields of a record are a view with gaps; the result is packed, as a
    # new array of just those fields would be.
    return repack_fields(taken)


class Selections:
    """Selection methods over ``_get(indexer, out)`` and ``_set(indexer, value, selection)``."""

    if TYPE_CHECKING:  # what Array provides

        @property
        def shape(self) -> tuple[int, ...]: ...
        @property
        def dtype(self) -> np.dtype[Any]: ...
        @property
        def name(self) -> str: ...
        @property
        def _io(self) -> tuple[int, ...]: ...
        def _get(self, indexer: Indexer, out: Any = None) -> Any: ...
        def _set(
            self,
            indexer: Indexer,
            value: Any,
            selection: Any = None,
            fields: Fields | None = None,
        ) -> None: ...

    def _read(
        self, factory: IndexerFactory, selection: Any, out: Any, fields: FieldNames | None
    ) -> Any:
        indexer = factory(selection, self.shape, self._io)
        if fields is None and out is not None:
            # Read straight into ``out`` where it can hold the selection as it is.
            result = self._get(indexer, out)
            if result is not out:
                out[...] = result
            return out
        result = self._get(indexer)
        if fields is not None:
            result = _take(result, _check_fields(fields, self.dtype, self.name))
        if out is None:
            return result
        out[...] = result
        return out

    def _write(
        self,
        factory: IndexerFactory,
        selection: Any,
        value: Any,
        fields: FieldNames | None,
        plain: bool,
    ) -> None:
        indexer = factory(selection, self.shape, self._io)
        if fields is not None:
            fields = _check_fields(fields, self.dtype, self.name)
        # Each chunk is read, its fields replaced and rewritten under the chunk's
        # lock, so writes of other fields of the same elements are kept.
        self._set(indexer, value, selection if plain else None, fields)

    # -- z[...] -----------------------------------------------------------------------
    def __getitem__(self, selection: Any) -> Any:
        fields, selection = pop_fields(selection)
        return self._read(fancy_indexer, selection, None, fields)

    def __setitem__(self, selection: Any, value: Any) -> None:
        fields, selection = pop_fields(selection)
        self._write(fancy_indexer, selection, value, fields, plain=True)

    # -- by kind ----------------------------------------------------------------------
    def get_basic_selection(
        self, selection: Any = Ellipsis, *, out: Any = None, fields: FieldNames | None = None
    ) -> Any:
        """``z[selection]`` for ints, slices and Ellipsis only."""
        return self._read(basic_indexer, selection, out, fields)

    def set_basic_selection(
        self, selection: Any, value: Any, *, fields: FieldNames | None = None
    ) -> None:
        """``z[selection] = value`` for ints, slices and Ellipsis only."""
        self._write(basic_indexer, selection, value, fields, plain=True)

    def get_orthogonal_selection(
        self, selection: Any, *, out: Any = None, fields: FieldNames | None = None
    ) -> Any:
        """Outer (per-axis) indexing: ``z.oindex[selection]``."""
        return self._read(orthogonal_indexer, selection, out, fields)

    def set_orthogonal_selection(
        self, selection: Any, value: Any, *, fields: FieldNames | None = None
    ) -> None:
        """``z.oindex[selection] = value``."""
        self._write(orthogonal_indexer, selection, value, fields, plain=False)

    def get_coordinate_selection(
        self, selection: Any, *, out: Any = None, fields: FieldNames | None = None
    ) -> Any:
        """Point-wise indexing: ``z.vindex[ints, ints, ...]``."""
        return self._read(coordinate_indexer, selection, out, fields)

    def set_coordinate_selection(
        self, selection: Any, value: Any, *, fields: FieldNames | None = None
    ) -> None:
        """``z.vindex[ints, ...] = value``."""
        self._write(coordinate_indexer, selection, value, fields, plain=False)

    def get_mask_selection(
        self, mask: Any, *, out: Any = None, fields: FieldNames | None = None
    ) -> Any:
        """Boolean-mask indexing: ``z.vindex[mask]``."""
        return self._read(mask_indexer, mask, out, fields)

    def set_mask_selection(
        self, mask: Any, value: Any, *, fields: FieldNames | None = None
    ) -> None:
        """``z.vindex[mask] = value``."""
        self._write(mask_indexer, mask, value, fields, plain=False)

    def get_block_selection(
        self, selection: Any, *, out: Any = None, fields: FieldNames | None = None
    ) -> Any:
        """Whole chunks by chunk index: ``z.blocks[selection]``."""
        return self._read(block_indexer, selection, out, fields)

    def set_block_selection(
        self, selection: Any, value: Any, *, fields: FieldNames | None = None
    ) -> None:
        """``z.blocks[selection] = value``."""
        self._write(block_indexer, selection, value, fields, plain=False)

    # -- oindex, vindex, blocks -------------------------------------------------------
    @property
    def oindex(self) -> _Indexing:
        """Orthogonal indexing."""
        return _Indexing(self.get_orthogonal_selection, self.set_orthogonal_selection)

    @property
    def vindex(self) -> _Indexing:
        """Vectorized (coordinate or mask) indexing."""
        return _Indexing(self._get_vindex, self._set_vindex)

    @property
    def blocks(self) -> _Indexing:
        """Block (chunk) indexing."""
        return _Indexing(self.get_block_selection, self.set_block_selection)

    def _get_vindex(self, selection: Any, *, fields: FieldNames | None = None) -> Any:
        if _is_mask(selection, self.shape):
            return self.get_mask_selection(_mask_of(selection), fields=fields)
        return self.get_coordinate_selection(selection, fields=fields)

    def _set_vindex(self, selection: Any, value: Any, *, fields: FieldNames | None = None) -> None:
        if _is_mask(selection, self.shape):
            self.set_mask_selection(_mask_of(selection), value, fields=fields)
        else:
            self.set_coordinate_selection(selection, value, fields=fields)


@dataclass(frozen=True)
class _Indexing:
    getter: Callable[..., Any]
    setter: Callable[..., None]

    def __getitem__(self, selection: Any) -> Any:
        fields, selection = pop_fields(selection)
        return self.getter(selection, fields=fields)

    def __setitem__(self, selection: Any, value: Any) -> None:
        fields, selection = pop_fields(selection)
        self.setter(selection, value, fields=fields)


def _is_mask(selection: Any, shape: tuple[int, ...]) -> bool:
    sel = selection[0] if isinstance(selection, tuple) and len(selection) == 1 else selection
    return (
        not isinstance(sel, tuple)
        and getattr(sel, "dtype", None) == np.bool_
        and np.shape(sel) == shape
    )


def _mask_of(selection: Any) -> Any:
    return selection[0] if isinstance(selection, tuple) else selection
