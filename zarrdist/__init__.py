"""zarrdist: Zarr v2 and v3 with zarr-python 3's API, every bulk operation a dask graph.

Public names are re-exported lazily (PEP 562), so ``import zarrdist.stores`` loads
neither dask nor the codecs.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# public name -> (module, attribute or None for the module itself)
_LAZY: dict[str, tuple[str, str | None]] = {
    "config": ("zarrdist.config", "config"),
    "errors": ("zarrdist.errors", None),
    "codecs": ("zarrdist.codecs", None),
    "stores": ("zarrdist.stores", None),
    "storage": ("zarrdist.stores", None),
    "Array": ("zarrdist.array", "Array"),
    "create_array": ("zarrdist.api", "create_array"),
    "open_array": ("zarrdist.api", "open_array"),
    "from_dask": ("zarrdist.api", "from_dask"),
}

__all__ = ["__version__", "config", "errors", "codecs", "stores"]


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
