"""Run a graph: inline, on dask's threaded scheduler, or on a distributed cluster.

The choice, in order:

1. A graph of one task runs inline through dask's synchronous scheduler: a small
   operation costs no thread pool and no scheduler round trip.
2. A graph over a store that lives in one process (memory, zip) runs on local
   threads, where the store lives, even when a cluster is active.
3. config ``scheduler``: ``"sync"``, ``"threads"``, or a distributed address.
4. An active ``distributed.Client`` (``distributed.default_client()``).
5. dask's threaded scheduler with ``threading.max_workers`` threads.
"""

from __future__ import annotations

import contextlib
import gc
import sys
import threading
import uuid
from collections.abc import Iterator, Mapping, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal

from zarrdist.config import config, get_int

if TYPE_CHECKING:
    from dask.typing import Key

# dask is imported by the functions that run or rewrite graphs, not here: the direct
# path (choose_engine, numpy_stays_local, gc_paused) serves small reads and writes
# that never build a graph, and a fresh process should not pay for importing dask.

__all__ = [
    "Engine",
    "active_client",
    "choose_engine",
    "embedded_bytes",
    "fresh_names",
    "gc_paused",
    "numpy_stays_local",
    "run_graph",
    "scheduler_name",
]

#: Where an operation runs: "inline" (the calling thread), "pool" (the calling
#: thread and the reader pool, no graph), or a graph on "sync", "threads" or
#: "distributed" (see :func:`scheduler_name`).
Engine = Literal["inline", "pool", "sync", "threads", "distributed"]


def active_client() -> Any | None:
    """The distributed Client graphs should run on, or None.

    distributed is imported only if the user (or config) already brought it in:
    a plain ``import zarrdist`` must not start one.
    """
    setting = config.get("scheduler")
    if isinstance(setting, str) and "://" in setting:
        return _client_for(setting)
    if setting in ("sync", "threads", "single-threaded", "synchronous"):
        return None
    if "distributed" not in sys.modules:
        return None
    from distributed import default_client, get_worker

    try:
        get_worker()
    except ValueError:
        pass
    else:
        # Inside a task on a worker: a blocking client.get here could deadlock the
        # worker's thread pool, so nested graphs run on local threads.
        return None
    try:
        return default_client()
    except ValueError:
        return None


@lru_cache(maxsize=8)
def _client_for(address: str) -> Any:
    from distributed import Client

    return Client(address, set_as_default=False)


_LOCAL_NAMES = ("sync", "single-threaded", "synchronous", "threads", "threading")


def _check_setting(setting: Any) -> None:
    if setting is None or setting in _LOCAL_NAMES:
        return
    if isinstance(setting, str) and "://" in setting:
        return
    raise ValueError(
        f"config 'scheduler' is {setting!r}: use None (an active distributed Client, else "
        f"threads), 'sync', 'threads', or a distributed scheduler address like "
        f"'tcp://host:8786'"
    )


def choose_engine(units: int, nbytes: int | None = None, *, local_only: bool = False) -> Engine:
    """The one place that decides where an operation over ``units`` storage units runs.

    One unit (or none) runs inline: a graph or a thread hand-off costs more than
    the work. More units whose selection holds at most ``direct_max_bytes``
    (``nbytes``, when the caller knows it) run on the direct path: the caller and
    the reader pool, no graph. Anything else is a graph, on the scheduler
    :func:`scheduler_name` picks. Reads, writes and graphs all ask this function.
    """
    if units <= 1:
        return "inline"
    if nbytes is not None and nbytes <= int(config.get("direct_max_bytes")):
        return "pool"
    return scheduler_name(units, local_only=local_only)


def scheduler_name(
    num_tasks: int, *, local_only: bool = False
) -> Literal["sync", "threads", "distributed"]:
    """Which scheduler :func:`run_graph` will use: "sync", "threads" or "distributed".

    Raises
    ------
    ValueError
        If config ``scheduler`` names no scheduler zarrdist can use.
    """
    setting = config.get("scheduler")
    _check_setting(setting)
    if num_tasks <= 1 or setting in ("sync", "single-threaded", "synchronous"):
        return "sync"
    if local_only:
        return "threads"
    if active_client() is not None:
        return "distributed"
    return "threads"


def numpy_stays_local() -> bool:
    """Whether work on NumPy data of this process runs on local threads (the default).

    The rule, in one place: data in this process is worked on in this process. A
    read into a NumPy array, a write of a NumPy array (or scalar), and a write of a
    dask array whose blocks are mostly NumPy data held in its graph run on local
    threads even with a distributed Client open, unless config
    ``numpy_on_cluster`` is set. Graphs whose data is elsewhere (dask arrays of
    computed blocks, ``to_dask``, copies between stores) run on the Client; a
    ``to_dask()`` array computed there comes back block by block, straight into
    one array in this process (:mod:`zarrdist.graphs.gather`).
    """
    return not config.get("numpy_on_cluster")


