"""Consolidated metadata (v2 ``.zmetadata``, v3 inline) byte-equal to zarr-python 3.1.5."""

from __future__ import annotations

import json
import warnings
from typing import Any

import pytest

from zarrdist.errors import MetadataError, UnknownCodecError
from zarrdist.metadata import (
    ArrayMetadataV2,
    ArrayMetadataV3,
    ConsolidatedMetadata,
    GroupMetadataV2,
    GroupMetadataV3,
    NodeMetadata,
    consolidate,
    parse_node_metadata,
    parse_zmetadata,
    zmetadata_document,
)


def _zarr_hierarchy(zarr_format: int) -> dict[str, bytes]:
    """A hierarchy written and consolidated by zarr-python: every stored document."""
    import zarr
    from zarr.storage import MemoryStore

    store = MemoryStore()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        root = zarr.open_group(store, mode="w", zarr_format=zarr_format, attributes={"r": 1})
        root.create_array("Beta", shape=(4,), chunks=(2,), dtype="f4", fill_value=float("nan"))
        root.create_array("alpha", shape=(2, 2), chunks=(1, 2), dtype="i2", attributes={"u": "m"})
        sub = root.create_group("sub", attributes={"s": [1, 2]})
        sub.create_array("leaf", shape=(), dtype="u1")
        sub.create_group("empty")
        zarr.consolidate_metadata(store)
    return {k: v.to_bytes() for k, v in store._store_dict.items()}


def _nodes(raw: dict[str, bytes], zarr_format: int) -> dict[str, NodeMetadata]:
    """Every node's own metadata, by path, from the individual documents."""
    paths = {k.rpartition("/")[0] for k in raw}
    out = {}
    for path in sorted(paths):
        prefix = f"{path}/" if path else ""
        docs = {k[len(prefix) :]: v for k, v in raw.items() if k.rpartition("/")[0] == path}
        docs.pop(".zmetadata", None)
        out[path] = parse_node_metadata(docs, key_prefix=path, zarr_format=zarr_format)
    return out


def test_v3_inline_equals_zarr_python() -> None:
    raw = _zarr_hierarchy(3)
    nodes = _nodes(raw, 3)
    root = nodes.pop("")
    assert isinstance(root, GroupMetadataV3)
    assert root.consolidated_metadata is not None
    # Built from each node's own document, it is what zarr-python wrote.
    rebuilt = root.with_consolidated(consolidate(nodes))
    assert rebuilt.to_documents()["zarr.json"] == raw["zarr.json"]
    assert rebuilt == root
    assert list(root.consolidated_metadata) == ["alpha", "Beta", "sub", "sub/empty", "sub/leaf"]
    children = root.consolidated_metadata.children()
    assert sorted(children) == ["Beta", "alpha", "sub"]
    assert sorted(root.consolidated_metadata.children("sub")) == ["empty", "leaf"]
    assert isinstance(children["alpha"], ArrayMetadataV3)


def test_v2_zmetadata_equals_zarr_python() -> None:
    raw = _zarr_hierarchy(2)
    nodes = _nodes(raw, 2)
    root = nodes.pop("")
    assert isinstance(root, GroupMetadataV2)
    document = zmetadata_document(root, nodes)  # type: ignore[arg-type]
    assert document == raw[".zmetadata"]
    parsed = parse_zmetadata(raw[".zmetadata"])
    assert parsed.pop("") == root
    assert parsed == nodes
    assert isinstance(parsed["sub/leaf"], ArrayMetadataV2)


def test_nested_groups_are_flattened() -> None:
    leaf = ArrayMetadataV3(shape=(1,), data_type="u1", chunk_shape=(1,))
    inner = GroupMetadataV3(consolidated_metadata=ConsolidatedMetadata({"x": leaf}))
    flat = ConsolidatedMetadata({"g": inner})
    assert list(flat) == ["g", "g/x"]
    assert flat.metadata["g"] == GroupMetadataV3(consolidated_metadata=ConsolidatedMetadata({}))
    assert ConsolidatedMetadata.from_json(flat.to_json()) == flat


