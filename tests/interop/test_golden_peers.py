"""The golden stores against the libraries that wrote them.

These tests need no zarrdist: they prove the golden data and the harness are right,
so that a failure in ``test_golden_zarrdist.py`` is zarrdist's.  zarr-python and
TensorStore must read every store exactly as the manifest records (equal to the
recipe, or refused for the recorded reason), and zarr-python, fed only
:func:`write_spec`, must write the same bytes again.
"""

from __future__ import annotations

import json
import re
import shutil
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.interop._cases import (
    DATA_DIR,
    Case,
    Hierarchy,
    assert_arrays_identical,
    cases,
    compare_metadata,
    compare_stores_bytes,
    golden_tree_hash,
    hierarchies,
    load_manifest,
    read_with_tensorstore,
    read_with_zarr_python,
    store_files,
    write_spec,
    write_with_zarr_python,
)

ALL = cases()
ZARR_PYTHON = cases(writer="zarr_python")
TENSORSTORE = cases(writer="tensorstore")
# The exception types a recorded peer failure may name.
ERRORS: dict[str, type[BaseException]] = {
    "ValueError": ValueError,
    "TypeError": TypeError,
    "KeyError": KeyError,
    "RuntimeError": RuntimeError,
    "NotImplementedError": NotImplementedError,
    "AssertionError": AssertionError,
}


def _ids(case: Case) -> str:
    return case.name


def _check_peer(case: Case, peer: str, read: Callable[[], np.ndarray[Any, Any]]) -> None:
    status = case.peers[peer]
    if status == "ok":
        assert_arrays_identical(read(), case.expected())
    elif status.startswith("error: "):
        name = status.removeprefix("error: ").split(":", 1)[0]
        with pytest.raises(ERRORS[name]):
            read()
    else:
        assert status.startswith("mismatch: "), status
        with pytest.raises(AssertionError):
            assert_arrays_identical(read(), case.expected())


def test_manifest_matches_the_stores() -> None:
    names = [c.name for c in ALL]
    assert len(names) == len(set(names))
    assert {c.writer for c in ALL} == {"zarr_python", "tensorstore"}
    for case in ALL:
        doc = case.metadata_document()
        assert case.array_path.is_dir(), case.name
        assert tuple(doc["shape"]) == case.shape == tuple(case.recipe["shape"]), case.name
        assert doc["fill_value"] == case.fill_value or (
            doc["fill_value"] != doc["fill_value"]  # a NaN never compares equal
        ), case.name
        assert case.expected().shape == case.shape
        assert set(case.peers) == {"zarr_python", "tensorstore"}


def test_golden_bytes_match_provenance() -> None:
    """Nothing (a test opening a store for writing, say) changed a golden byte."""
    text = (DATA_DIR / "PROVENANCE.md").read_text(encoding="utf-8")
    recorded = re.findall(r"`([0-9a-f]{64})`", text)
    assert recorded == [golden_tree_hash()]


def test_golden_data_is_small() -> None:
    files = [p for p in DATA_DIR.rglob("*") if p.is_file()]
    assert len(files) < 1500
    assert sum(p.stat().st_size for p in files) < 3 * 2**20


@pytest.mark.parametrize("case", ALL, ids=_ids)
def test_zarr_python_reads(case: Case) -> None:
    _check_peer(case, "zarr_python", lambda: read_with_zarr_python(case.array_path))


@pytest.mark.parametrize("case", ALL, ids=_ids)
def test_tensorstore_reads(case: Case) -> None:
    _check_peer(
        case, "tensorstore", lambda: read_with_tensorstore(case.array_path, case.zarr_format)
    )


def test_every_writer_case_reads_back_in_its_own_library() -> None:
    """Each library reads what it wrote, except nested sharding in zarr-python."""
    unread = {c.name for c in ALL if not c.peer_reads(c.writer)}
    assert unread == {"shard_nested"}


@pytest.mark.parametrize("case", ZARR_PYTHON, ids=_ids)
def test_write_spec_reproduces_zarr_python_bytes(case: Case, tmp_path: Path) -> None:
    """zarr-python, given only write_spec and the recipe, writes the golden bytes."""
    written = write_with_zarr_python(case, tmp_path / case.name)
    diff = compare_stores_bytes(case.array_path, written, include_metadata=True)
    assert not diff, diff.report()


@pytest.mark.parametrize("case", TENSORSTORE, ids=_ids)
def test_write_spec_describes_tensorstore_cases(case: Case, tmp_path: Path) -> None:
    """zarr-python writes a TensorStore case from write_spec with the same chunk keys,
    the same metadata meaning and the same values (bytes may differ: two codecs
    builds)."""
    written = write_with_zarr_python(case, tmp_path / case.name)
    diff = compare_stores_bytes(case.array_path, written)
    assert not diff.only_in_a, diff.report()
    assert not diff.only_in_b, diff.report()
    golden, ours = case.metadata_document(), json.loads((written / _doc_key(case)).read_text())
    if case.name == "ts3_fill_nan_payload":
        # zarr-python cannot write a NaN payload (see the manifest's "skipped"): its
        # fill reads back as the plain NaN, so only the metadata spelling is checked.
        assert (golden["fill_value"], ours["fill_value"]) == ("0x7fc00001", "NaN")
        return
    for key in (
        "shape",
        "chunk_grid",
        "codecs",
        "chunk_key_encoding",
        "data_type",
        "fill_value",
        "chunks",
        "dtype",
        "compressor",
        "order",
        "dimension_separator",
    ):
        if key in golden:
            assert _same_json(ours[key], golden[key]), key
    if case.peer_reads("zarr_python"):
        assert_arrays_identical(read_with_zarr_python(written), case.expected())


