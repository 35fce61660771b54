"""Shared helpers for the graph-engine tests: stores that raise or count, graph checks,
array layouts, the engines an Array runs on, and one LocalCluster per session."""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Callable, Hashable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from dask.base import tokenize
from dask.task_spec import DataNode

from zarrdist.chunking.indexing import basic_indexer
from zarrdist.chunkio.units import ArrayHandle, group_by_unit
from zarrdist.errors import StoreError
from zarrdist.graphs import copy as graph_copy
from zarrdist.graphs import read as graph_read
from zarrdist.graphs import resize as graph_resize
from zarrdist.graphs import write as graph_write
from zarrdist.stores import LocalStore, MemoryStore, Store, WrapperStore

if TYPE_CHECKING:
    from distributed import Client

    from zarrdist.graphs.plan import GraphSpec

__all__ = [
    "ENGINES",
    "LAYOUTS",
    "ByteCountingStore",
    "Engine",
    "FailingStore",
    "RaisingStore",
    "assert_graph_ok",
    "assert_same",
    "fill_like",
    "sample",
    "shared_cluster",
    "snapshot",
    "written_keys",
]

# -- stores --------------------------------------------------------------------------


class RaisingStore(WrapperStore):
    """A store whose every I/O method raises: proves that building a graph does no I/O.

    Its spec, URL and capabilities (descriptions, not I/O) are the base store's.
    """

    driver = "raising"

    def _call(self, name: str, fn: Callable[..., Any], *args: Any) -> Any:
        raise AssertionError(f"I/O at graph build time: {name}{args!r}")

    def _get(self, key: str, byte_range: Any) -> Any:
        raise AssertionError(f"I/O at graph build time: _get({key!r})")

    def _set(self, key: str, value: Any) -> None:
        raise AssertionError(f"I/O at graph build time: _set({key!r})")

    def _delete(self, key: str) -> None:
        raise AssertionError(f"I/O at graph build time: _delete({key!r})")

    def _list(self, prefix: str) -> Iterator[str]:
        raise AssertionError(f"I/O at graph build time: _list({prefix!r})")


class ByteCountingStore(WrapperStore):
    """Counts calls (like LoggingStore) and the bytes every read returned."""

    driver = "byte-counting"

    def __init__(self, store: Store) -> None:
        super().__init__(store)
        self.calls: dict[str, int] = {}
        self.bytes_read = 0
        self._lock = threading.Lock()

    def _call(self, name: str, fn: Callable[..., Any], *args: Any) -> Any:
        result = fn(*args)
        values = result if name in ("get_many", "get_ranges") else [result]
        read = sum(len(v) for v in values if isinstance(v, bytes | memoryview))
        with self._lock:
            self.calls[name] = self.calls.get(name, 0) + 1
            if name.startswith("get"):
                self.bytes_read += read
        return result

    def reset(self) -> None:
        """Forget what was counted so far."""
        with self._lock:
            self.calls.clear()
            self.bytes_read = 0


class FailingStore(WrapperStore):
    """Raises StoreError on the ``fail_on``-th call to ``set`` (1-based); counts sets."""

    driver = "failing"

    def __init__(self, store: Store, fail_on: int) -> None:
        super().__init__(store)
        self.fail_on = fail_on
        self.sets = 0
        self.failed_key: str | None = None
        self._lock = threading.Lock()

    def set(self, key: str, value: bytes | bytearray | memoryview) -> None:
        with self._lock:
            self.sets += 1
            fail = self.sets == self.fail_on
            if fail:
                self.failed_key = key
        if fail:
            raise StoreError("injected failure", store=self.url, key=key)
        self.store.set(key, value)


def snapshot(store: Store) -> dict[str, bytes]:
    """Every key and its bytes."""
    return {k: bytes(store.get(k) or b"") for k in sorted(store.list())}


# -- graph hygiene ---------------------------------------------------------------------

# zarrdist-<op>-[<array path>-]<token>
NAME = re.compile(r"^zarrdist-[a-z]+-([A-Za-z0-9_.-]+-)?[0-9a-f]{32}$")


def _units_keys(handle: ArrayHandle, units: Mapping[tuple[int, ...], Any]) -> set[str]:
    return {handle.key(u) for u in units}


