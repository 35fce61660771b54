"""zarrdist against the golden stores, in both directions.

*Reading*: every golden array (v2 and v3; written by zarr-python 3.1.5 or
TensorStore, including what one peer cannot read back) reads equal to its recipe,
whole and in sub-selections, on the direct path and on the dask-graph path.

*Writing*: zarrdist, given only :func:`write_spec` and the recipe, writes every
case; its chunk bytes and metadata documents equal the golden ones, and zarr-python
and TensorStore read it back equal wherever they read the golden store. Writes go
through the direct path, the graph path and a dask array, and all three give the
same bytes.

*Updating*: zarrdist overwriting part of a copy of a golden store (read-modify-write
of chunks and shards a peer wrote) leaves the bytes zarr-python leaves, and the
peers read the result.

*Hierarchies*: the consolidated golden trees parse, and zarrdist's group API walks
them with and without their consolidated metadata.

The allowances, and nothing else:

1. gzip headers carry a timestamp: writes run under :func:`pinned_gzip_mtime`.
2. zarrdist keeps the NUL padding of fixed-length bytes (``|S``,
   ``null_terminated_bytes``) fill values that zarr-python strips, because
   TensorStore refuses the stripped form (``tests.metadata._peers.pad_bytes_fill``).
3. TensorStore-written stores: TensorStore lays the inner chunks of a shard out in
   C order where zarr-python (and zarrdist) use Morton order, and its gzip comes
   from another zlib build (another OS byte and deflate choices). Where such a
   chunk differs, zarrdist's bytes must equal zarr-python's own write of the case,
   and the two stores must hold the same shard indexes' chunks, the same gzip
   payloads and valid crc32c checksums (:func:`_unwrapped`).
4. TensorStore leaves defaults out of its documents (``attributes``, the chunk key
   separator, ``index_location``, an empty ``.zattrs``); those documents compare
   as JSON once the defaults are spelled out (:func:`_spelled_out`).
"""

from __future__ import annotations

import copy
import gzip
import json
import math
import shutil
from pathlib import Path
from typing import Any

import dask.array as da
import google_crc32c
import numpy as np
import pytest

import zarrdist
from tests.interop._cases import (
    METADATA_KEYS,
    Case,
    Hierarchy,
    _quiet_zarr,
    assert_arrays_identical,
    cases,
    compare_stores_bytes,
    get_case,
    hierarchies,
    pinned_gzip_mtime,
    read_with_tensorstore,
    read_with_zarr_python,
    store_files,
    write_spec,
    write_with_zarr_python,
)
from tests.metadata._peers import pad_bytes_fill
from zarrdist.config import config
from zarrdist.metadata import GroupMetadataV3, parse_node_metadata, parse_zmetadata

ALL = cases()
V3_CASES = cases(format=3)
# Sends even the smallest selection down the dask-graph path.
GRAPH_PATH = {"direct_max_bytes": 0}
_EMPTY = 2**64 - 1
#: The TensorStore cases whose chunk bytes differ from zarr-python's (allowance 3):
#: Morton against C order inside shards, and TensorStore's zlib build for gzip.
TENSORSTORE_FRAMING = frozenset(
    {
        "ts3_shard_end_crc32c",
        "ts3_shard_start_crc32c_sparse",
        "ts3_shard_nested",
        "ts3_transpose_big_gzip",
    }
)


def _ids(case: Case) -> str:
    return case.name


# -- reading ---------------------------------------------------------------------------


def _inner_chunk_shape(case: Case) -> tuple[int, ...]:
    """The innermost chunk shape, in array axis order.

    A ``transpose`` in front of ``sharding_indexed`` makes the sharding codec see a
    permuted array, so its ``chunk_shape`` is mapped back through the permutation.
    """
    doc = case.metadata_document()
    if case.zarr_format == 2:
        return tuple(doc["chunks"])
    chunk = tuple(doc["chunk_grid"]["configuration"]["chunk_shape"])
    axes = list(range(len(chunk)))  # codec-space axis i is array axis axes[i]
    codecs = doc["codecs"]
    while True:
        for codec in codecs:
            if codec["name"] == "transpose":
                axes = [axes[i] for i in codec["configuration"]["order"]]
            elif codec["name"] == "sharding_indexed":
                inner = [0] * len(axes)
                for i, n in enumerate(codec["configuration"]["chunk_shape"]):
                    inner[axes[i]] = n
                chunk, codecs = tuple(inner), codec["configuration"]["codecs"]
                break
        else:
            return chunk


