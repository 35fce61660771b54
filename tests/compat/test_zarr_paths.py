"""zarr-python's module paths: each listed one imports under zarrdist, holds only
zarrdist's own objects (defined in another module, never copies), and each name it
offers is one zarr-python 3.1.5 offers at the same path (so code importing it runs)."""

from __future__ import annotations

import ast
import importlib
import inspect
import subprocess
import sys
from pathlib import Path

import pytest

from tests.compat.zarr_paths import ZARR_PYTHON_PATHS

ROOT = Path(__file__).resolve().parents[2]
REEXPORT_ONLY = [
    m for m in ZARR_PYTHON_PATHS.values()
    if (m.split(".")[1:2] and m.split(".")[1] in {"abc", "core", "buffer", "experimental", "registry"})
    or m == "zarrdist.api.synchronous"
]  # fmt: skip


@pytest.mark.parametrize(("zarr_path", "module_name"), sorted(ZARR_PYTHON_PATHS.items()))
def test_path_imports_and_names_exist_in_zarr_python(zarr_path: str, module_name: str) -> None:
    ours = importlib.import_module(module_name)
    theirs = importlib.import_module(zarr_path)
    for name in getattr(ours, "__all__", []):
        if module_name in REEXPORT_ONLY:
            assert hasattr(theirs, name), f"{zarr_path} has no {name}"
        assert getattr(ours, name) is not None


@pytest.mark.parametrize("module_name", sorted(REEXPORT_ONLY))
def test_reexport_modules_define_nothing(module_name: str) -> None:
    module = importlib.import_module(module_name)
    tree = ast.parse(Path(inspect.getfile(module)).read_text())
    for node in tree.body:
        assert isinstance(node, (ast.ImportFrom, ast.Import, ast.Expr, ast.Assign)), (
            f"{module_name} defines something: {ast.dump(node)[:80]}"
        )
        if isinstance(node, ast.Assign):
            assert [t.id for t in node.targets if isinstance(t, ast.Name)] == ["__all__"]
    for name in getattr(module, "__all__", []):
        obj = getattr(module, name)
        assert getattr(obj, "__module__", "zarrdist.x") != module_name


def test_zarr_python_code_runs_under_the_alias(tmp_path: Path) -> None:
    """The reference documents' create_hierarchy example, as a user would run it with
    ``zarr`` mapped to zarrdist (the suite harness's alias)."""
    script = (
        "import sys\n"
        f"sys.path.insert(0, {str(ROOT / 'tests/compat/zarr_suite')!r})\n"
        "import zarr_alias; zarr_alias.install()\n"
        "import zarr\n"
        "from zarr.core.group import GroupMetadata\n"
        "from zarr.core.array import Array\n"
        "from zarr.abc.store import Store\n"
        "import zarr.api.asynchronous as za\n"
        "store = zarr.storage.MemoryStore()\n"
        "nodes = {'': GroupMetadata(attributes={'a': 1}), 'b': GroupMetadata()}\n"
        "print(sorted(p for p, _ in zarr.create_hierarchy(store=store, nodes=nodes)))\n"
        "print(zarr.__name__, isinstance(store, Store), Array.__module__)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], check=True, capture_output=True, text=True
    ).stdout
    assert out.splitlines() == ["['', 'b']", "zarrdist True zarrdist.api.arrays.array"]