def test_invalid_consolidated_metadata_reports_every_entry() -> None:
    good = ArrayMetadataV3(shape=(1,), data_type="u1", chunk_shape=(1,)).to_json()
    bad_array = {**good, "shape": "x"}
    document = {
        "attributes": {},
        "zarr_format": 3,
        "node_type": "group",
        "consolidated_metadata": {
            "kind": "inline",
            "must_understand": False,
            "metadata": {"ok": good, "broken": bad_array, "../up": good, "weird": 3},
        },
    }
    with pytest.raises(MetadataError) as info:
        parse_node_metadata({"zarr.json": json.dumps(document).encode()}, key_prefix="g")
    locs = {p.loc for p in info.value.problems}
    assert locs == {
        "consolidated_metadata.metadata.broken.shape",
        "consolidated_metadata.metadata.../up",
        "consolidated_metadata.metadata.weird",
    }
    assert info.value.key == "g/zarr.json"
    unknown = {**good, "codecs": [{"name": "bytes"}, {"name": "nope"}]}
    document["consolidated_metadata"]["metadata"] = {"a": unknown}  # type: ignore[index]
    with pytest.raises(UnknownCodecError) as unknown_info:
        parse_node_metadata({"zarr.json": json.dumps(document).encode()})
    assert unknown_info.value.codec == "nope"
    assert unknown_info.value.key == "zarr.json"


def test_invalid_zmetadata() -> None:
    with pytest.raises(MetadataError, match="zarr_consolidated_format") as info:
        parse_zmetadata(b'{"metadata": {"a/.zarray": {"shape": 1}}, "zarr_consolidated_format": 2}')
    assert info.value.key == ".zmetadata"
    assert any(p.loc.startswith("metadata.a") for p in info.value.problems)
    with pytest.raises(MetadataError, match="JSON object"):
        parse_zmetadata(b"[]")
    with pytest.raises(MetadataError, match="only v2 nodes"):
        zmetadata_document(
            GroupMetadataV2(),
            {"a": GroupMetadataV3()},  # type: ignore[dict-item]
        )


def test_consolidated_metadata_dict_forms_equal_zarr_python() -> None:
    import zarr
    import zarr.core.group as peer

    from zarrdist.core.group import ConsolidatedMetadata as Ours
    from zarrdist.errors import MetadataTypeError

    def outcome(cls: Any, data: dict[str, Any]) -> Any:
        try:
            return cls.from_dict(dict(data)).to_dict()
        except (ValueError, TypeError) as exc:
            kinds = [c for c in (TypeError, ValueError) if isinstance(exc, c)]
            return kinds[0].__name__

    cases: list[dict[str, Any]] = [
        {"must_understand": False},
        {"kind": "invalid", "metadata": {}},
        {"kind": "inline"},
        {"kind": "inline", "metadata": {"foo": [1, 2, 3]}},
        {"kind": "inline", "must_understand": False, "metadata": {}},
    ]
    for data in cases:
        assert outcome(Ours, data) == outcome(peer.ConsolidatedMetadata, data), data
    with pytest.raises(MetadataTypeError, match="key='foo', type='list'"):
        Ours.from_dict(cases[3])
    with pytest.raises(ValueError, match="kind='None'"):
        Ours.from_dict(cases[0])
    # A consolidated hierarchy: to_dict/from_dict of zarr-python's own dict round-trip.
    store = zarr.storage.MemoryStore()
    root = zarr.group(store)
    root.create_group("b").create_array("x", shape=(2,), dtype="i2")
    root.create_array("a", shape=(3,), dtype="f4")
    with pytest.warns(UserWarning, match="Consolidated metadata"):
        consolidated = zarr.consolidate_metadata(store).metadata.consolidated_metadata
    assert consolidated is not None
    ours = Ours.from_dict(consolidated.to_dict())
    assert sorted(ours.flattened_metadata) == sorted(consolidated.flattened_metadata)
    assert {k: v.to_dict() for k, v in ours.flattened_metadata.items()} == {
        k: v.to_dict() for k, v in consolidated.flattened_metadata.items()
    }
    assert Ours(kind="inline", must_understand=False, metadata={}).to_dict() == (
        peer.ConsolidatedMetadata(kind="inline", must_understand=False, metadata={}).to_dict()
    )
    with pytest.raises(MetadataError, match="kind='other'"):
        Ours(kind="other")  # type: ignore[arg-type]
