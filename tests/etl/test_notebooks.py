"""Every notebook in notebooks/ runs top to bottom (small sizes, a real kernel), imports
only what zarrdist with the ``notebooks`` extra installs, and only zarrdist's public API.

A fresh virtual environment per CI run, made from the extra alone, would cost minutes;
instead every import of every notebook is traced to the distribution that provides it
(``importlib.metadata``) and that distribution must be among zarrdist's requirements
with the ``notebooks`` extra, followed through their own requirements.
"""

from __future__ import annotations

import ast
import json
import re
import sys
from importlib import metadata
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb"))
#: Extras a notebook may rely on beyond ``notebooks`` (04 reads on a GPU).
EXTRA_EXTRAS = {"04_gpu": ("gpu",)}

pytestmark = pytest.mark.slow


def test_notebooks_are_found() -> None:
    names = {p.name for p in NOTEBOOKS}
    assert {
        "01_quickstart.ipynb",
        "02_dask_dashboard.ipynb",
        "03_distributed_etl.ipynb",
        "04_gpu.ipynb",
        "05_xarray.ipynb",
    } <= names


def _imports(path: Path) -> set[tuple[str, str]]:
    """(module, imported name) for every import in the notebook's code cells."""
    found: set[tuple[str, str]] = set()
    for cell in json.loads(path.read_text())["cells"]:
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        source = "\n".join(l for l in source.splitlines() if not l.lstrip().startswith(("%", "!")))
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Import):
                found.update((alias.name, "") for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found.update((node.module, alias.name) for alias in node.names)
    return found


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirement_names(requirements: list[str], extras: tuple[str, ...]) -> set[str]:
    from packaging.requirements import Requirement

    names = set()
    for text in requirements:
        requirement = Requirement(text)
        marker = requirement.marker
        if marker is None or any(marker.evaluate({"extra": e}) for e in ("", *extras)):
            names.add(_normal(requirement.name))
    return names


def _provided(extras: tuple[str, ...]) -> set[str]:
    """zarrdist's distributions with ``extras``, and everything they require, installed."""
    todo = _requirement_names(metadata.requires("zarrdist") or [], extras)
    seen: set[str] = set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            todo |= _requirement_names(metadata.requires(name) or [], ()) - seen
        except metadata.PackageNotFoundError:
            continue  # an optional dependency not installed here (cupy without a GPU)
    return seen


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_imports_come_with_the_notebooks_extra(path: Path) -> None:
    provided = _provided(("notebooks", *EXTRA_EXTRAS.get(path.stem, ())))
    distributions = metadata.packages_distributions()
    for module, _name in _imports(path):
        top = module.split(".")[0]
        if top in sys.stdlib_module_names or top == "zarrdist":
            continue
        owners = {_normal(d) for d in distributions.get(top, [])}
        # Not installed here (cupy without a GPU): a requirement named after it will do.
        named = any(p == _normal(top) or p.startswith(_normal(top) + "-") for p in provided)
        assert owners & provided or (not owners and named), (
            f"{path.name} imports {module}, which the notebooks extra lacks"
        )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebooks_use_the_public_api(path: Path) -> None:
    for module, name in _imports(path):
        private = [p for p in [*module.split("."), name] if p.startswith("_")]
        assert not private, f"{path.name} imports {module}.{name}: not public API"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs(path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The kernel inherits TMPDIR: the notebooks' scratch stores land in tmp_path.
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    notebook = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        notebook, timeout=240, kernel_name="python3", resources={"metadata": {"path": tmp_path}}
    )
    client.execute()
    errors = [
        output
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
        if output.get("output_type") == "error"
    ]
    assert errors == []
    # Every code cell ran, in order.
    counts = [c.execution_count for c in notebook.cells if c.cell_type == "code"]
    assert counts == list(range(1, len(counts) + 1))
