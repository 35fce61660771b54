"""Make ``import zarr`` (and every ``zarr.x.y``) import zarrdist (``zarrdist.x.y``).

Installed by the suite's root conftest when the target is zarrdist. Test files get
zarrdist only. A module or name zarrdist does not provide becomes a :class:`Missing`
placeholder, so that the file still collects and the tests that never touch it run on
zarrdist; a placeholder's attributes, calls and subscripts are placeholders, and
any use of a value (truth, iteration, len, !=, <, conversion to a number, an array
or a path, a ``with``) raises
:class:`NotProvided`, a BaseException (no ``except Exception`` or
``pytest.raises(Exception)`` in a test can swallow it). A test passes under zarrdist
only if every zarr name it used came from zarrdist.

The suite's infrastructure (``tests/conftest.py`` and ``zarr.testing``, the helpers
zarr-python ships) imports zarr-python internals that zarrdist does not mirror
(``zarr.core.dtype``, private parse functions, ...). For those importers only, a
module or name zarrdist lacks is taken from zarr-python itself, loaded as a separate
package ``_zarr_python`` (its source with ``zarr`` renamed) so the two never mix in
``sys.modules``. Every such fallback is recorded in ``FALLBACKS`` and reported.
"""

from __future__ import annotations

import builtins
import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

_TESTING = "zarr.testing"
PEER = "_zarr_python"
#: (importer file, module, name or None) for each fallback to zarr-python.
FALLBACKS: list[tuple[str, str, str | None]] = []
_IMPORT_LINE = re.compile(r"^(\s*)(from|import)\s+zarr(?=[\s.])", re.MULTILINE)


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


class NotProvided(BaseException):
    """A test used a zarr-python name that zarrdist does not provide."""


class Missing:
    """Placeholder for zarr-python's ``name``: any use raises :class:`NotProvided`."""

    def __init__(self, name: str) -> None:
        object.__setattr__(self, "_name", name)

    def _refuse(self, *args: Any, **kwargs: Any) -> Any:
        raise NotProvided(f"zarrdist provides no {object.__getattribute__(self, '_name')}")

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("_"):
            raise AttributeError(attr)  # introspection (pytest, inspect, hasattr)
        # ``cpu.Buffer`` at module level: another placeholder (refused when used).
        return Missing(f"{object.__getattribute__(self, '_name')}.{attr}")

    def __repr__(self) -> str:
        return f"<missing {object.__getattribute__(self, '_name')}>"

    def _typing(self, *args: Any) -> Missing:
        # Annotations (``ZDType[Any, Any]``, ``X | None``) are evaluated when a test
        # function is defined: still a placeholder, which fails on any real use.
        return self

    def __call__(self, *args: Any, **kwargs: Any) -> Missing:
        # Module-level calls (``@pytest.mark.parametrize("dtype", [UInt8()])``) give a
        # placeholder too, so the file collects; a test that uses it still fails.
        return Missing(f"{object.__getattribute__(self, '_name')}()")

    def __mro_entries__(self, bases: tuple[Any, ...]) -> tuple[type, ...]:
        # A test module's class on a missing base still defines; making one fails.
        return (_MissingBase,)

    __getitem__ = __or__ = __ror__ = _typing
    __iter__ = __len__ = __bool__ = _refuse
    __ne__ = __lt__ = __gt__ = __contains__ = __enter__ = __float__ = __int__ = _refuse
    __index__ = __array__ = __fspath__ = _refuse  # == stays identity: typing compares args
    __hash__ = object.__hash__


class _MissingBase:
    """Base of a class a test module derives from a missing zarr-python class."""

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        return Missing(f"{cls.__name__}() (on a base zarrdist does not provide)")

    def __class_getitem__(cls, item: Any) -> Any:
        return cls


def placeholder(name: str) -> Any:
    """What a test module gets for zarr-python's ``name`` that zarrdist lacks: a
    placeholder, or for an exception or warning class a fresh class of that kind (so
    ``pytest.raises``/``filterwarnings`` accept it; zarrdist never raises it)."""
    last = name.rsplit(".", 1)[-1]
    if last.endswith("Warning"):
        return type(last, (Warning,), {"__module__": "zarr_alias.missing"})
    if last.endswith(("Error", "Exception")):
        return type(last, (Exception,), {"__module__": "zarr_alias.missing"})
    return Missing(name)


def _missing_module(name: str) -> ModuleType:
    module = ModuleType(name)
    module.__getattr__ = lambda attr: placeholder(f"{name}.{attr}")  # type: ignore[method-assign]
    return module


