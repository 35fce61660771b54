"""zarrdist: Zarr v2 and v3 with zarr-python 3's API, every bulk operation a dask graph.

``import zarrdist as zarr`` runs code written for zarr-python 3's public API.
Public names are re-exported lazily (PEP 562), so ``import zarrdist.stores`` loads
neither dask nor the codecs.

zarr-python's ``zarr.array``, ``zarr.group`` and ``zarr.config`` are a function, a
function and the config object, while ``zarrdist.array``, ``zarrdist.group`` and
``zarrdist.config`` are also the names of modules here. Importing such a module
would normally rebind the package attribute to the module; the package's module
type below keeps the public function (or object) under that name instead.
``from zarrdist.api.arrays.array import Array`` and every other ``from`` import work as usual.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any

__version__ = "0.1.0"

__all__ = [
    "DEFAULT_FILL_VALUE",
    "Array",
    "ArrayMetadata",
    "AsyncArray",
    "AsyncGroup",
    "Group",
    "GroupMetadata",
    "__version__",
    "array",
    "codecs",
    "config",
    "consolidate_metadata",
    "copy",
    "copy_all",
    "copy_store",
    "create",
    "create_array",
    "create_group",
    "create_hierarchy",
    "dtype",
    "empty",
    "empty_like",
    "errors",
    "from_array",
    "from_dask",
    "full",
    "full_like",
    "group",
    "load",
    "ones",
    "ones_like",
    "open",
    "open_array",
    "open_consolidated",
    "open_group",
    "open_like",
    "print_debug_info",
    "save",
    "save_array",
    "save_group",
    "set_format",
    "set_log_level",
    "storage",
    "stores",
    "to_dask",
    "tree",
    "zeros",
    "zeros_like",
]

# module -> the public names it provides (an empty tuple: the module itself)
_SOURCES: dict[str, tuple[str, ...]] = {
    "zarrdist.config": ("config",),
    "zarrdist.api.arrays.array": ("Array",),
    "zarrdist.api.hierarchy.group": ("Group",),
    "zarrdist.api.aio": ("AsyncArray", "AsyncGroup"),
    "zarrdist.api.arrays.keywords": ("DEFAULT_FILL_VALUE",),
    "zarrdist.api.debug": ("print_debug_info", "set_format", "set_log_level"),
    "zarrdist.api.hierarchy.create": ("ArrayMetadata", "GroupMetadata"),
    "zarrdist.api.arrays.copy": ("copy", "copy_all", "copy_store"),
    "zarrdist.api": (
        "array", "create", "create_array", "empty", "empty_like", "from_array", "from_dask",
        "full", "full_like", "ones", "ones_like", "open_array", "open_like", "save_array",
        "to_dask", "zeros", "zeros_like",
    ),
    "zarrdist.api.hierarchy.group_functions": (
        "consolidate_metadata", "create_group", "create_hierarchy", "group", "load", "open",
        "open_consolidated", "open_group", "save", "save_group", "tree",
    ),
}  # fmt: skip
_MODULES = {"codecs", "dtype", "errors", "storage", "stores"}

# public name -> (module, attribute or None for the module itself)
_LAZY: dict[str, tuple[str, str | None]] = {
    name: (module, name) for module, names in _SOURCES.items() for name in names
}
_LAZY.update({name: (f"zarrdist.{name}", None) for name in _MODULES})

#: A name that is both a public object and a submodule: the object wins.
_SHADOWED = frozenset(("config",))


class _Package(types.ModuleType):
    """The zarrdist package: a submodule import never replaces a public object."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _SHADOWED and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


def __getattr__(name: str) -> Any:
    try:
        module_name, attribute = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'zarrdist' has no attribute {name!r}") from None
    module = importlib.import_module(module_name)
    value = module if attribute is None else getattr(module, attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
