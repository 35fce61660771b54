"""Run zarr-python 3.1.5's own test suite against zarrdist (and against zarr-python).

One command::

    python tests/compat/zarr_suite/run.py            # both targets, every test file
    python tests/compat/zarr_suite/run.py --target zarrdist tests/test_api.py

The suite is not copied into this repository: it is extracted (``git archive``) from a
zarr-python checkout, by default the snapshot the ``fetch`` tool leaves under
``/work/.mirror`` (``--repo`` or ``ZARR_PYTHON_REPO`` to point elsewhere), into
``tests/compat/zarr_suite/.cache/`` (git-ignored). Under the ``zarrdist`` target a root
conftest maps ``zarr`` and every ``zarr.x.y`` onto ``zarrdist`` (see ``zarr_alias.py``).

Each file runs in its own pytest process with a JUnit report; the summary gives, per
file, how many tests pass on zarr-python, how many of those pass on zarrdist, and the
most common first lines of the failures. This is a measurement, not part of CI's run.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

HERE = Path(__file__).resolve().parent
CACHE = HERE / ".cache"
DEFAULT_REPO = "/work/.mirror/zarr-developers+zarr-python/repo"
TAG = "v3.1.5"


def extract(repo: str) -> Path:
    """The suite of ``TAG`` under CACHE (extracted once), with the alias conftest."""
    root = CACHE / TAG
    if not (root / "tests").is_dir():
        root.mkdir(parents=True, exist_ok=True)
        git = (
            ["git", f"--git-dir={repo}"] if not Path(repo, ".git").exists() else ["git", "-C", repo]
        )
        archive = subprocess.run(
            [*git, "archive", TAG, "tests", "pyproject.toml"], check=True, capture_output=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(root)], input=archive, check=True)
    shutil.copy(HERE / "conftest_root.py", root / "conftest.py")
    return root


def test_files(root: Path, wanted: list[str]) -> list[str]:
    """Test files relative to root (``wanted`` or every ``test_*.py``)."""
    if wanted:
        return wanted
    return sorted(str(p.relative_to(root)) for p in (root / "tests").rglob("test_*.py"))


def run_file(root: Path, target: str, rel: str, timeout: int, file_timeout: int = 900) -> Path:
    """Run one file under ``target``; returns its JUnit report."""
    report = CACHE / "reports" / target / (rel.replace("/", "__") + ".xml")
    report.parent.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "ZARR_SUITE_TARGET": target, "ZARR_SUITE_HARNESS": str(HERE)}
    cmd = [
        sys.executable, "-m", "pytest", rel, "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
        "-o", "addopts=", f"--timeout={timeout}", f"--junitxml={report}",
        "--continue-on-collection-errors",
    ]  # fmt: skip
    try:
        subprocess.run(
            cmd, cwd=root, env=env, capture_output=True, check=False, timeout=file_timeout
        )
    except subprocess.TimeoutExpired:
        print(f"{rel} on {target}: stopped after {file_timeout} s", file=sys.stderr)
    return report


# A parametrize id that prints a class names its module, which differs between the two
# packages (``zarr.core.dtype.npy.bool.Bool`` / ``zarrdist.dtype._numeric.Bool``): ids
# are compared with the class's own name only.
_CLASS_IN_ID = re.compile(r"<class '(?:[\w]+\.)*(\w+)'>")


def outcomes(report: Path) -> dict[str, tuple[str, str]]:
    """test id -> (outcome, first line of its failure) from a JUnit report."""
    out: dict[str, tuple[str, str]] = {}
    if not report.exists():
        return out
    for case in ET.parse(report).getroot().iter("testcase"):
        name = _CLASS_IN_ID.sub(r"<class \1>", f"{case.get('classname')}::{case.get('name')}")
        status, message = "passed", ""
        for tag in ("failure", "error", "skipped"):
            node = case.find(tag)
            if node is not None:
                status = tag
                message = (node.get("message") or node.text or "").strip().splitlines()
                message = message[0][:160] if message else ""
                break
        out[name] = (status, message)
    return out


def _import_failure(reason: str) -> bool:
    """Whether a failure's first line says the test used a zarr-python name zarrdist
    lacks (a placeholder refused it) or its file or class did not collect."""
    return "NotProvided" in reason or "not collected" in reason


def summarize(files: list[str]) -> dict[str, dict[str, object]]:
    """Per file: passed on zarr-python, of those passed on zarrdist, top reasons."""
    table: dict[str, dict[str, object]] = {}
    for rel in files:
        name = rel.replace("/", "__") + ".xml"
        peer = outcomes(CACHE / "reports" / "zarr-python" / name)
        ours = outcomes(CACHE / "reports" / "zarrdist" / name)
        passing = [t for t, (s, _) in peer.items() if s == "passed"]
        both = [t for t in passing if ours.get(t, ("missing", ""))[0] == "passed"]
        reasons = collections.Counter(
            ours.get(t, ("missing", "not collected (import or collection error)"))[1] or "?"
            for t in passing
            if t not in both
        )
        if not ours and passing:
            reasons = collections.Counter({"file not collected (import error)": len(passing)})
        table[rel] = {
            "zarr_python_passed": len(passing),
            "zarrdist_passed": len(both),
            "not_provided": sum(n for r, n in reasons.items() if _import_failure(r)),
            "reasons": reasons.most_common(5),
        }
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", help="test files relative to the suite root")
    parser.add_argument("--target", choices=("both", "zarrdist", "zarr-python"), default="both")
    parser.add_argument("--repo", default=os.environ.get("ZARR_PYTHON_REPO", DEFAULT_REPO))
    parser.add_argument("--timeout", type=int, default=60, help="seconds per test")
    parser.add_argument("--file-timeout", type=int, default=900, help="seconds per file")
    parser.add_argument("--summary-only", action="store_true")
    args = parser.parse_args()
    root = extract(args.repo)
    files = test_files(root, args.files)
    targets = ["zarr-python", "zarrdist"] if args.target == "both" else [args.target]
    if not args.summary_only:
        for rel in files:
            for target in targets:
                run_file(root, target, rel, args.timeout, args.file_timeout)
                print(f"ran {rel} on {target}", file=sys.stderr, flush=True)
    table = summarize(files)
    total_peer = sum(int(r["zarr_python_passed"]) for r in table.values())  # type: ignore[call-overload]
    total_ours = sum(int(r["zarrdist_passed"]) for r in table.values())  # type: ignore[call-overload]
    for rel, row in table.items():
        print(f"{rel}: {row['zarrdist_passed']}/{row['zarr_python_passed']}")
        for reason, count in row["reasons"]:  # type: ignore[attr-defined]
            print(f"    {count:5d}  {reason}")
    print(f"TOTAL: {total_ours} of the {total_peer} tests passing on zarr-python pass on zarrdist")
    provided = total_peer - sum(int(r["not_provided"]) for r in table.values())  # type: ignore[call-overload]
    print(
        f"IMPORTS PROVIDED: {total_ours} of the {provided} tests whose zarr-python names "
        f"zarrdist provides ({100 * total_ours / max(provided, 1):.1f}%)"
    )
    (CACHE / "summary.json").write_text(json.dumps(table, indent=1, default=list))


if __name__ == "__main__":
    main()