def _selections(case: Case) -> list[Any]:
    """Sub-selections: edge, strided, one element, inside one (inner) chunk."""
    shape = case.shape
    if not shape:
        return [(), Ellipsis]
    chunk = _inner_chunk_shape(case)
    inside = []
    for n, c in zip(shape, chunk, strict=True):
        lo = c if n > c else 0  # the second chunk along the axis, when there is one
        hi = min(lo + c, n)
        inside.append(slice(lo + 1, hi - 1) if hi - lo > 2 else slice(lo, hi))
    return [
        # The last, partial chunk and the end of the one before it.
        tuple(slice(max(0, n - c - 2), n) for n, c in zip(shape, chunk, strict=True)),
        tuple(slice(1, n, 2) for n in shape),
        tuple(n - 1 for n in shape),
        tuple(inside),
    ]


def test_selections_cover_the_cases_they_are_meant_to() -> None:
    """The helpers above pick what they claim on cases whose layout is known."""
    transposed = next(c for c in ALL if c.name == "shard_transpose_big")
    assert _inner_chunk_shape(transposed) == (5, 10)  # the codec's [10, 5], transposed
    nested = next(c for c in ALL if c.name == "shard_nested")
    assert _inner_chunk_shape(nested) == (3, 3)
    assert _selections(nested)[-1] == (slice(4, 5), slice(4, 5))
    edge = _selections(next(c for c in ALL if c.name == "dtype_int8"))[0]
    assert edge == (slice(9, 23), slice(6, 17))


@pytest.mark.parametrize("case", ALL, ids=_ids)
def test_zarrdist_reads(case: Case) -> None:
    array = zarrdist.open_array(str(case.array_path), mode="r")
    expected = case.expected()
    assert array.shape == case.shape
    assert array.zarr_format == case.zarr_format
    assert_arrays_identical(array[...], expected)
    for selection in _selections(case):
        _assert_selection(array[selection], expected, selection)
    with config.set(GRAPH_PATH):
        assert_arrays_identical(array[...], expected)
        _assert_selection(array[_selections(case)[0]], expected, _selections(case)[0])


def _assert_selection(actual: Any, expected: np.ndarray[Any, Any], selection: Any) -> None:
    want = expected[selection]
    if expected.dtype.kind == "O" and np.ndim(want) == 0:
        # One element of a variable-length array is a str or bytes object.
        assert isinstance(actual, type(want)), type(actual)
        assert actual == want
        return
    assert_arrays_identical(actual, np.asarray(want))


# -- writing ---------------------------------------------------------------------------


def _write(case: Case, dest: Path, how: str) -> None:
    """Write ``case`` with zarrdist as its writer did: create, then the written box."""
    region, values = case.written_region(), case.written_values()
    with pinned_gzip_mtime():
        array = zarrdist.create_array(str(dest), **write_spec(case))
        if how == "direct":
            array[region] = values
        elif how == "graph":
            with config.set(GRAPH_PATH):
                array[region] = values
        else:
            # Blocks that match no chunk or shard boundary: the write must regrid.
            array[region] = da.from_array(values, chunks=7)


def _unwrapped(data: bytes, codecs: list[dict[str, Any]], shape: tuple[int, ...]) -> Any:
    """A chunk with the layers two correct writers may frame differently taken off.

    Trailing crc32c checksums are verified and dropped, gzip is decompressed and a
    shard becomes ``{inner chunk coords: unwrapped inner chunk}``; anything else
    stays bytes.
    """
    chain = list(codecs)
    dims = list(shape)
    while chain[0]["name"] == "transpose":
        dims = [dims[i] for i in chain.pop(0)["configuration"]["order"]]
    serializer, compressors = chain[0], chain[1:]
    for codec in reversed(compressors):
        if codec["name"] == "crc32c":
            data = _checked(data)
        elif codec["name"] == "gzip":
            data = gzip.decompress(data)
        else:
            return ("bytes", data)
    if serializer["name"] != "sharding_indexed":
        return ("bytes", data)
    return ("shard", _shard_chunks(data, serializer["configuration"], tuple(dims)))


def _checked(data: bytes) -> bytes:
    body, stored = data[:-4], data[-4:]
    assert google_crc32c.value(body).to_bytes(4, "little") == stored, "bad crc32c"
    return body


