"""zarr-python 3.4.2's format extensions, both directions.

The golden stores under ``tests/data/zarr_python_342/`` were written by zarr-python
3.4.2 (``tests/data/generate.py --zarr342``); ``manifest_342.json`` holds each case's
recipe, its ``zarr.json`` and what zarr-python 3.4.2 read back from it.

- zarrdist reads each golden equal to zarr-python's read-back and to the NumPy recipe.
- zarrdist parses each ``zarr.json`` and writes it back byte for byte.
- zarrdist creates each case from the same arguments: its ``zarr.json`` is the golden's,
  byte for byte, and it stores the same chunk keys (the CI-cheap check of the other
  direction).
- With ``ZARRDIST_ZARR342_PYTHON`` pointing at a zarr 3.4.2 interpreter, zarr-python
  3.4.2 reads zarrdist's stores back equal (skipped otherwise).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import zarrdist as zarr
from zarrdist.metadata import ArrayMetadataV3

HERE = Path(__file__).resolve().parent
DATA = HERE.parent / "data"
GOLDEN = DATA / "zarr_python_342"
MANIFEST = json.loads((DATA / "manifest_342.json").read_text(encoding="utf-8"))
CASES = {c["name"]: c for c in MANIFEST["cases"]}
WRITER = HERE / "zarr342_writer.py"
ZARR342 = os.environ.get("ZARRDIST_ZARR342_PYTHON")

sys.path.insert(0, str(HERE))
from zarr342_writer import _jsonable, cast_configs, cast_inputs, expected, values

#: Cases whose codecs lose nothing: zarrdist's read equals the NumPy recipe exactly.
LOSSLESS = {"rect_2d", "rect_rle_1d", "rect_bare_axis", "rect_sharded", "rect_resized"}
LOSSLESS |= {"scale_offset_i2", "struct"}


def _fill(case: dict[str, Any]) -> Any:
    meta = ArrayMetadataV3.from_json(case["document"])
    return meta.fill_value


def _nan_equal(a: Any, b: Any) -> bool:
    return json.dumps(a) == json.dumps(b)


@pytest.mark.parametrize("name", sorted(CASES))
def test_zarrdist_reads_what_zarr_python_342_wrote(name: str) -> None:
    case = CASES[name]
    z = zarr.open_array(str(GOLDEN / name), mode="r")
    got = np.asarray(z[...])
    assert _nan_equal(_jsonable(got), case["zarr_python_reads"])
    if name in LOSSLESS:
        want = expected(case, _fill(case))
        assert got.dtype == want.dtype
        np.testing.assert_array_equal(got, want)


def test_lossy_cases_follow_numpy() -> None:
    """The quantizing codecs do what their spec says, worked out in NumPy."""
    f8 = values(CASES["scale_offset_f8"])
    got = zarr.open_array(str(GOLDEN / "scale_offset_f8"), mode="r")[...]
    np.testing.assert_array_equal(got, (f8 - 1.5) * 4 / 4 + 1.5)
    clamp = values(CASES["cast_value_clamp"])
    got = zarr.open_array(str(GOLDEN / "cast_value_clamp"), mode="r")[...]
    np.testing.assert_array_equal(got, np.clip(np.rint(clamp), 0, 255))
    quant = values(CASES["quantized"])
    got = zarr.open_array(str(GOLDEN / "quantized"), mode="r")[...]
    np.testing.assert_array_equal(got, np.rint((quant - 10) * 100) / 100 + 10)
    rounding = zarr.open_array(str(GOLDEN / "cast_value_rounding"), mode="r")[...]
    src = values(CASES["cast_value_rounding"])
    np.testing.assert_array_equal(rounding[:7], np.trunc(src[:7]))
    assert np.isnan(rounding[7:]).all()  # never written: the NaN fill, mapped both ways


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden_metadata_round_trips_byte_for_byte(name: str) -> None:
    raw = (GOLDEN / name / "zarr.json").read_bytes()
    meta = ArrayMetadataV3.from_json(json.loads(raw))
    assert meta.to_documents()["zarr.json"] == raw


def _zarrdist_kwargs(case: dict[str, Any]) -> dict[str, Any]:
    kwargs = dict(case["create"])
    if isinstance(kwargs["dtype"], list):
        # zarr-python 3.4 writes a NumPy record type as "struct"; zarrdist writes the
        # zarr-python 3.1.5 "structured" name for it unless asked for "struct".
        kwargs["dtype"] = case["document"]["data_type"]
    for key in ("chunks", "shards"):
        if key in kwargs and not any(isinstance(c, list) for c in kwargs[key]):
            kwargs[key] = tuple(kwargs[key])
    return kwargs


def _write_with_zarrdist(case: dict[str, Any], root: Path) -> Path:
    path = root / case["name"]
    with zarr.config.set({"array.rectilinear_chunks": True}):
        z = zarr.create_array(str(path), **_zarrdist_kwargs(case))
    region = tuple(slice(a, b) for a, b in case["region"]) if case.get("region") else ...
    z[region] = values(case)[region]
    if case.get("resize"):
        z.resize(tuple(case["resize"]))
    return path


def _chunk_keys(path: Path) -> set[str]:
    return {p.relative_to(path).as_posix() for p in path.rglob("*") if p.is_file()} - {"zarr.json"}


@pytest.mark.parametrize("name", sorted(CASES))
def test_zarrdist_writes_what_zarr_python_342_writes(name: str, tmp_path: Path) -> None:
    """Same arguments, same document (byte for byte), same chunk keys, same values."""
    case = CASES[name]
    path = _write_with_zarrdist(case, tmp_path)
    assert (path / "zarr.json").read_bytes() == (GOLDEN / name / "zarr.json").read_bytes()
    assert _chunk_keys(path) == _chunk_keys(GOLDEN / name)
    got = zarr.open_array(str(path), mode="r")[...]
    assert _nan_equal(_jsonable(np.asarray(got)), case["zarr_python_reads"])


@pytest.mark.skipif(not ZARR342, reason="set ZARRDIST_ZARR342_PYTHON to a zarr 3.4.2 Python")
def test_zarr_python_342_reads_what_zarrdist_wrote(tmp_path: Path) -> None:
    assert ZARR342 is not None
    version = subprocess.run(
        [ZARR342, "-c", "import zarr; print(zarr.__version__)"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert version == "3.4.2"
    paths = {name: str(_write_with_zarrdist(case, tmp_path)) for name, case in CASES.items()}
    result = subprocess.run(
        [ZARR342, str(WRITER), "--read", *paths.values()],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    reads = json.loads(result.stdout)
    for name, path in paths.items():
        assert _nan_equal(reads[path], CASES[name]["zarr_python_reads"]), name


@pytest.mark.skipif(not ZARR342, reason="set ZARRDIST_ZARR342_PYTHON to a zarr 3.4.2 Python")
def test_cast_value_matches_its_reference_backend() -> None:
    """Every rounding and out-of-range mode, against cast-value-rs (zarr-python's backend)."""
    from zarrdist.codecs import ArraySpec, CastValueCodec
    from zarrdist.errors import CodecError

    assert ZARR342 is not None
    result = subprocess.run(
        [ZARR342, str(WRITER), "--cast"], capture_output=True, text=True, check=True, timeout=120
    )
    reference = json.loads(result.stdout)
    for src, tgt, rounding, oor in cast_configs():
        x = cast_inputs().astype(src)
        codec = CastValueCodec(data_type=tgt, rounding=rounding, out_of_range=oor)
        try:
            got: Any = _jsonable(codec.encode(x, ArraySpec(x.shape, x.dtype)).astype("f8"))
        except CodecError:
            got = "error"
        assert got == reference[f"{src}|{tgt}|{rounding}|{oor}"], (src, tgt, rounding, oor)