def written_keys(node: Any) -> set[str]:
    """Store keys a graph node writes (or deletes), from the engine's task functions."""
    func = getattr(node, "func", None)
    args = getattr(node, "args", ())
    if func is graph_write._write:
        return _units_keys(args[0], args[1])
    if func is graph_write._write_block:
        handle, region = args[0], args[1]
        indexer = basic_indexer(region, handle.metadata.shape, handle.io_chunk_shape)
        return _units_keys(handle, group_by_unit(handle, indexer))
    if func is graph_resize._reset:
        return _units_keys(args[0], args[1])
    if func is graph_resize._delete:
        return set(args[1])
    if func is graph_resize._publish:
        return {args[0].prefix + k for k in args[1].to_documents()}
    if func is graph_copy._copy_block:
        handle, region = args[1], args[3]
        indexer = basic_indexer(region, handle.metadata.shape, handle.io_chunk_shape)
        return _units_keys(handle, group_by_unit(handle, indexer))
    if func is graph_copy._finish and args[2]:
        return {args[0].prefix + k for k in args[0].metadata.to_documents()}
    return set()


_READERS = {graph_read._fill, graph_read._collect, graph_read._read_block}
_WRITERS = {
    graph_write._write,
    graph_write._write_block,
    graph_resize._reset,
    graph_resize._delete,
    graph_resize._publish,
    graph_copy._copy_block,
}
_BARRIERS = {graph_read._done, graph_write._done, graph_copy._finish}


def _name(key: Hashable) -> str:
    return str(key[0] if isinstance(key, tuple) else key)


def assert_graph_ok(
    graph: GraphSpec,
    rebuild: Callable[[], GraphSpec] | None = None,
    *,
    foreign: frozenset[Hashable] = frozenset(),
) -> None:
    """The hygiene every zarrdist graph must pass.

    Keys are unique and each node carries its own key; zarrdist keys are named
    ``zarrdist-<op>-<32 hex>`` (``foreign`` holds keys of an input dask array);
    every dependency resolves inside the graph; no two tasks write the same store
    key; and building the graph again gives the same graph (names, keys, tokens).
    """
    dsk = graph.dsk
    assert graph.keys, "a graph must name its output keys"
    assert all(k in dsk for k in graph.keys)
    assert NAME.match(graph.name), graph.name
    assert graph.name.split("-")[1] == graph.op
    owner: dict[str, Hashable] = {}
    io_tasks = 0
    for key, node in dsk.items():
        assert node.key == key, (key, node.key)
        for dep in node.dependencies:
            assert dep in dsk, f"{key!r} depends on missing {dep!r}"
        if key in foreign:
            continue
        assert NAME.match(_name(key)), f"badly named key {key!r}"
        func = getattr(node, "func", None)
        # Every node is a kind this check understands, so no writer escapes it.
        assert isinstance(node, DataNode) or func in _READERS | _WRITERS | _BARRIERS, node
        for store_key in written_keys(node):
            assert store_key not in owner, (
                f"{owner[store_key]!r} and {key!r} both write {store_key!r}"
            )
            owner[store_key] = key
        if func in _READERS or (written_keys(node) and func is not graph_resize._publish):
            io_tasks += 1
    if graph.op in ("read", "write"):
        assert graph.num_tasks == io_tasks, (graph.num_tasks, io_tasks)
    if rebuild is not None:
        again = rebuild()
        assert again.name == graph.name
        assert set(again.dsk) == set(dsk)
        assert again.keys == graph.keys
        assert tokenize(again.dsk) == tokenize(dsk)


# -- arrays and values -----------------------------------------------------------------

#: name -> create_array keywords; shape (11, 7) is a multiple of neither chunks nor shards.
LAYOUTS: dict[str, dict[str, Any]] = {
    "v2": {"zarr_format": 2, "chunks": (3, 2)},
    "v3": {"zarr_format": 3, "chunks": (3, 2)},
    "v3-sharded": {"zarr_format": 3, "chunks": (3, 2), "shards": (6, 4)},
}
SHAPE = (11, 7)


