"""Print what the golden-store tests prove: a format x dtype x codec matrix.

Usage::

    python -m tests.interop.matrix            # from the tests that exist
    python -m tests.interop.matrix --run      # run them first; only passes count

Each row is a (format, data type, codec chain) that some golden case has. The
columns say, per direction and peer, whether a zarrdist test proves it:

``read zp`` / ``read ts``
    zarrdist reads a store zarr-python / TensorStore wrote, equal to the recipe
    (``test_zarrdist_reads``).
``bytes``
    zarrdist, writing the same case, writes the golden bytes (``test_zarrdist_writes``):
    ``=`` byte for byte (gzip mtime and the ``S`` fill padding aside), ``~`` equal
    to zarr-python's own write, with TensorStore's shard layout / zlib build allowed
    for (the golden bytes of that row differ from zarr-python's too).
``zp reads`` / ``ts reads``
    zarr-python / TensorStore reads zarrdist's store equal to the recipe
    (``test_zarrdist_writes``).

``✓`` proven, ``✗`` a test that failed (``--run``), ``-`` the peer cannot read
that case even from its own or the other peer's store (see the manifest), blank:
no golden case of that writer.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from tests.interop._cases import Case, cases

__all__ = ["codec_label", "dtype_label", "main", "matrix_rows", "render", "params_of"]

TEST_FILE = Path(__file__).with_name("test_golden_zarrdist.py")
READ_TEST = "test_zarrdist_reads"
WRITE_TEST = "test_zarrdist_writes"
COLUMNS = ("read zp", "read ts", "bytes", "zp reads", "ts reads")


def dtype_label(case: Case) -> str:
    """A short name for the case's data type as its metadata spells it."""
    dtype = case.dtype
    if isinstance(dtype, dict):
        conf = dtype.get("configuration", {})
        detail = ",".join(str(v) for v in conf.values())
        return f"{dtype['name']}({detail})" if detail else dtype["name"]
    if isinstance(dtype, list):
        return "[" + ",".join(f"{name}:{sub}" for name, sub in dtype) + "]"
    return str(dtype)


def _v3_chain(codecs: list[dict[str, Any]]) -> str:
    parts = []
    for codec in codecs:
        conf = codec.get("configuration", {})
        if codec["name"] == "sharding_indexed":
            where = conf.get("index_location", "end")
            parts.append(f"sharding[{_v3_chain(conf['codecs'])}; index {where}]")
        elif codec["name"] == "bytes" and conf.get("endian") == "big":
            parts.append("bytes(big)")
        else:
            parts.append(codec["name"])
    return " > ".join(parts)


def codec_label(case: Case) -> str:
    """The codec chain by codec names (v2: filters, then the compressor)."""
    doc = case.metadata_document()
    if case.zarr_format == 3:
        return _v3_chain(doc["codecs"])
    names = [f["id"] for f in doc.get("filters") or ()]
    names.append(doc["compressor"]["id"] if doc.get("compressor") else "no compressor")
    order = " (order F)" if doc.get("order") == "F" else ""
    return " > ".join(names) + order


def params_of(test_name: str) -> set[str]:
    """The case names a test in ``test_golden_zarrdist.py`` is parametrised over."""
    from tests.interop import test_golden_zarrdist as module

    function = getattr(module, test_name)
    names: set[str] = set()
    for mark in getattr(function, "pytestmark", ()):
        if mark.name == "parametrize" and mark.args[0] == "case":
            names.update(c.name for c in mark.args[1])
    return names


def _passed_from_junit(path: Path) -> dict[str, bool]:
    """``"test_name[case]"`` -> whether it passed, from a pytest JUnit XML report."""
    out = {}
    for testcase in ET.parse(path).getroot().iter("testcase"):
        failed = any(child.tag in ("failure", "error", "skipped") for child in testcase)
        out[testcase.get("name", "")] = not failed
    return out


def _mark(proven: Iterable[bool | None]) -> str:
    values = [v for v in proven if v is not None]
    if not values:
        return ""
    return "✓" if all(values) else "✗"


def matrix_rows(results: dict[str, bool] | None = None) -> list[tuple[str, ...]]:
    """One row per (format, dtype, codecs): ``(fmt, dtype, codecs, *COLUMNS marks)``."""
    from tests.interop.test_golden_zarrdist import TENSORSTORE_FRAMING

    reads, writes = params_of(READ_TEST), params_of(WRITE_TEST)

    def ok(test: str, case: Case, exists: set[str]) -> bool | None:
        if case.name not in exists:
            return None
        return True if results is None else results.get(f"{test}[{case.name}]", False)

    groups: dict[tuple[str, str, str], list[Case]] = {}
    for case in cases():
        key = (f"v{case.zarr_format}", dtype_label(case), codec_label(case))
        groups.setdefault(key, []).append(case)
    rows = []
    for key, members in sorted(groups.items()):
        marks = []
        for writer in ("zarr_python", "tensorstore"):
            marks.append(_mark(ok(READ_TEST, c, reads) for c in members if c.writer == writer))
        exact = not any(c.name in TENSORSTORE_FRAMING for c in members)
        written = _mark(ok(WRITE_TEST, c, writes) for c in members)
        marks.append(written.replace("✓", "=" if exact else "~"))
        for peer in ("zarr_python", "tensorstore"):
            readable = [c for c in members if c.peer_reads(peer)]
            marks.append(_mark(ok(WRITE_TEST, c, writes) for c in readable) if readable else "-")
        rows.append((*key, *marks))
    return rows


def render(rows: list[tuple[str, ...]]) -> str:
    """A Markdown table of :func:`matrix_rows`."""
    header = ("fmt", "dtype", "codecs", *COLUMNS)
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    # A "|" inside a cell (the v2 dtype "|O") would end the cell.
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def _run_tests() -> dict[str, bool]:
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "junit.xml"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                str(TEST_FILE),
                "-q",
                f"--junitxml={report}",
                "-k",
                f"{READ_TEST} or {WRITE_TEST}",
            ],
            check=False,
            stdout=subprocess.DEVNULL,
        )
        return _passed_from_junit(report)


def main(argv: list[str] | None = None) -> None:
    """Print the matrix (``--run``: run the tests first and count only passes)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", action="store_true", help="run the tests; count passes only")
    args = parser.parse_args(argv)
    rows = matrix_rows(_run_tests() if args.run else None)
    print(render(rows))
    proven = sum(1 for row in rows if "✗" not in row)
    print(f"\n{len(rows)} rows from {len(cases())} golden cases; {proven} rows without a failure")


if __name__ == "__main__":
    main()
