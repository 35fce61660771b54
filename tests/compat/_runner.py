"""Run the compatibility corpus under one implementation: zarr-python or zarrdist.

    python tests/compat/_runner.py {zarr,zarrdist} run  PROGRAMS_DIR OUT_DIR RESULT_JSON
    python tests/compat/_runner.py {zarr,zarrdist} dump OUT_DIR RESULT_JSON

``run`` executes every program (each in its own working directory under
OUT_DIR/<program>) and records what it printed. Under ``zarrdist`` every module
``zarr.x`` is zarrdist's ``zarrdist.x`` (``zarr.api.asynchronous``, ``zarr.core.group``
...), so the programs' own ``import zarr`` lines pick zarrdist up unchanged. ``dump`` opens every store the programs wrote and prints a canonical
description of it (nodes, metadata that matters, attributes, data), so stores
written by one implementation can be compared as read by the other.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import runpy
import sys
import traceback
from pathlib import Path
from typing import Any

import numpy as np


def _use(impl: str) -> Any:
    if impl == "zarrdist":
        # Every ``zarr.x.y`` the programs import is zarrdist's ``zarrdist.x.y`` (the
        # zarr-python suite harness's import alias, without its test fallbacks).
        sys.path.insert(0, str(Path(__file__).parent / "zarr_suite"))
        from zarr_alias import ZarrAlias

        sys.meta_path.insert(0, ZarrAlias())
    import zarr

    return zarr


def _run(zarr: Any, programs: Path, out: Path) -> dict[str, str]:
    results = {}
    for program in sorted(programs.glob("p*.py")):
        workdir = out / program.stem
        workdir.mkdir(parents=True, exist_ok=True)
        zarr.config.reset()
        buffer = io.StringIO()
        cwd = os.getcwd()
        os.chdir(workdir)
        try:
            with contextlib.redirect_stdout(buffer):
                runpy.run_path(str(program), run_name="__main__")
        except Exception:  # noqa: BLE001 - a failing program is reported, not fatal
            buffer.write("FAILED: " + traceback.format_exc().strip().splitlines()[-1] + "\n")
        finally:
            os.chdir(cwd)
        results[program.stem] = buffer.getvalue()
    return results


def _describe_array(node: Any) -> list[str]:
    data = node[...]
    values = np.asarray(data)
    if values.dtype.kind == "f":
        shown = [None if np.isnan(v) else float(v) for v in values.ravel().tolist()]
    else:
        shown = [str(v) for v in values.ravel().tolist()]
    return [
        f"  shape={node.shape} chunks={node.chunks} shards={node.shards} dtype={node.dtype}",
        f"  fill_value={node.fill_value!r} format={node.metadata.zarr_format}",
        f"  attrs={json.dumps(dict(node.attrs), sort_keys=True)}",
        f"  data={shown}",
    ]


def _dump(zarr: Any, out: Path) -> dict[str, str]:
    results = {}
    for workdir in sorted(p for p in out.iterdir() if p.is_dir()):
        lines = []
        for store in sorted(p for p in workdir.iterdir() if p.suffix in (".zarr", ".zip")):
            try:
                if store.suffix == ".zip":
                    node = zarr.open(zarr.storage.ZipStore(str(store), mode="r"), mode="r")
                else:
                    node = zarr.open(str(store), mode="r")
            except Exception as exc:  # noqa: BLE001 - recorded for the comparison
                lines.append(f"{store.name}: cannot open: {type(exc).__name__}")
                continue
            if hasattr(node, "shape"):
                lines += [f"{store.name}: array", *_describe_array(node)]
                continue
            lines.append(
                f"{store.name}: group attrs={json.dumps(dict(node.attrs), sort_keys=True)}"
            )
            for key, member in sorted(node.members(max_depth=None), key=lambda kv: kv[0]):
                if hasattr(member, "shape"):
                    lines += [f" {key}: array", *_describe_array(member)]
                else:
                    attrs = json.dumps(dict(member.attrs), sort_keys=True)
                    lines.append(f" {key}: group attrs={attrs}")
        results[workdir.name] = "\n".join(lines)
    return results


def main(argv: list[str]) -> None:
    impl, action, *paths = argv
    zarr = _use(impl)
    if action == "run":
        programs, out, result = (Path(p).resolve() for p in paths)
        results = _run(zarr, programs, out)
    else:
        out, result = (Path(p).resolve() for p in paths)
        results = _dump(zarr, out)
    result.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    import warnings

    # Both libraries are compared on output; zarr-python's own advisory warnings
    # (consolidated metadata in v3, for example) are not part of it.
    warnings.simplefilter("ignore")
    main(sys.argv[1:])
