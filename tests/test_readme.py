"""The README's examples run as written.

Python blocks run as scripts with ``python`` (twice: a second run must work too, so
examples overwrite what they write) and, all of them in order, as the cells of a
notebook. Shell blocks are checked by ``bash -n``; their ``zarrdist`` commands must
parse, their ``pip install`` extras must exist, and no other command may appear
unchecked.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from zarrdist.cli.main import _attach_signed_values, build_parser

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()
BLOCKS = re.findall(r"^```(\w*)\n(.*?)^```", README, flags=re.MULTILINE | re.DOTALL)
PYTHON = [code for lang, code in BLOCKS if lang == "python"]
BASH = [code for lang, code in BLOCKS if lang in ("bash", "sh", "shell")]


def test_the_readme_has_examples() -> None:
    assert len(PYTHON) >= 2
    assert len(BASH) >= 3
    assert {lang for lang, _ in BLOCKS} <= {"python", "bash", ""}


def _run_script(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, path.name],
        cwd=path.parent,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
        check=False,
    )


@pytest.mark.slow
@pytest.mark.parametrize("index", range(len(PYTHON)))
def test_python_example_runs_as_a_script_twice(index: int, tmp_path: Path) -> None:
    script = tmp_path / f"example_{index}.py"
    script.write_text(PYTHON[index])
    for attempt in ("first", "second"):
        result = _run_script(script)
        assert result.returncode == 0, f"{attempt} run:\n{result.stderr[-3000:]}"


@pytest.mark.slow
def test_python_examples_run_as_notebook_cells(tmp_path: Path) -> None:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in PYTHON])
    client = nbclient.NotebookClient(
        notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": tmp_path}}
    )
    client.execute()
    errors = [
        output
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if output.get("output_type") == "error"
    ]
    assert errors == []


def _commands(block: str) -> list[list[str]]:
    """Each command of a shell block as words (continuations joined, comments cut)."""
    text = block.replace("\\\n", " ")
    commands = []
    for line in text.splitlines():
        for part in line.split("&&"):
            words = shlex.split(part, comments=True)
            if words:
                commands.append(words)
    return commands


def _extras() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return set(project["optional-dependencies"])


@pytest.mark.parametrize("index", range(len(BASH)))
def test_shell_example_is_valid(index: int) -> None:
    block = BASH[index]
    subprocess.run(["bash", "-n"], input=block, text=True, check=True, timeout=30)
    parser = build_parser()
    for words in _commands(block):
        if words[0] == "zarrdist":
            # A bad option exits, failing the test.
            parser.parse_args(_attach_signed_values(words[1:]))
        elif words[:3] == ["pip", "install", "-e"]:
            extra = re.fullmatch(r"\.(?:\[(\w+)\])?", words[3])
            assert extra is not None, words
            assert extra.group(1) is None or extra.group(1) in _extras(), words
        elif words[:3] == ["python", "-m", "pytest"]:
            assert {"-n", "-q"} >= set(words[3:]) - {"2"}, words  # options CI has
        else:
            pytest.fail(f"the README runs a command this test does not check: {words}")