class _PeerLoader(importlib.machinery.SourceFileLoader):
    """zarr-python's source, its ``zarr`` imports renamed to ``_zarr_python``."""

    def get_code(self, fullname: str) -> Any:
        # Never zarr-python's cached bytecode: it was compiled from the unrenamed source.
        path = self.get_filename(fullname)
        return self.source_to_code(self.get_data(path), path)

    def source_to_code(self, data: Any, path: Any, *, _optimize: int = -1) -> Any:  # type: ignore[override]
        text = data.decode() if isinstance(data, bytes) else data
        text = _IMPORT_LINE.sub(lambda m: f"{m.group(1)}{m.group(2)} {PEER}", text)
        # ``import _zarr_python.x`` binds ``_zarr_python``; the code still says ``zarr.x``.
        text = re.sub(
            rf"^(\s*)import {PEER}((?:\.\w+)*)\s*$",
            lambda m: f"{m.group(1)}import {PEER}{m.group(2)}; zarr = {PEER}",
            text,
            flags=re.MULTILINE,
        )
        return compile(text, path, "exec", dont_inherit=True, optimize=_optimize)


class _PeerFinder(importlib.abc.MetaPathFinder):
    """``_zarr_python[.rest]`` -> the installed zarr-python's files."""

    def __init__(self, real: Path) -> None:
        self._real = real

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        if fullname != PEER and not fullname.startswith(PEER + "."):
            return None
        parts = fullname.split(".")[1:]
        base = self._real.joinpath(*parts)
        if base.is_dir():
            origin, search = base / "__init__.py", [str(base)]
        else:
            origin, search = base.with_suffix(".py"), None
        if not origin.exists():
            return None
        loader = _PeerLoader(fullname, str(origin))
        return importlib.util.spec_from_file_location(
            fullname, origin, loader=loader, submodule_search_locations=search
        )


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


def _is_infrastructure(importer: str, real: Path) -> bool:
    return importer.endswith("conftest.py") or importer.startswith(str(real / "testing"))


def _with_fallback(module: ModuleType, peer_name: str, missing: list[str]) -> ModuleType:
    """A view of zarrdist's ``module`` that adds zarr-python's ``missing`` names."""
    view = ModuleType(module.__name__)
    view.__dict__.update(vars(module))
    peer = importlib.import_module(peer_name)
    for name in missing:
        if hasattr(peer, name):
            setattr(view, name, getattr(peer, name))
    return view


def install() -> None:
    """Alias ``zarr`` to zarrdist for every import from now on."""
    for name in [n for n in sys.modules if n == "zarr" or n.startswith("zarr.")]:
        del sys.modules[name]
    alias = ZarrAlias()
    sys.meta_path.insert(0, alias)
    sys.meta_path.insert(0, _PeerFinder(alias._real))
    original = builtins.__import__

    def hooked(
        name: str, globals: Any = None, locals: Any = None, fromlist: Any = (), level: int = 0
    ) -> Any:
        importer = (globals or {}).get("__file__") or ""
        if level or not (name == "zarr" or name.startswith("zarr.")):
            return original(name, globals, locals, fromlist, level)
        if not _is_infrastructure(importer, alias._real):
            return _test_import(name, globals, locals, fromlist, level)
        peer_name = PEER + name[len("zarr") :]
        try:
            module = original(name, globals, locals, fromlist, level)
        except ImportError:
            FALLBACKS.append((importer, name, None))
            return original(peer_name, globals, locals, fromlist, level)
        if not fromlist:
            return module
        missing = [n for n in fromlist if n != "*" and not hasattr(module, n)]
        if not missing:
            return module
        FALLBACKS.extend((importer, name, n) for n in missing)
        return _with_fallback(module, peer_name, missing)

    def _test_import(name: str, globals: Any, locals: Any, fromlist: Any, level: int) -> Any:
        try:
            module = original(name, globals, locals, fromlist, level)
        except ModuleNotFoundError as exc:
            if not fromlist or not (exc.name or "").startswith("zarr"):
                raise
            return _missing_module(name)
        if not fromlist:
            return module
        missing = [n for n in fromlist if n != "*" and not hasattr(module, n)]
        if not missing:
            return module
        view = ModuleType(module.__name__)
        view.__dict__.update(vars(module))
        for n in missing:
            setattr(view, n, placeholder(f"{name}.{n}"))
        return view

    builtins.__import__ = hooked