def embedded_bytes(dsk: Mapping[Key, Any]) -> int:
    """Bytes of in-memory arrays held in a graph, as ``da.from_array(numpy)`` puts them."""
    from dask.task_spec import DataNode, GraphNode

    total = 0
    for node in dsk.values():
        value = node.value if isinstance(node, DataNode) else node
        nbytes = getattr(value, "nbytes", None)
        if isinstance(nbytes, int) and not isinstance(value, GraphNode):
            total += nbytes
    return total


def fresh_names(dsk: Mapping[Key, Any], keys: Sequence[Key]) -> tuple[dict[Key, Any], list[Key]]:
    """``dsk`` and ``keys`` with every ``zarrdist-<op>-<token>`` name given a new token.

    Graph names are deterministic in the array and the selection, not in the data:
    a cluster still holding the results of an earlier run (its keys are released
    asynchronously) would hand those back instead of reading or writing again.
    Each run therefore gets names of its own; keys of input dask arrays are kept.
    """
    from dask.base import tokenize
    from dask.task_spec import GraphNode

    nonce = uuid.uuid4().hex
    names: dict[str, str] = {}

    def rename(key: Key) -> Key:
        name = key[0] if isinstance(key, tuple) else key
        if not (isinstance(name, str) and name.startswith("zarrdist-")):
            return key
        if name not in names:
            prefix, _, token = name.rpartition("-")
            names[name] = f"{prefix}-{tokenize(token, nonce)}"
        return (names[name], *key[1:]) if isinstance(key, tuple) else names[name]

    renamed: dict[Key, Key] = {k: new for k in dsk if (new := rename(k)) != k}
    # (GraphNode.substitute takes values that may be nodes; its dict is invariant.)
    subs: dict[Key, Key | GraphNode] = dict(renamed)
    fresh: dict[Key, Any] = {}
    for key, node in dsk.items():
        new_key = renamed.get(key, key)
        # Input dask arrays may hold legacy values (raw arrays): those keep their keys.
        fresh[new_key] = node.substitute(subs, key=new_key) if isinstance(node, GraphNode) else node
    return fresh, [renamed.get(k, k) for k in keys]


def run_graph(
    dsk: Mapping[Key, Any],
    keys: Sequence[Key],
    *,
    num_tasks: int | None = None,
    local_only: bool = False,
) -> list[Any]:
    """Compute ``keys`` of ``dsk`` on the scheduler :func:`scheduler_name` picks.

    Parameters
    ----------
    dsk
        A plain dict of ``dask.task_spec`` nodes.
    keys
        The keys whose results are returned, in order.
    num_tasks
        Number of tasks doing real work (defaults to ``len(dsk)``).
    local_only
        The graph touches a store that lives in this process: never ship it away.
    """
    import dask.local
    import dask.threaded

    which = scheduler_name(len(dsk) if num_tasks is None else num_tasks, local_only=local_only)
    if which == "sync":
        return list(dask.local.get_sync(dict(dsk), list(keys)))
    if which == "distributed":
        client = active_client()
        assert client is not None
        fresh, fresh_keys = fresh_names(dsk, keys)
        return list(client.get(fresh, fresh_keys, sync=True))
    workers = get_int("threading.max_workers")
    return list(dask.threaded.get(dict(dsk), list(keys), num_workers=workers))


_gc_lock = threading.Lock()
_gc_pauses = 0
_gc_resume = False


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Hold CPython's automatic cycle collection while an operation plans and runs.

    An operation over many units keeps a few small containers per unit alive from
    planning to its end. Surviving the young generations, they make the collector
    run a full collection of the process every other operation (docs/performance.md,
    "Garbage collection during reads"). The objects hold no cycles, so nothing is
    lost by waiting: collection resumes when the last concurrent operation ends,
    and only if it was on before the first one began.

    ``gc.disable`` acts on the whole process, the user's other threads included,
    so the pause is a setting: config ``gc_pause`` (default True); False leaves the
    collector alone.
    """
    global _gc_pauses, _gc_resume
    if not config.get("gc_pause"):
        yield
        return
    with _gc_lock:
        if _gc_pauses == 0:
            _gc_resume = gc.isenabled()
            gc.disable()
        _gc_pauses += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pauses -= 1
            if _gc_pauses == 0 and _gc_resume:
                gc.enable()
