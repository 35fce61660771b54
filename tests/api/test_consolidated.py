"""Consolidated metadata: written as zarr-python writes it, read without per-node
requests, and kept true by every write made through zarrdist."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import zarr as zarr_python

import zarrdist as zarr
from tests.api._helpers import peer_store
from zarrdist.errors import GroupNotFoundError
from zarrdist.metadata import ArrayMetadataV3
from zarrdist.stores import LoggingStore, MemoryStore, Store

pytestmark = pytest.mark.filterwarnings("ignore:Consolidated metadata:UserWarning")


@pytest.fixture(params=[2, 3])
def fmt(request: pytest.FixtureRequest) -> int:
    return int(request.param)


def _build(store: Store, fmt: int) -> None:
    root = zarr.group(store, zarr_format=fmt, attributes={"r": 1})
    root.create_array("b", shape=(3,), dtype="i2", fill_value=2)
    sub = root.create_group("A", attributes={"g": True})
    sub.create_array("x", shape=(4, 4), chunks=(2, 2), dtype="f4")[:] = 1.0
    sub.create_group("deeper/still")


def _consolidated_key(fmt: int) -> str:
    return "zarr.json" if fmt == 3 else ".zmetadata"


def _json(metadata: Any) -> dict[str, Any]:
    document = dict(metadata.to_json())
    document.pop("consolidated_metadata", None)  # a view of the children, compared apart
    return document


def _truth(store: Store, fmt: int) -> dict[str, Any]:
    """What consolidation would record now: every node's metadata, read one by one."""
    members = zarr.open_group(store, use_consolidated=False).members(max_depth=None)
    return {k: _json(v.metadata) for k, v in members}


def _recorded(store: Store) -> dict[str, Any]:
    """What the stored consolidated document says."""
    root = zarr.open_group(store, use_consolidated=True)
    return {k: _json(v.metadata) for k, v in root.members(max_depth=None)}


def test_zarr_python_reads_what_we_consolidate(store: Store, fmt: int) -> None:
    _build(store, fmt)
    zarr.consolidate_metadata(store)
    reopened = zarr_python.open_consolidated(peer_store(store), mode="r")
    assert sorted(k for k, _ in reopened.members(max_depth=None)) == sorted(_truth(store, fmt))
    assert reopened["A/x"].shape == (4, 4)
    assert dict(reopened["A"].attrs) == {"g": True}


def test_memory_documents_equal_zarr_python(fmt: int) -> None:
    ours = MemoryStore()
    _build(ours, fmt)
    peer = peer_store(ours, read_only=False)
    zarr_python.consolidate_metadata(peer)
    zarr.consolidate_metadata(ours)
    key = _consolidated_key(fmt)
    assert bytes(ours.store_dict[key]) == peer._store_dict[key].to_bytes()


def test_reading_consolidated_does_no_per_node_reads(fmt: int) -> None:
    base = MemoryStore()
    _build(base, fmt)
    zarr.consolidate_metadata(base)
    logged = LoggingStore(base)
    root = zarr.open_consolidated(logged)
    opened = sum(logged.counter.values())
    assert opened == 1  # one batch: the group's documents and the consolidated one
    assert sorted(dict(root.members(max_depth=None))) == [
        "A",
        "A/deeper",
        "A/deeper/still",
        "A/x",
        "b",
    ]
    x = root["A/x"]
    assert x.shape == (4, 4)
    assert root["A"]["deeper"]["still"].path == "A/deeper/still"
    assert "A/nothing" not in root
    assert sorted(root) == ["A", "b"]
    repr(root.tree())
    assert "No. members : 5" in repr(root.info)
    assert sum(logged.counter.values()) == opened  # all of that: no store request
    np.testing.assert_array_equal(x[:], np.ones((4, 4), "f4"))
    assert sum(logged.counter.values()) > opened  # data reads do go to the store


def test_consolidated_view_of_v3_metadata() -> None:
    store = MemoryStore()
    _build(store, 3)
    root = zarr.consolidate_metadata(store)
    consolidated = root.metadata.consolidated_metadata
    assert consolidated is not None
    assert sorted(consolidated.metadata) == ["A", "A/deeper", "A/deeper/still", "A/x", "b"]
    assert isinstance(consolidated.metadata["b"], ArrayMetadataV3)
    sub = root["A"].metadata.consolidated_metadata
    assert sub is not None
    assert sorted(sub.metadata) == ["deeper", "deeper/still", "x"]
    assert zarr.open_group(store, use_consolidated=False).metadata.consolidated_metadata is None