def _doc_key(case: Case) -> str:
    return "zarr.json" if case.zarr_format == 3 else ".zarray"


def _same_json(a: Any, b: Any) -> bool:
    """JSON equality up to the defaults TensorStore leaves out of what it writes."""
    return json.dumps(_with_defaults(a), sort_keys=True) == json.dumps(
        _with_defaults(b), sort_keys=True
    )


def _with_defaults(doc: Any) -> Any:
    """Spell out a default chunk-key separator and sharding index location.

    TensorStore omits both when they are the default (``"/"`` for ``default``, ``"."``
    for ``v2``, index at the ``end``); zarr-python always writes them.
    """
    if isinstance(doc, list):
        return [_with_defaults(d) for d in doc]
    if not isinstance(doc, dict):
        return doc
    out = {k: _with_defaults(v) for k, v in doc.items()}
    if out.get("name") in ("default", "v2") and "codecs" not in out:
        separator = "/" if out["name"] == "default" else "."
        out["configuration"] = {"separator": separator, **out.get("configuration", {})}
    if out.get("name") == "sharding_indexed":
        out["configuration"] = {"index_location": "end", **out["configuration"]}
    return out


def test_write_spec_forms() -> None:
    sharded = next(c for c in ZARR_PYTHON if c.name == "shard_transpose_big")
    split, chain = write_spec(sharded), write_spec(sharded, codecs="chain")
    assert chain["codecs"] == [*split["filters"], split["serializer"], *split["compressors"]]
    assert split["serializer"]["name"] == "sharding_indexed"
    assert split["chunks"] == (20, 20)
    assert split["shards"] is None
    v2 = write_spec(next(c for c in ZARR_PYTHON if c.name == "v2_vlen_bytes"))
    assert v2["dtype"] == {"name": "|O", "object_codec_id": "vlen-bytes"}
    assert v2["filters"] == [{"id": "vlen-bytes"}]
    nan = write_spec(next(c for c in TENSORSTORE if c.name == "ts3_fill_nan_payload"))
    assert np.array(nan["fill_value"], dtype="<f4").view("<u4") == 0x7FC00001


@pytest.mark.parametrize("hierarchy", hierarchies(), ids=lambda h: h.name)
def test_consolidated_hierarchy(hierarchy: Hierarchy) -> None:
    import zarr
    from zarr.storage import LocalStore

    store = LocalStore(str(hierarchy.store_path), read_only=True)
    with warnings.catch_warnings():
        # zarr-python warns that v3 consolidated metadata is not in the spec yet.
        warnings.simplefilter("ignore", zarr.errors.ZarrUserWarning)
        root = zarr.open_group(store=store, mode="r", use_consolidated=True)
        members = dict(root.members(max_depth=None))
        assert root.metadata.consolidated_metadata is not None
        for path, attrs in hierarchy.groups.items():
            group = root if path == "" else members[path]
            assert isinstance(group, zarr.Group)
            assert group.attrs.asdict() == attrs
        array_cases = [c for c in ALL if c.name in hierarchy.arrays]
        assert {c.node for c in array_cases} | set(hierarchy.groups) - {""} == set(members)
        for case in array_cases:
            assert_arrays_identical(members[case.node][...], case.expected())


def test_compare_stores_bytes_reports_each_difference(tmp_path: Path) -> None:
    golden = next(c for c in ZARR_PYTHON if c.name == "cke_v2_dot")
    copy = tmp_path / "copy"
    shutil.copytree(golden.array_path, copy)
    assert not compare_stores_bytes(golden.array_path, copy, include_metadata=True)
    keys = sorted(k for k in store_files(copy) if k != "zarr.json")
    flipped = bytearray((copy / keys[0]).read_bytes())
    flipped[3] ^= 0xFF
    (copy / keys[0]).write_bytes(bytes(flipped))
    (copy / keys[1]).unlink()
    (copy / "9.9").write_bytes(b"extra")
    (copy / "zarr.json").write_text("{}")
    diff = compare_stores_bytes(golden.array_path, copy)
    assert diff.differing == ((keys[0], len(flipped), len(flipped), 3),)
    assert diff.only_in_a == (keys[1],)
    assert diff.only_in_b == ("9.9",)
    assert compare_stores_bytes(golden.array_path, copy, keys=[keys[2]]).report() == "stores agree"
    assert compare_metadata(golden.array_path, copy) == ["zarr.json"]


def test_zarr_python_still_cannot_write_a_hex_nan_fill(tmp_path: Path) -> None:
    """Why the manifest skips a zarr-python hex-NaN case (TensorStore writes it)."""
    import zarr

    payload = np.array([0x7FC00001], dtype="<u4").view("<f4")[0]
    zarr.create_array(store=str(tmp_path), shape=(4,), dtype="<f4", fill_value=payload)
    assert json.loads((tmp_path / "zarr.json").read_text())["fill_value"] == "NaN"
    assert [s["name"] for s in load_manifest()["skipped"]] == ["fill_nan_payload_hex"]
