"""The house rules: layers import one way, modules stay small, no stray top-level packages."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORE = (
    "config",
    "dtypes",
    "buffers",
    "indexing",
    "chunking",
    "chunkio",
    "chunkread",
    "readpieces",
    "placement",
    "metadata",
    "codecs",
    "rechunk_plan",
    "unitgrid",
)
MAX_LINES = 600
# Modules allowed past MAX_LINES; this list is expected to shrink, never grow.
SIZE_ALLOWLIST: set[str] = set()


def _modules() -> list[tuple[str, Path]]:
    out = []
    for folder, package in (
        ("zarrdist", "zarrdist"),
        ("graphs", "zarrdist.graphs"),
        ("stores", "zarrdist.stores"),
    ):
        for path in sorted((ROOT / folder).rglob("*.py")):
            rel = path.relative_to(ROOT / folder).with_suffix("")
            parts = [p for p in rel.parts if p != "__init__"]
            out.append((".".join([package, *parts]), path))
    return out


def _layer(module: str) -> str:
    parts = module.split(".")
    if parts[0] != "zarrdist":
        return "external"
    if len(parts) == 1:
        return "api"
    if parts[1] == "errors":
        return "errors"
    if parts[1] == "stores":
        return "stores"
    if parts[1] == "graphs":
        return "graphs"
    if parts[1] in CORE:
        return "core"
    return "api"


def _imports(path: Path, module: str) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                raise AssertionError(f"{path}: relative import (use absolute imports)")
            assert node.module is not None
            names.add(node.module)
            names.update(
                f"{node.module}.{alias.name}" for alias in node.names if node.module == "zarrdist"
            )
    return names


ALLOWED = {
    "errors": {"errors"},
    "stores": {"errors", "stores"},
    "core": {"errors", "stores", "core"},
    "graphs": {"errors", "stores", "core", "graphs"},
    "api": {"errors", "stores", "core", "graphs", "api"},
}
DASK_LAYERS = {"graphs", "api"}


@pytest.mark.parametrize(("module", "path"), _modules(), ids=lambda v: str(v))
def test_imports_point_down(module: str, path: Path) -> None:
    layer = _layer(module)
    for name in _imports(path, module):
        top = name.split(".")[0]
        if top in ("dask", "distributed"):
            assert layer in DASK_LAYERS, f"{module} ({layer}) imports {name}"
        if layer == "stores" and top == "numcodecs":
            raise AssertionError(f"{module} (stores) imports {name}")
        target = _layer(name)
        if target == "external":
            continue
        if name == "zarrdist" and layer != "api":
            raise AssertionError(f"{module} ({layer}) imports the zarrdist root")
        assert target in ALLOWED[layer], f"{module} ({layer}) imports {name} ({target})"


@pytest.mark.parametrize(("module", "path"), _modules(), ids=lambda v: str(v))
def test_module_size(module: str, path: Path) -> None:
    lines = len(path.read_text().splitlines())
    if module in SIZE_ALLOWLIST:
        return
    assert lines <= MAX_LINES, f"{module} has {lines} lines; split it along a seam"


def test_core_and_stores_load_no_dask() -> None:
    code = (
        "import sys, zarrdist, zarrdist.stores, zarrdist.codecs\n"
        "import zarrdist.config, zarrdist.errors\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in {'dask', 'distributed'})\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd="/")


def test_top_level_stores_and_graphs_are_not_importable() -> None:
    for name in ("stores", "graphs"):
        result = subprocess.run(
            [sys.executable, "-c", f"import {name}"],
            check=False,
            cwd="/",
            capture_output=True,
            text=True,
        )
        assert result.returncode != 0
        assert "ModuleNotFoundError" in result.stderr or "ImportError" in result.stderr


def test_ruff_clean() -> None:
    """The lint rules of pyproject.toml hold for the whole repository."""
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", str(ROOT)],
        check=False,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_built_wheel_installs_the_three_folders_as_one_package(tmp_path: Path) -> None:
    """A real wheel (not only the editable install) maps graphs/ and stores/ into zarrdist."""
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("zarrdist-*.whl")
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    code = (
        "import zarrdist, zarrdist.stores, zarrdist.graphs.read, zarrdist.codecs.sharding\n"
        f"assert zarrdist.__file__.startswith({str(target)!r}), zarrdist.__file__\n"
        "from zarrdist.stores import LocalStore\n"
        "import importlib.util\n"
        "assert importlib.util.find_spec('stores') is None\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", f"import sys; sys.path.insert(0, {str(target)!r})\n" + code],
        check=False,
        capture_output=True,
        text=True,
        cwd="/",
    )
    assert result.returncode == 0, result.stderr