def sample(dtype: Any, shape: tuple[int, ...], seed: int) -> np.ndarray[Any, Any]:
    """Distinct, non-fill values of ``dtype``: every write changes what it touches."""
    dtype = np.dtype(dtype)
    n = int(np.prod(shape))
    ints = np.random.default_rng(seed).permutation(n) + 1 + seed * n
    if dtype.kind in "TUO":
        return np.array([f"s{i}" for i in ints], dtype=dtype).reshape(shape)
    if dtype.kind == "S":
        return np.array([f"b{i}".encode() for i in ints], dtype=dtype).reshape(shape)
    if dtype.kind == "b":
        return np.ones(shape, dtype=dtype)
    if dtype.kind == "M":
        return (ints.astype("i8")).astype(dtype).reshape(shape)
    return ints.astype(dtype).reshape(shape)


def fill_like(z: Any) -> np.ndarray[Any, Any]:
    """The NumPy mirror of a freshly created array: every element the fill value."""
    out = np.empty(z.shape, dtype=z.dtype)
    out[...] = z.fill_value
    return out


def assert_same(actual: Any, expected: Any) -> None:
    """Equal values (NaN and NaT equal themselves), shape and dtype, as NumPy returns them.

    A scalar result must have the type NumPy's scalar has (``np.int32``, ``str``...).
    """
    if not isinstance(expected, np.ndarray):
        assert type(actual) is type(expected), (type(actual), type(expected))
        np.testing.assert_array_equal(actual, expected)
        return
    assert isinstance(actual, np.ndarray), type(actual)
    assert actual.shape == expected.shape
    assert actual.dtype == expected.dtype
    np.testing.assert_array_equal(actual, expected)


# -- engines ---------------------------------------------------------------------------


@dataclass
class Engine:
    """How an Array test runs: ``sync``, ``threads`` or ``distributed``."""

    name: str
    root: Path
    client: Client | None = None

    def store(self, name: str = "data.zarr") -> Store:
        """A fresh store: local files (workers reach them), in memory for ``sync``."""
        if self.name == "sync":
            return MemoryStore()
        return LocalStore(self.root / name)


ENGINES = ("sync", "threads", "distributed")

_CLUSTER: dict[str, Any] = {"users": 0}
_CLUSTER_LOCK = threading.Lock()


@contextlib.contextmanager
def shared_cluster() -> Iterator[Client]:
    """One ``LocalCluster(processes=True, n_workers=2, threads_per_worker=1)`` per session.

    Every test module's session fixture enters this; the last one out closes it.
    The client is never made the default: tests opt in with ``client.as_current()``.
    """
    from distributed import Client, LocalCluster

    with _CLUSTER_LOCK:
        if _CLUSTER["users"] == 0:
            cluster = LocalCluster(
                processes=True, n_workers=2, threads_per_worker=1, dashboard_address=None
            )
            _CLUSTER["cluster"] = cluster
            _CLUSTER["client"] = Client(cluster, set_as_default=False)
        _CLUSTER["users"] += 1
    try:
        yield _CLUSTER["client"]
    finally:
        with _CLUSTER_LOCK:
            _CLUSTER["users"] -= 1
            if _CLUSTER["users"] == 0:
                _CLUSTER.pop("client").close()
                _CLUSTER.pop("cluster").close()


@contextlib.contextmanager
def engine_context(name: str, root: Path, get_client: Callable[[], Client]) -> Iterator[Engine]:
    """Configure zarrdist for engine ``name`` and force the graph path."""
    from zarrdist.config import config
    from zarrdist.graphs.execute import scheduler_name

    # The distributed engine sends NumPy work to the cluster too, which by default
    # stays in this process (config numpy_on_cluster), so that the workers run it.
    settings: dict[str, Any] = {"direct_max_bytes": 0, "numpy_on_cluster": name == "distributed"}
    if name == "sync":
        settings["scheduler"] = "sync"
    with config.set(settings):
        if name != "distributed":
            assert scheduler_name(2) == ("sync" if name == "sync" else "threads")
            yield Engine(name, root)
            return
        client = get_client()
        with client.as_current():
            assert scheduler_name(2) == "distributed"
            yield Engine(name, root, client)
