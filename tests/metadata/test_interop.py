"""Metadata across implementations.

* Every metadata document of the golden stores (``tests/data``) parses; those
  zarr-python wrote come back byte for byte, TensorStore's parse to a fixed point.
* Arrays whose metadata zarrdist writes (no chunks stored) read back from
  zarr-python and TensorStore as the fill value, bit for bit where they keep bits:
  the fill-value encodings interoperate.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.metadata._peers import pad_bytes_fill
from zarrdist.metadata import (
    METADATA_KEYS,
    ArrayMetadataV2,
    ArrayMetadataV3,
    GroupMetadataV2,
    parse_node_metadata,
    parse_zmetadata,
    zmetadata_document,
)

DATA = Path(__file__).resolve().parents[1] / "data"
_NODE_DIRS = sorted(
    {p.parent for name in METADATA_KEYS for p in DATA.rglob(name) if p.is_file()},
    key=str,
)


def _documents(folder: Path) -> dict[str, bytes]:
    return {
        name: (folder / name).read_bytes() for name in METADATA_KEYS if (folder / name).is_file()
    }


@pytest.mark.skipif(not _NODE_DIRS, reason="golden stores not generated")
def test_golden_metadata() -> None:
    checked = {"zarr_python": 0, "tensorstore": 0, "zarr_python_342": 0}
    for folder in _NODE_DIRS:
        rel = folder.relative_to(DATA)
        documents = _documents(folder)
        meta = parse_node_metadata(documents, key_prefix=str(rel))
        written = meta.to_documents()
        if rel.parts[0] in ("zarr_python", "zarr_python_342"):
            expected = {k: pad_bytes_fill(documents[k]) for k in written}
            assert written == expected, rel
        assert parse_node_metadata(written) == meta, rel
        checked[rel.parts[0]] += 1
    assert checked["zarr_python"] > 50
    assert checked["tensorstore"] > 10
    assert checked["zarr_python_342"] >= 11  # the zarr-python 3.4.2 extensions


def test_golden_zmetadata() -> None:
    stores = sorted(DATA.rglob(".zmetadata"))
    if not stores:
        pytest.skip("golden stores not generated")
    for path in stores:
        raw = path.read_bytes()
        nodes = parse_zmetadata(raw, key=str(path.relative_to(DATA)))
        root = nodes.pop("")
        assert isinstance(root, GroupMetadataV2)
        assert zmetadata_document(root, nodes) == raw  # type: ignore[arg-type]


# -- what zarrdist writes, others read ---------------------------------------------------

_BOTH, _V2, _NONE = (2, 3), (2,), ()
_FILL_CASES: list[tuple[Any, Any, tuple[int, ...]]] = [
    # (data type, fill value, formats TensorStore supports it in)
    ("float32", np.frombuffer(bytes.fromhex("0100c07f"), "<f4")[0], _BOTH),
    ("float64", -np.inf, _BOTH),
    ("float64", -0.0, _BOTH),
    ("float16", np.float16(65504), _BOTH),
    ("complex64", complex(np.nan, 2.5), _BOTH),
    ("int64", -(2**63), _BOTH),
    ("uint64", 2**64 - 1, _BOTH),
    ("bool", True, _BOTH),
    ("S4", b"ab", _V2),
    ("U3", "héé", _NONE),
    ("V2", b"\x01\xff", _NONE),
    ("M8[ns]", np.datetime64("NaT"), _NONE),
    ("m8[s]", np.timedelta64(-5, "s"), _NONE),
    (str, "fill", _NONE),
]


def _write(root: Path, documents: dict[str, bytes]) -> None:
    root.mkdir(parents=True, exist_ok=True)
    for key, value in documents.items():
        (root / key).write_bytes(value)


def _same(a: np.ndarray[Any, Any], b: np.ndarray[Any, Any], bits: bool) -> bool:
    if a.dtype.kind in "fc" and not bits:
        return bool(np.array_equal(a, b, equal_nan=True))
    if a.dtype.kind in "TO":
        return bool((a == b).all())
    return a.tobytes() == b.tobytes()


@pytest.mark.parametrize("zarr_format", [2, 3])
@pytest.mark.parametrize(("dtype", "fill", "tensorstore_formats"), _FILL_CASES, ids=str)
def test_peers_read_our_fill_values(
    tmp_path: Path, dtype: Any, fill: Any, tensorstore_formats: tuple[int, ...], zarr_format: int
) -> None:
    import tensorstore as ts
    import zarr

    cls = ArrayMetadataV3 if zarr_format == 3 else ArrayMetadataV2
    meta = cls(shape=(3, 2), data_type=dtype, chunk_shape=(2, 2), fill_value=fill)
    _write(tmp_path, meta.to_documents())
    expected = np.full(meta.shape, meta.fill_value, dtype=meta.dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = zarr.open_array(str(tmp_path), mode="r")[...]
    # zarr-python reads hex NaN payloads through a Python float: NaN survives, bits need not.
    assert _same(np.asarray(theirs, dtype=meta.dtype), expected, bits=False)
    if zarr_format not in tensorstore_formats:
        return
    driver = "zarr3" if zarr_format == 3 else "zarr"
    spec = {"driver": driver, "kvstore": {"driver": "file", "path": str(tmp_path)}}
    opened = ts.open(spec, open=True, read=True).result()
    if meta.dtype.kind == "S":
        # TensorStore's "char" arrays do not convert to NumPy; it opened the array and
        # its own view of the fill value is ours.
        assert opened.spec().to_json()["metadata"]["fill_value"] == meta.to_json()["fill_value"]
        return
    read = opened.read().result()
    assert _same(np.asarray(read).astype(meta.dtype), expected, bits=zarr_format == 3)
