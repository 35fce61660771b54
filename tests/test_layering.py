"""The house rules: layers import one way, modules stay small, no stray top-level packages."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Every entry at the top of zarrdist/ (a folder or a module) and the layer it belongs
# to. A new entry must be placed here (test_every_top_level_entry_has_a_layer).
LAYERS = {
    "errors": "errors",
    "stores": "stores",
    # format core: no dask, nothing of the public API
    "config": "core",
    "dtype": "core",
    "metadata": "core",
    "codecs": "core",
    "chunking": "core",
    "chunkio": "core",
    "graphs": "graphs",
    # the public API (Array, Group, the top-level functions) and what it alone uses
    "api": "api",
    "storage": "api",
    "cli": "api",
    "__main__": "api",
    # zarr-python's module paths and faces over the public API (tests/compat/zarr_paths.py)
    "abc": "api",
    "core": "api",
    "buffer": "api",
    "registry": "api",
    "experimental": "api",
    # integrations at the edges: they use the public API; nothing in zarrdist imports them
    "xarray": "edge",
    "dask": "edge",
}
MAX_LINES = 600
# Modules allowed past MAX_LINES; this list is expected to shrink, never grow.
SIZE_ALLOWLIST: set[str] = set()
MAX_FUNCTION_LINES = 80
# Functions (module.qualname) allowed past MAX_FUNCTION_LINES, docstring included;
# this list is expected to shrink, never grow.
FUNCTION_ALLOWLIST: set[str] = {"zarrdist.codecs.sharding._plan.plan_shard_read"}


def _modules() -> list[tuple[str, Path]]:
    out = []
    for path in sorted((ROOT / "zarrdist").rglob("*.py")):
        rel = path.relative_to(ROOT).with_suffix("")
        parts = [p for p in rel.parts if p != "__init__"]
        out.append((".".join(parts), path))
    return out


def _layer(module: str) -> str:
    parts = module.split(".")
    if parts[0] != "zarrdist":
        return "external"
    if len(parts) == 1:
        return "api"
    # names imported from the root package (``from zarrdist import Array``) are API
    return LAYERS.get(parts[1], "api")


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
    "edge": {"errors", "stores", "core", "graphs", "api", "edge"},
}
DASK_LAYERS = {"graphs", "api", "edge"}


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
        if name == "zarrdist" and layer not in ("api", "edge"):
            raise AssertionError(f"{module} ({layer}) imports the zarrdist root")
        assert target in ALLOWED[layer], f"{module} ({layer}) imports {name} ({target})"


def test_every_top_level_entry_has_a_layer() -> None:
    entries = {
        p.stem
        for p in (ROOT / "zarrdist").iterdir()
        if (p.suffix == ".py" and p.stem != "__init__") or (p / "__init__.py").exists()
    }
    assert entries == set(LAYERS), sorted(entries ^ set(LAYERS))


# Integrations: nothing else in zarrdist imports them (and so ``import zarrdist`` loads
# no xarray). xarray/ and dask.py sit at the edge and call the public face and the
# graphs; graphs/icechunk.py uses only the stores and the cluster's client.
EDGES = ("zarrdist.xarray", "zarrdist.dask", "zarrdist.graphs.icechunk")
# The xarray writer writes its dask variables with zarrdist.dask.store.
EDGE_USES = {("zarrdist.xarray", "zarrdist.dask")}


def _edge(name: str) -> str | None:
    return next((e for e in EDGES if name == e or name.startswith(e + ".")), None)


@pytest.mark.parametrize(("module", "path"), _modules(), ids=lambda v: str(v))
def test_nothing_imports_the_integrations(module: str, path: Path) -> None:
    own = _edge(module)
    for name in _imports(path, module):
        edge = _edge(name)
        allowed = edge is None or edge == own or (own, edge) in EDGE_USES
        assert allowed, f"{module} imports the integration {name}"


@pytest.mark.parametrize(("module", "path"), _modules(), ids=lambda v: str(v))
def test_module_size(module: str, path: Path) -> None:
    lines = len(path.read_text().splitlines())
    if module in SIZE_ALLOWLIST:
        return
    assert lines <= MAX_LINES, f"{module} has {lines} lines; split it along a seam"


def _functions(tree: ast.AST, prefix: str = "") -> Iterator[tuple[str, ast.AST]]:
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            name = f"{prefix}{node.name}"
            if not isinstance(node, ast.ClassDef):
                yield name, node
            yield from _functions(node, f"{name}.")


@pytest.mark.parametrize(("module", "path"), _modules(), ids=lambda v: str(v))
def test_function_length(module: str, path: Path) -> None:
    """No function past MAX_FUNCTION_LINES lines: split it into named steps."""
    for name, node in _functions(ast.parse(path.read_text())):
        assert node.end_lineno is not None
        lines = node.end_lineno - node.lineno + 1
        if f"{module}.{name}" in FUNCTION_ALLOWLIST:
            continue
        assert lines <= MAX_FUNCTION_LINES, f"{module}.{name} has {lines} lines"


def test_function_allowlist_is_current() -> None:
    """Every allowlisted function exists and is still too long (else drop it)."""
    long = set()
    for module, path in _modules():
        for name, node in _functions(ast.parse(path.read_text())):
            assert node.end_lineno is not None
            if node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES:
                long.add(f"{module}.{name}")
    assert long >= FUNCTION_ALLOWLIST, sorted(FUNCTION_ALLOWLIST - long)


def _runtime_imports(path: Path) -> Iterator[tuple[str, str | None]]:
    """(module, name) of every import that runs: at the top or inside functions, but
    not under ``if TYPE_CHECKING:``."""

    def visit(node: ast.AST) -> Iterator[tuple[str, str | None]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and getattr(child.test, "id", None) == "TYPE_CHECKING":
                for stmt in child.orelse:
                    yield from visit(stmt)
                continue
            if isinstance(child, ast.Import):
                yield from ((alias.name, None) for alias in child.names)
            elif isinstance(child, ast.ImportFrom) and child.module:
                yield from ((child.module, alias.name) for alias in child.names)
            yield from visit(child)

    yield from visit(ast.parse(path.read_text()))


def _import_graph() -> dict[str, set[str]]:
    modules = dict(_modules())
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for module, path in modules.items():
        for target, name in _runtime_imports(path):
            if name is not None and f"{target}.{name}" in modules:
                target = f"{target}.{name}"  # ``from package import submodule``
            if target in modules and target != module:
                graph[module].add(target)
    return graph


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for target in sorted(graph[module]):
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == module:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return found


def test_no_import_circles() -> None:
    """No module reaches itself through imports, deferred ones (inside functions)
    included: a circle hidden behind a function-level import is still a circle."""
    assert _circles(_import_graph()) == []


def test_circle_finder_finds_circles() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _circles(graph) == [["a", "b", "c"]]


def test_cli_is_an_edge() -> None:
    """Nothing in zarrdist imports the command (zarrdist.cli) but the command itself
    and ``python -m zarrdist``."""
    graph = _import_graph()
    users = sorted(
        module
        for module, targets in graph.items()
        if not module.startswith("zarrdist.cli") and module != "zarrdist.__main__"
        if any(t.startswith("zarrdist.cli") for t in targets)
    )
    assert users == []


def test_no_private_names_across_modules() -> None:
    """No module imports another module's private (``_x``) names; a private module
    may be imported, and a package's modules may use its private modules' public names."""
    modules = dict(_modules())
    bad = []
    for module, path in modules.items():
        for target, name in _runtime_imports(path):
            if not target.startswith("zarrdist") or name is None or target == module:
                continue
            private = name.startswith("_") and not name.startswith("__")
            if private and f"{target}.{name}" not in modules:
                bad.append(f"{module} imports {name} from {target}")
    assert bad == []


def test_core_and_stores_load_no_dask() -> None:
    code = (
        "import sys, zarrdist, zarrdist.stores, zarrdist.codecs\n"
        "import zarrdist.config, zarrdist.errors\n"
        "heavy = {'dask', 'distributed', 'xarray'}\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in heavy)\n"
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
    """A real wheel (not only the editable install) holds every sub-package."""
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
        "import zarrdist.chunkio.read, zarrdist.api.hierarchy.edits, zarrdist.cli.main\n"
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
