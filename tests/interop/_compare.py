"""Compare arrays and stores exactly: the checks every interop test makes.

Re-exported by :mod:`tests.interop._cases`; import from there.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "METADATA_KEYS",
    "StoreDiff",
    "assert_arrays_identical",
    "compare_metadata",
    "compare_stores_bytes",
    "store_files",
]

METADATA_KEYS = frozenset({"zarr.json", ".zarray", ".zattrs", ".zgroup", ".zmetadata"})
"""File names that hold metadata documents rather than chunk bytes."""


def _same_bits(actual: np.ndarray[Any, Any], expected: np.ndarray[Any, Any]) -> None:
    """Compare floats, complex and times bit for bit: NaN payloads and -0.0 count."""
    native = expected.dtype.newbyteorder("=")
    a = np.ascontiguousarray(actual.astype(native))
    e = np.ascontiguousarray(expected.astype(native))
    view = f"u{native.itemsize // 2}" if native.kind == "c" else f"u{native.itemsize}"
    if native.kind == "c":
        a, e = a.view(f"f{native.itemsize // 2}"), e.view(f"f{native.itemsize // 2}")
    np.testing.assert_array_equal(a.view(view), e.view(view))


def assert_arrays_identical(actual: Any, expected: np.ndarray[Any, Any]) -> None:
    """Assert that ``actual`` holds exactly the values of ``expected``.

    Byte order may differ.  Floats, complex, datetimes and timedeltas compare by
    their bits (so NaN payloads and -0.0 matter); variable-length strings compare
    as Python ``str``/``bytes`` lists whatever their container dtype (``object`` or
    NumPy ``StringDType``); structured arrays compare field by field.

    Raises
    ------
    AssertionError
        On a shape, dtype kind, item size or value difference.
    """
    actual = np.asarray(actual)
    assert actual.shape == expected.shape, f"shape {actual.shape} != {expected.shape}"
    if expected.dtype.kind == "O":
        assert actual.dtype.kind in "OT", f"dtype {actual.dtype} is not variable-length"
        assert actual.tolist() == expected.tolist()
        return
    assert actual.dtype.kind == expected.dtype.kind, f"dtype {actual.dtype} != {expected.dtype}"
    assert actual.dtype.itemsize == expected.dtype.itemsize, f"{actual.dtype} != {expected.dtype}"
    if expected.dtype.names:
        assert actual.dtype.names == expected.dtype.names
        for name in expected.dtype.names:
            assert_arrays_identical(actual[name], expected[name])
        return
    if expected.dtype.kind in "fcmM":
        _same_bits(actual, expected)
        return
    np.testing.assert_array_equal(actual, expected)


def store_files(root: str | Path) -> dict[str, Path]:
    """Map every file below ``root`` to its store key (POSIX, relative to ``root``)."""
    root = Path(root)
    return {p.relative_to(root).as_posix(): p for p in sorted(root.rglob("*")) if p.is_file()}


@dataclass(frozen=True)
class StoreDiff:
    """What :func:`compare_stores_bytes` found; falsy when the stores agree."""

    only_in_a: tuple[str, ...]
    only_in_b: tuple[str, ...]
    differing: tuple[tuple[str, int, int, int], ...]
    """``(key, size in a, size in b, first differing byte offset)``."""

    def __bool__(self) -> bool:
        return bool(self.only_in_a or self.only_in_b or self.differing)

    def report(self) -> str:
        """Return a readable summary, one line per difference."""
        lines = [f"only in a: {k}" for k in self.only_in_a]
        lines += [f"only in b: {k}" for k in self.only_in_b]
        lines += [
            f"differs: {k} ({na} vs {nb} bytes, first at byte {at})"
            for k, na, nb, at in self.differing
        ]
        return "\n".join(lines) or "stores agree"


def _first_difference(a: bytes, b: bytes) -> int:
    for i, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            return i
    return min(len(a), len(b))


def compare_stores_bytes(
    dir_a: str | Path,
    dir_b: str | Path,
    keys: list[str] | None = None,
    *,
    include_metadata: bool = False,
) -> StoreDiff:
    """Compare two stores on disk key by key, byte for byte.

    Parameters
    ----------
    dir_a, dir_b : str or Path
        Store (or array) folders.
    keys : list of str, optional
        Compare only these keys; by default every key in either store.
    include_metadata : bool, default False
        Also compare metadata documents (``zarr.json``, ``.zarray``, ...) byte for
        byte; by default only chunk and shard bytes count (use
        :func:`compare_metadata` to compare documents as JSON).

    Returns
    -------
    StoreDiff
        Keys only in one store, and keys whose bytes differ.
    """
    files_a, files_b = store_files(dir_a), store_files(dir_b)
    wanted = sorted(set(files_a) | set(files_b)) if keys is None else list(keys)
    if not include_metadata:
        wanted = [k for k in wanted if k.rsplit("/", 1)[-1] not in METADATA_KEYS]
    only_a = tuple(k for k in wanted if k in files_a and k not in files_b)
    only_b = tuple(k for k in wanted if k in files_b and k not in files_a)
    differing = []
    for key in wanted:
        if key in files_a and key in files_b:
            a, b = files_a[key].read_bytes(), files_b[key].read_bytes()
            if a != b:
                differing.append((key, len(a), len(b), _first_difference(a, b)))
    return StoreDiff(only_a, only_b, tuple(differing))


def compare_metadata(dir_a: str | Path, dir_b: str | Path) -> list[str]:
    """Return the metadata keys whose JSON documents differ (or exist on one side only)."""
    files_a, files_b = store_files(dir_a), store_files(dir_b)
    keys = sorted(k for k in set(files_a) | set(files_b) if k.rsplit("/", 1)[-1] in METADATA_KEYS)
    return [
        k
        for k in keys
        if k not in files_a or k not in files_b or _load(files_a[k]) != _load(files_b[k])
    ]


def _load(path: Path) -> Any:
    with path.open(encoding="utf-8") as f:
        return json.load(f)
