"""The zarrdist modules one read and one write pass through, in first-seen order.

Run from the repository root (or with ``PYTHONPATH`` set to another checkout, to see
that checkout's paths)::

    python tests/benchmarks/call_paths.py [--json]

The array is 2-D (256 x 256 float32) in 32 x 32 chunks, zstd-compressed, on a
LocalStore in a temporary directory. The read is ``z[0:64, 0:64]`` (four chunks), the
write ``z[...] = data`` (every chunk). Each runs once before it is traced, so imports
and first-use setup are not counted. A profile hook on every thread (the reader pool's
and dask's too) records the module of each Python function called, by its
``__name__``, so checkouts that map folders to packages differently list the same
names. docs/layout.md keeps the lists for the current code and for the code before
the move of issue 18.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

import numpy as np

__all__ = ["main", "trace_modules"]

SHAPE = (256, 256)
CHUNKS = (32, 32)


def trace_modules(operation: Callable[[], Any], prefix: str = "zarrdist") -> list[str]:
    """The modules under ``prefix`` whose functions ``operation`` calls, first-seen order."""
    seen: dict[str, None] = {}
    lock = threading.Lock()

    def hook(frame: FrameType, event: str, arg: object) -> None:
        if event != "call":
            return
        name = frame.f_globals.get("__name__", "")
        if (name == prefix or name.startswith(prefix + ".")) and name not in seen:
            with lock:
                seen.setdefault(name, None)

    threading.setprofile(hook)  # type: ignore[arg-type]
    sys.setprofile(hook)  # type: ignore[arg-type]
    try:
        operation()
    finally:
        sys.setprofile(None)
        threading.setprofile(None)  # type: ignore[arg-type]
    return list(seen)


def call_paths(root: Path) -> dict[str, list[str]]:
    """The read's and the write's module lists for a fresh array under ``root``."""
    import zarrdist
    from zarrdist.codecs import ZstdCodec
    from zarrdist.storage import LocalStore

    z = zarrdist.create_array(
        LocalStore(str(root)),
        shape=SHAPE,
        chunks=CHUNKS,
        dtype="<f4",
        compressors=[ZstdCodec(level=1)],
    )
    data = np.arange(np.prod(SHAPE), dtype="<f4").reshape(SHAPE)

    def write() -> None:
        z[...] = data

    def read() -> None:
        np.testing.assert_array_equal(z[0:64, 0:64], data[0:64, 0:64])

    write()
    read()
    return {"read": trace_modules(read), "write": trace_modules(write)}


def main(argv: list[str] | None = None) -> int:
    """Print the two lists (or, with ``--json``, one JSON object of them)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        paths = call_paths(Path(tmp) / "a.zarr")
    if args.json:
        print(json.dumps(paths))
        return 0
    for operation, modules in paths.items():
        print(f"{operation} ({len(modules)} modules):")
        for module in modules:
            print(f"  {module}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