def _shard_chunks(data: bytes, conf: dict[str, Any], shape: tuple[int, ...]) -> dict[Any, Any]:
    inner = tuple(conf["chunk_shape"])
    grid = tuple(s // c for s, c in zip(shape, inner, strict=True))
    index_codecs = conf.get("index_codecs", [])
    crc = any(c["name"] == "crc32c" for c in index_codecs)
    big = any(c.get("configuration", {}).get("endian") == "big" for c in index_codecs)
    size = 16 * math.prod(grid) + (4 if crc else 0)
    raw = data[:size] if conf.get("index_location", "end") == "start" else data[-size:]
    index = np.frombuffer(_checked(raw) if crc else raw, dtype=">u8" if big else "<u8")
    out = {}
    for i, (offset, nbytes) in enumerate(index.reshape(-1, 2).tolist()):
        if (offset, nbytes) != (_EMPTY, _EMPTY):
            coords = tuple(int(x) for x in np.unravel_index(i, grid))
            out[coords] = _unwrapped(data[offset : offset + nbytes], conf["codecs"], inner)
    return out


def _check_chunk_bytes(case: Case, ours: Path, tmp_path: Path) -> None:
    diff = compare_stores_bytes(case.array_path, ours)
    assert not diff.only_in_a, diff.report()
    assert not diff.only_in_b, diff.report()
    if case.writer == "zarr_python" or not diff:
        assert not diff, diff.report()
        return
    # Allowance 3: TensorStore's shard layout and gzip build.
    assert case.name in TENSORSTORE_FRAMING, diff.report()
    keys = [key for key, *_ in diff.differing]
    reference = write_with_zarr_python(case, tmp_path / "zarr_python")
    again = compare_stores_bytes(reference, ours, keys)
    assert not again, again.report()
    doc = case.metadata_document()
    grid = tuple(doc["chunk_grid"]["configuration"]["chunk_shape"])
    for key in keys:
        golden, mine = (p.read_bytes() for p in (case.array_path / key, ours / key))
        assert _unwrapped(golden, doc["codecs"], grid) == _unwrapped(mine, doc["codecs"], grid)


def _spelled_out(key: str, doc: Any) -> Any:
    """``doc`` with the defaults TensorStore leaves out written in (allowance 4)."""
    doc = copy.deepcopy(doc)
    if key == ".zattrs" and doc is None:
        return {}
    if key != "zarr.json":
        return doc
    doc.setdefault("attributes", {})
    doc.setdefault("storage_transformers", [])
    cke = doc["chunk_key_encoding"]
    separator = "/" if cke["name"] == "default" else "."
    cke["configuration"] = {"separator": separator, **cke.get("configuration", {})}
    stack = list(doc["codecs"])
    while stack:
        codec = stack.pop()
        if codec["name"] == "sharding_indexed":
            codec["configuration"].setdefault("index_location", "end")
            stack += codec["configuration"]["codecs"] + codec["configuration"]["index_codecs"]
    return doc


def _check_metadata(case: Case, ours: Path) -> None:
    golden_files, our_files = store_files(case.array_path), store_files(ours)
    keys = {k for k in set(golden_files) | set(our_files) if k in METADATA_KEYS}
    assert keys == ({"zarr.json"} if case.zarr_format == 3 else {".zarray", ".zattrs"})
    for key in sorted(keys):
        mine = our_files[key].read_bytes()
        if case.writer == "zarr_python":
            # Byte for byte, allowance 2 aside.
            assert mine == pad_bytes_fill(golden_files[key].read_bytes()), key
            continue
        golden = json.loads(golden_files[key].read_bytes()) if key in golden_files else None
        assert json.loads(mine) == _spelled_out(key, golden), key


@pytest.mark.parametrize("case", ALL, ids=_ids)
def test_zarrdist_writes(case: Case, tmp_path: Path) -> None:
    ours = tmp_path / "direct"
    _write(case, ours, "direct")
    _check_chunk_bytes(case, ours, tmp_path)
    _check_metadata(case, ours)
    for how in ("graph", "dask"):
        _write(case, tmp_path / how, how)
        diff = compare_stores_bytes(ours, tmp_path / how, include_metadata=True)
        assert not diff, f"{how}: {diff.report()}"
    expected = case.expected()
    assert_arrays_identical(zarrdist.open_array(str(ours), mode="r")[...], expected)
    if case.peer_reads("zarr_python"):
        assert_arrays_identical(read_with_zarr_python(ours), expected)
    if case.peer_reads("tensorstore"):
        assert_arrays_identical(read_with_tensorstore(ours, case.zarr_format), expected)


def _update(case: Case, root: Path, region: Any, values: Any, writer: str) -> Path:
    """Copy the golden store to ``root`` and write ``values`` into ``region`` there."""
    import zarr

    shutil.copytree(case.store_path, root)
    folder = root / case.node if case.node else root
    with pinned_gzip_mtime():
        if writer == "zarrdist":
            zarrdist.open_array(str(folder), mode="r+")[region] = values
        else:
            with _quiet_zarr():
                zarr.open_array(str(folder), mode="r+")[region] = values
    return folder


@pytest.mark.parametrize("case", [c for c in ALL if c.shape], ids=_ids)
def test_zarrdist_updates_golden_stores(case: Case, tmp_path: Path) -> None:
    """Read-modify-write of chunks and shards a peer wrote (TensorStore's C-order
    shards included): zarrdist leaves the bytes zarr-python leaves, and every peer
    that reads the golden store reads the update."""
    expected = case.expected()
    edge, inside = _selections(case)[0], _selections(case)[3]
    for name, region in (("edge", edge), ("inside", inside)):
        shape = expected[region].shape
        # Values of the array itself, moved: of its dtype, and mostly not the old ones.
        values = np.roll(expected.reshape(-1), 7)[: math.prod(shape)].reshape(shape)
        want = expected.copy()
        want[region] = values
        ours = _update(case, tmp_path / f"zarrdist_{name}", region, values, "zarrdist")
        assert_arrays_identical(zarrdist.open_array(str(ours), mode="r")[...], want)
        if case.peer_reads("zarr_python"):
            assert_arrays_identical(read_with_zarr_python(ours), want)
            theirs = _update(case, tmp_path / f"zarr_python_{name}", region, values, "zarr")
            diff = compare_stores_bytes(theirs, ours, include_metadata=True)
            assert not diff, f"{name}: {diff.report()}"
        if case.peer_reads("tensorstore"):
            assert_arrays_identical(read_with_tensorstore(ours, case.zarr_format), want)


@pytest.mark.parametrize("case", V3_CASES, ids=_ids)
def test_whole_codec_chain_gives_the_same_document(case: Case, tmp_path: Path) -> None:
    """The seed's ``codecs=[...]`` spelling makes the same array as zarr-python's split."""
    split, chain = write_spec(case), write_spec(case, codecs="chain")
    zarrdist.create_array(str(tmp_path / "split"), **split)
    zarrdist.create_array(str(tmp_path / "chain"), **chain)
    diff = compare_stores_bytes(tmp_path / "split", tmp_path / "chain", include_metadata=True)
    assert not diff, diff.report()


def test_tensorstore_framing_allowance_is_needed_and_not_blind(tmp_path: Path) -> None:
    """Allowance 3 covers exactly the cases where zarr-python's bytes differ too, and
    :func:`_unwrapped` still sees a changed payload byte."""
    for name in sorted(TENSORSTORE_FRAMING):
        case = get_case(name)
        diff = compare_stores_bytes(case.array_path, write_with_zarr_python(case, tmp_path / name))
        assert diff.differing, name
        assert not diff.only_in_a, name
        assert not diff.only_in_b, name
    case = get_case("ts3_shard_end_crc32c")
    doc = case.metadata_document()
    grid = tuple(doc["chunk_grid"]["configuration"]["chunk_shape"])
    data = bytearray((case.array_path / "c/0/0").read_bytes())
    kind, chunks = _unwrapped(bytes(data), doc["codecs"], grid)
    assert kind == "shard"
    assert sorted(chunks) == [(i, j) for i in range(4) for j in range(2)]
    data[100] ^= 1  # inside the first inner chunk: the index is at the end
    assert _unwrapped(bytes(data), doc["codecs"], grid) != (kind, chunks)


_DEFAULT_DTYPES = ["int32", ">u2", "float64", "bool", "M8[s]", str]


@pytest.mark.parametrize("zarr_format", [2, 3])
@pytest.mark.parametrize("dtype", _DEFAULT_DTYPES, ids=str)
def test_defaults_write_what_zarr_python_writes(
    dtype: Any, zarr_format: int, tmp_path: Path
) -> None:
    """Left to their defaults (codecs, fill value, key encoding), both libraries
    write the same bytes: documents and chunks."""
    import zarr

    values = np.arange(20).reshape(5, 4).astype(dtype)
    if values.dtype.kind in "SU":
        values = values.astype(object)
    kwargs = {"shape": (5, 4), "chunks": (2, 3), "dtype": dtype, "zarr_format": zarr_format}
    ours = zarrdist.create_array(str(tmp_path / "zarrdist"), **kwargs)
    ours[1:] = values[1:]
    with _quiet_zarr():
        theirs = zarr.create_array(str(tmp_path / "zarr_python"), **kwargs)
        theirs[1:] = values[1:]
    diff = compare_stores_bytes(
        tmp_path / "zarr_python", tmp_path / "zarrdist", include_metadata=True
    )
    assert not diff, diff.report()


# -- hierarchies -----------------------------------------------------------------------


def _documents(root: Path, path: str) -> dict[str, bytes]:
    folder = root / path if path else root
    return {k: (folder / k).read_bytes() for k in METADATA_KEYS if (folder / k).is_file()}


def _consolidated(hierarchy: Hierarchy) -> tuple[Any, dict[str, Any]]:
    """The root group's metadata, and its consolidated members by relative path."""
    root = hierarchy.store_path
    if hierarchy.zarr_format == 2:
        nodes = parse_zmetadata((root / ".zmetadata").read_bytes())
        return nodes.pop(""), nodes
    meta = parse_node_metadata(_documents(root, ""))
    assert isinstance(meta, GroupMetadataV3)
    assert meta.consolidated_metadata is not None
    return meta, dict(meta.consolidated_metadata.metadata)


@pytest.mark.parametrize("hierarchy", hierarchies(), ids=lambda h: h.name)
def test_consolidated_hierarchy(hierarchy: Hierarchy) -> None:
    root, members = _consolidated(hierarchy)
    assert root.attributes == hierarchy.groups[""]
    array_cases = [c for c in ALL if c.name in hierarchy.arrays]
    assert set(members) == {c.node for c in array_cases} | (set(hierarchy.groups) - {""})
    for path, attrs in hierarchy.groups.items():
        if path:
            assert members[path].attributes == attrs
            own = parse_node_metadata(_documents(hierarchy.store_path, path))
            if hierarchy.zarr_format == 3:
                # A consolidated v3 group entry carries an empty consolidated stub.
                assert isinstance(own, GroupMetadataV3)
                assert members[path].consolidated_metadata.metadata == {}
                own = own.with_consolidated(members[path].consolidated_metadata)
            assert members[path] == own, path
    for case in array_cases:
        own = parse_node_metadata(_documents(hierarchy.store_path, case.node))
        assert members[case.node] == own, case.node
        array = zarrdist.open_array(str(hierarchy.store_path), path=case.node, mode="r")
        assert_arrays_identical(array[...], case.expected())


_OPENERS = {
    "open_consolidated": lambda store: zarrdist.open_consolidated(store, mode="r"),
    "open_group": lambda store: zarrdist.open_group(store, mode="r"),
    "open_group_unconsolidated": lambda store: zarrdist.open_group(
        store, mode="r", use_consolidated=False
    ),
}


@pytest.mark.parametrize("opener", sorted(_OPENERS))
@pytest.mark.parametrize("hierarchy", hierarchies(), ids=lambda h: h.name)
def test_group_api_reads_hierarchy(hierarchy: Hierarchy, opener: str) -> None:
    """zarrdist's groups see the golden tree, with and without its consolidated metadata."""
    root = _OPENERS[opener](str(hierarchy.store_path))
    assert root.zarr_format == hierarchy.zarr_format
    members = dict(root.members(max_depth=None))
    array_cases = [c for c in ALL if c.name in hierarchy.arrays]
    assert set(members) == {c.node for c in array_cases} | (set(hierarchy.groups) - {""})
    for path, attrs in hierarchy.groups.items():
        group = root if path == "" else members[path]
        assert isinstance(group, zarrdist.Group), path
        assert group.attrs.asdict() == attrs, path
    for case in array_cases:
        array = members[case.node]
        assert isinstance(array, zarrdist.Array), case.node
        assert_arrays_identical(array[...], case.expected())
        assert_arrays_identical(root[case.node][...], case.expected())