WRITES: dict[str, Callable[[zarr.Group, Store], None]] = {
    "create_array": lambda g, s: g.create_array("new", shape=(2,), dtype="i1"),
    "nested_create": lambda g, s: g["A"].create_array("p/q", shape=(1,), dtype="u1"),
    "create_group": lambda g, s: g.create_group("A/deeper/more", attributes={"m": 1}),
    "delete": lambda g, s: g.__delitem__("A"),
    "rmdir_nested": lambda g, s: g["A"].rmdir("deeper"),
    "move": lambda g, s: g.move("A", "Z/moved"),
    "group_attrs": lambda g, s: g["A"].attrs.update({"changed": 1}),
    "root_attrs": lambda g, s: g.attrs.__setitem__("changed", 2),
    "array_attrs": lambda g, s: g["A/x"].attrs.__setitem__("units", "m"),
    "resize": lambda g, s: g["A/x"].resize((6, 6)),
    "append": lambda g, s: g["b"].append(np.arange(2, dtype="i2")),
    "setitem": lambda g, s: g.__setitem__("saved", np.arange(3)),
    "overwrite": lambda g, s: g.create_array("A", shape=(1,), dtype="i1", overwrite=True),
    "hierarchy": lambda g, s: list(
        g.create_hierarchy({"H/a": zarr.GroupMetadata(zarr_format=g.zarr_format)})
    ),
    "top_level_create": lambda g, s: zarr.create_array(
        s, name="A/top", shape=(1,), zarr_format=g.zarr_format
    ),
    "top_level_open_array": lambda g, s: zarr.open_array(s, path="A/x").attrs.update({"t": 1}),
    "with_config": lambda g, s: g["A/x"].with_config(order="F").attrs.update({"c": 1}),
}


@pytest.mark.parametrize("write", sorted(WRITES))
def test_writes_keep_consolidated_true(store: Store, fmt: int, write: str) -> None:
    _build(store, fmt)
    zarr.consolidate_metadata(store)
    root = zarr.open_group(store)
    WRITES[write](root, store)
    assert _recorded(store) == _truth(store, fmt)
    if not write.startswith("top_level"):
        # the handle that wrote sees the change without re-opening
        assert sorted(k for k, _ in root.members(max_depth=None)) == sorted(_truth(store, fmt))
    # and zarr-python, trusting the consolidated document, agrees
    peer = zarr_python.open_group(peer_store(store), mode="r", use_consolidated=True)
    assert sorted(k for k, _ in peer.members(max_depth=None)) == sorted(_truth(store, fmt))


def test_nested_consolidation_roots_are_all_updated(store: Store) -> None:
    _build(store, 3)
    zarr.consolidate_metadata(store, path="A")
    zarr.consolidate_metadata(store)
    zarr.create_array(store, name="A/deeper/arr", shape=(2,), dtype="i4")
    inner = zarr.open_group(store, path="A", use_consolidated=True)
    assert "deeper/arr" in dict(inner.members(max_depth=None))
    assert "A/deeper/arr" in _recorded(store)


def test_use_consolidated_options(store: Store) -> None:
    _build(store, 2)
    with pytest.raises(ValueError, match="consolidated"):
        zarr.open_group(store, use_consolidated=True)
    with pytest.raises(ValueError, match="consolidated"):
        zarr.open_consolidated(store)
    with pytest.raises(TypeError, match="use_consolidated=True"):
        zarr.open_consolidated(store, use_consolidated=False)
    with pytest.raises(TypeError, match="use_consolidated"):  # zarr-python's class too
        zarr_python.open_consolidated({}, use_consolidated=False)  # type: ignore[arg-type]
    zarr.consolidate_metadata(store)
    store.set("custom.json", bytes(store.get(".zmetadata") or b""))
    store.delete(".zmetadata")
    root = zarr.open_group(store, use_consolidated="custom.json")
    assert sorted(root) == ["A", "b"]
    with pytest.raises(TypeError, match="use_consolidated"):
        zarr.open_group(store, zarr_format=3, use_consolidated="custom.json")


def test_stale_consolidated_from_other_writers_is_trusted_as_zarr_python_does(
    store: Store,
) -> None:
    """A writer that bypasses zarrdist (raw key deletion) leaves the document stale;
    reads trust it, exactly as zarr-python's do, and re-consolidating repairs it."""
    _build(store, 3)
    zarr.consolidate_metadata(store)
    store.delete("b/zarr.json")
    assert "b" in zarr.open_group(store)
    assert "b" not in zarr.open_group(store, use_consolidated=False)
    zarr.consolidate_metadata(store)
    assert "b" not in zarr.open_group(store)


def test_required_consolidation_never_creates_a_group(store: Store) -> None:
    for mode in ("a", "r+"):
        with pytest.raises(GroupNotFoundError):
            zarr.open_consolidated(store, mode=mode)
    assert list(store.list()) == []
    _build(store, 3)
    zarr.consolidate_metadata(store)
    writable = zarr.open_consolidated(store)  # zarr-python's default mode: writable
    writable.create_group("added")
    assert "added" in _recorded(store)


class _OwnConsolidation(MemoryStore):
    """A store that keeps its own consolidated view (zarr-python's opt-out flag)."""

    supports_consolidated_metadata = False


class _PeerOwnConsolidation(zarr_python.storage.MemoryStore):
    @property
    def supports_consolidated_metadata(self) -> bool:
        return False


@pytest.mark.parametrize(
    ("module", "make"), [(zarr, _OwnConsolidation), (zarr_python, _PeerOwnConsolidation)]
)
def test_store_without_consolidated_metadata(module: Any, make: Any) -> None:
    """As zarr-python: consolidating is refused (TypeError), requiring it is a
    ValueError, and ``use_consolidated=None`` opens without it."""
    store = make()
    module.create_group(store).create_group("a/b")
    with pytest.raises(TypeError, match="doesn't support consolidated metadata"):
        module.consolidate_metadata(store)
    with pytest.raises(ValueError, match="doesn't support consolidated metadata"):
        module.open_group(store, use_consolidated=True)
    assert sorted(module.open_group(store, use_consolidated=None).group_keys()) == ["a"]
