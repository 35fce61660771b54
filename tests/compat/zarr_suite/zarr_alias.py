"""Make ``import zarr`` (and every ``zarr.x.y``) import zarrdist (``zarrdist.x.y``).

Installed by the suite's conftest when the target is zarrdist. ``zarr.testing`` (test
helpers shipped inside zarr-python, not API) is loaded from the installed zarr-python's
source files, its own ``zarr`` imports resolved to zarrdist like everything else.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

_TESTING = "zarr.testing"


def _real_zarr_dir() -> Path:
    spec = importlib.machinery.PathFinder.find_spec("zarr")
    assert spec is not None, "zarr-python is not installed"
    assert spec.origin is not None
    return Path(spec.origin).parent


class _Existing(importlib.abc.Loader):
    """A loader handing over an already imported zarrdist module."""

    def __init__(self, module: ModuleType) -> None:
        self._module = module
        self._spec = module.__spec__

    def create_module(self, spec: Any) -> ModuleType:
        return self._module

    def exec_module(self, module: ModuleType) -> None:
        module.__spec__ = self._spec  # the import system overwrote it with the alias's


class ZarrAlias(importlib.abc.MetaPathFinder):
    """``zarr[.rest]`` -> ``zarrdist[.rest]``; ``zarr.testing[.rest]`` -> zarr-python's file."""

    def __init__(self) -> None:
        self._real = _real_zarr_dir()

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        if fullname != "zarr" and not fullname.startswith("zarr."):
            return None
        if fullname == _TESTING or fullname.startswith(_TESTING + "."):
            parent = self._real.joinpath(*fullname.split(".")[1:-1])
            return importlib.machinery.PathFinder.find_spec(fullname, [str(parent)])
        target_name = "zarrdist" + fullname[len("zarr") :]
        try:
            module = importlib.import_module(target_name)
        except ModuleNotFoundError as exc:
            if exc.name != target_name:
                raise
            raise ModuleNotFoundError(
                f"zarrdist provides no {target_name} (for {fullname})", name=fullname
            ) from None
        return importlib.util.spec_from_loader(fullname, _Existing(module))


def install() -> None:
    """Alias ``zarr`` to zarrdist for every import from now on."""
    for name in [n for n in sys.modules if n == "zarr" or n.startswith("zarr.")]:
        del sys.modules[name]
    sys.meta_path.insert(0, ZarrAlias())
