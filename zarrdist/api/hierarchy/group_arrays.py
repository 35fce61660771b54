"""Group's array helpers besides ``create_array``: zarr-python's ``empty``, ``zeros``,
``ones``, ``full``, their ``*_like``, ``require_array`` and the h5py spellings.

They create arrays in the group's own Zarr format (zarr-python's helpers would
use the default format, mixing formats in one hierarchy) with the top-level
functions' defaults.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from zarrdist.api.arrays.array import Array
from zarrdist.api.arrays.create import create_keywords
from zarrdist.api.arrays.from_source import like_keywords
from zarrdist.api.arrays.keyword_warnings import warn_compressor_v3, warn_group_method_deprecated
from zarrdist.api.arrays.keywords import DEFAULT_FILL_VALUE

__all__ = ["GroupArrayMethods"]


class GroupArrayMethods:
    """Mixed into :class:`zarrdist.Group`."""

    if TYPE_CHECKING:

        @property
        def zarr_format(self) -> int:
            """2 or 3."""

        def get(self, key: str, default: Any = None) -> Any:
            """The member at ``key``, or ``default``."""

        def create_array(self, name: str, **kwargs: Any) -> Array:
            """Create a member array."""

        def _new_array(self, name: str, **kwargs: Any) -> Array:
            """Create a member array from ``create_array`` keywords, as given."""

    def create(self, name: str, **kwargs: Any) -> Array:
        """Alias of :meth:`create_array`."""
        return self.create_array(name, **kwargs)

    def create_dataset(self, name: str, **kwargs: Any) -> Array:
        """h5py's name for :meth:`create_array` (``data=`` is written); deprecated, with
        zarr-python's ZarrDeprecationWarning."""
        warn_group_method_deprecated("create_dataset")
        return self.create_array(name, **kwargs)

    def array(self, name: str, data: Any = None, **kwargs: Any) -> Array:
        """Create a member array holding ``data`` (zarr-python 2's spelling; as there,
        uncompressed unless ``compressor``/``compressors`` say otherwise); deprecated,
        with zarr-python's ZarrDeprecationWarning."""
        warn_group_method_deprecated("array")
        if "compressors" not in kwargs:
            # zarr-python's Group.array reads its compressor (None by default) as the
            # deprecated keyword, and so warns in either format.
            compressor = kwargs.pop("compressor", None)
            if compressor != "auto":
                warn_compressor_v3(stacklevel=3)
                compressor = None if compressor is None else [compressor]
            kwargs["compressors"] = compressor
        return self.create_array(name, data=data, **kwargs)

    def require_array(
        self, name: str, *, shape: Any, dtype: Any = None, exact: bool = False, **kwargs: Any
    ) -> Array:
        """The member array ``name``, created if missing; an existing one must match.

        Raises
        ------
        TypeError
            If a group exists there, or the existing array's shape or dtype differ.
        """
        node = self.get(name)
        if node is None:
            return self.create_array(name, shape=shape, dtype=dtype, **kwargs)
        if not isinstance(node, Array):
            raise TypeError(f"Incompatible object ({type(node).__name__}) already exists")
        wanted = (shape,) if isinstance(shape, int) else tuple(shape)
        if node.shape != wanted:
            raise TypeError(f"Incompatible shape ({node.shape} vs {wanted})")
        if dtype is not None:
            ok = node.dtype == np.dtype(dtype) if exact else np.can_cast(node.dtype, dtype)
            if not ok:
                raise TypeError(f"Incompatible dtype ({node.dtype} vs {np.dtype(dtype)})")
        return node

    def require_dataset(self, name: str, *, shape: Any, **kwargs: Any) -> Array:
        """h5py's name for :meth:`require_array`."""
        return self.require_array(name, shape=shape, **kwargs)

    def _create_filled(self, name: str, shape: Any, fill: Any, **kwargs: Any) -> Array:
        overwrite = bool(kwargs.pop("overwrite", False))
        keywords = create_keywords(**{**kwargs, "fill_value": fill})
        keywords["zarr_format"] = keywords["zarr_format"] or self.zarr_format
        return self._new_array(name, shape=shape, overwrite=overwrite, **keywords)

    def empty(self, *, name: str, shape: Any, **kwargs: Any) -> Array:
        """Create a member array with no values written."""
        fill = kwargs.pop("fill_value", DEFAULT_FILL_VALUE)
        return self._create_filled(name, shape, fill, **kwargs)

    def zeros(self, *, name: str, shape: Any, **kwargs: Any) -> Array:
        """Create a member array of zeros."""
        return self._create_filled(name, shape, 0, **kwargs)

    def ones(self, *, name: str, shape: Any, **kwargs: Any) -> Array:
        """Create a member array of ones."""
        return self._create_filled(name, shape, 1, **kwargs)

    def full(self, *, name: str, shape: Any, fill_value: Any, **kwargs: Any) -> Array:
        """Create a member array filled with ``fill_value``."""
        return self._create_filled(name, shape, fill_value, **kwargs)

    def _like(self, name: str, data: Any, fill: Any, kwargs: dict[str, Any]) -> Array:
        merged = {**like_keywords(data, kwargs.get("zarr_format") or self.zarr_format), **kwargs}
        shape = merged.pop("shape")
        chosen = merged.pop("fill_value", DEFAULT_FILL_VALUE)
        return self._create_filled(name, shape, chosen if fill is None else fill, **merged)

    def empty_like(self, *, name: str, data: Any, **kwargs: Any) -> Array:
        """Create a member array shaped (and, for a Zarr array, encoded) like ``data``."""
        return self._like(name, data, None, kwargs)

    def zeros_like(self, *, name: str, data: Any, **kwargs: Any) -> Array:
        """Create a member array of zeros shaped like ``data``."""
        return self._like(name, data, 0, kwargs)

    def ones_like(self, *, name: str, data: Any, **kwargs: Any) -> Array:
        """Create a member array of ones shaped like ``data``."""
        return self._like(name, data, 1, kwargs)

    def full_like(self, *, name: str, data: Any, **kwargs: Any) -> Array:
        """Create a member array shaped like ``data``, filled with ``fill_value`` (default:
        ``data``'s own fill value)."""
        return self._like(name, data, None, kwargs)
