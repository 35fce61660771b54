"""From touched units to tasks: grouping, naming, and memory projected per task.

A task owns whole storage units: one shard, or a batch of unsharded chunks of at
most ``graph.task_bytes`` decoded bytes. No two tasks of one graph write the same
key (checked here), so writes inside one graph need no locks.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from dask.base import tokenize
from dask.typing import Key

from zarrdist.config import config, get_int
from zarrdist.errors import GraphError, MemoryBudgetError

if TYPE_CHECKING:
    from zarrdist.chunking.indexing import ChunkProjection, Indexer
    from zarrdist.chunkio.units import ArrayHandle, Units

__all__ = [
    "GraphSpec",
    "check_disjoint",
    "graph_name",
    "plan_tasks",
    "projected_task_bytes",
    "selection_token",
    "value_token",
]


@dataclass(frozen=True)
class GraphSpec:
    """A built graph, ready to run, inspectable before it runs.

    Attributes
    ----------
    op : str
        The operation (``read``, ``write``, ``resize``, ...).
    name : str
        ``zarrdist-<op>-<token>``; task keys are ``(name, *grid position)``.
    dsk : dict
        ``dask.task_spec`` nodes by key.
    keys : list
        Keys whose results the caller wants.
    num_tasks : int
        Tasks doing I/O.
    max_projected_bytes : int
        Projected peak memory of the largest task.
    local_only : bool
        The graph touches a store that lives in this process.
    """

    op: str
    name: str
    dsk: dict[Key, Any] = field(repr=False)
    keys: list[Key] = field(repr=False)
    num_tasks: int
    max_projected_bytes: int
    local_only: bool = False

    def __repr__(self) -> str:
        return (
            f"<GraphSpec {self.name} op={self.op} num_tasks={self.num_tasks} "
            f"max_projected_bytes={self.max_projected_bytes} local_only={self.local_only}>"
        )


#: Characters of a path kept in task names; others (spaces, ``-``...) become ``_``.
_PATH_CHARS = re.compile(r"[^A-Za-z0-9_./]")


def graph_name(op: str, handle: ArrayHandle, *parts: Any) -> str:
    """``zarrdist-<op>-<path>-<token>`` (``zarrdist-<op>-<token>`` for a root array),
    deterministic in the store, path, metadata and parts.

    The array's path is in the name so that a dashboard's task stream says which array
    each task belongs to; the token stays last, after the last ``-``, where dask's
    ``key_split`` drops it and where the renaming in ``execute`` finds it.
    """
    token = tokenize(handle.store.spec, handle.path, handle.metadata, *parts)
    # "/" becomes "-": dask's key_split keeps alphabetic words, so the dashboard groups
    # the tasks of "ocean/temperature" under "zarrdist-read-ocean-temperature".
    label = _PATH_CHARS.sub("_", handle.path.strip("/")).replace("/", "-")
    return f"zarrdist-{op}-{label}-{token}" if label else f"zarrdist-{op}-{token}"


def task_key(name: str, coords: Sequence[int]) -> Key:
    """A task's key: its graph's name and a grid position (dask's ``(name, *index)``)."""
    key: tuple[Key, ...] = (name, *coords)
    return key


def selection_token(indexer: Indexer) -> str:
    """A deterministic token of a projected selection.

    Basic selections are ints and slices, so their projections' repr is exact;
    other kinds carry index arrays, whose repr NumPy abbreviates, so those are
    tokenized by content.
    """
    describe = getattr(indexer, "selection_key", None)
    if describe is not None:
        return str(tokenize(describe()))
    if getattr(indexer, "kind", None) == "basic":
        return repr([(p.chunk_coords, p.chunk_selection, p.out_selection) for p in indexer])
    return str(tokenize([(p.chunk_coords, p.chunk_selection, p.out_selection) for p in indexer]))


def value_token(value: Any) -> tuple[Any, ...]:
    """Identifies a value to write without hashing its data (which costs a pass over it).

    Building the same write twice from the same object gives the same token.
    """
    return (
        type(value).__name__,
        getattr(value, "shape", None),
        str(getattr(value, "dtype", "")),
        id(value),
    )


def _units_per_task(handle: ArrayHandle, n_units: int) -> int:
    """Units per task: whole shards alone; chunks batched up to ``graph.task_bytes``,
    but never so coarsely that fewer than ``graph.tasks_per_thread`` tasks per local
    thread remain to balance the load."""
    if handle.sharding is not None:
        return 1
    unit_bytes = max(handle.unit_spec.nbytes, 1)
    by_bytes = max(1, int(config.get("graph.task_bytes")) // unit_bytes)
    wanted_tasks = get_int("threading.max_workers") * int(config.get("graph.tasks_per_thread"))
    by_balance = max(1, -(-n_units // wanted_tasks))
    return min(by_bytes, by_balance)


def projected_task_bytes(handle: ArrayHandle, units_in_task: int, op: str) -> int:
    """Projected peak memory of a task over ``units_in_task`` units.

    Decoded unit, one codec copy (compression output or RMW buffer) and the
    encoded bytes (bounded by the decoded size), per unit held at once; a batch
    holds its fetched encoded values together.
    """
    decoded = handle.unit_spec.nbytes
    per_unit = decoded * 2 + decoded
    held = units_in_task if op == "read" else 1
    return per_unit + (held - 1) * decoded


def plan_tasks(handle: ArrayHandle, units: Units, op: str) -> list[dict[tuple[int, ...], Any]]:
    """Split ``units`` into tasks and check each against ``graph.max_task_bytes``.

    Raises
    ------
    MemoryBudgetError
        If one task is projected to need more than ``graph.max_task_bytes``.
    GraphError
        If the plan exceeds ``graph.max_tasks``.
    """
    items = list(units.items())
    per_task = _units_per_task(handle, len(items))
    tasks = [dict(items[i : i + per_task]) for i in range(0, len(items), per_task)]
    check_budget(handle, max((len(t) for t in tasks), default=0), op)
    limit = config.get("graph.max_tasks")
    if limit is not None and len(tasks) > int(limit):
        raise GraphError(
            f"{op} of array {handle.path or '/'!r} needs {len(tasks)} tasks, over "
            f"graph.max_tasks={limit}"
        )
    return tasks


def check_budget(handle: ArrayHandle, units_in_task: int, op: str) -> int:
    """Projected bytes of the largest task; raise MemoryBudgetError over the limit."""
    if units_in_task == 0:
        return 0
    projected = projected_task_bytes(handle, units_in_task, op)
    allowed = int(config.get("graph.max_task_bytes"))
    if projected > allowed:
        raise MemoryBudgetError(
            f"{op} of array {handle.path or '/'!r} in store {handle.store.url}: a task over "
            f"units of shape {tuple(handle.metadata.chunk_shape)} would need about "
            f"{projected} bytes; raise graph.max_task_bytes or use smaller shards",
            projected=projected,
            allowed=allowed,
        )
    return projected


def check_disjoint(handle: ArrayHandle, tasks: Sequence[Mapping[tuple[int, ...], Any]]) -> None:
    """Assert the write-unit invariant: every store key belongs to exactly one task.

    Raises
    ------
    GraphError
        If two tasks own the same unit.
    """
    seen: dict[tuple[int, ...], int] = {}
    for i, task in enumerate(tasks):
        for unit in task:
            if unit in seen:
                raise GraphError(
                    f"tasks {seen[unit]} and {i} both write {handle.key(unit)!r} of array "
                    f"{handle.path or '/'!r}"
                )
            seen[unit] = i


def first_unit(task: Mapping[tuple[int, ...], Sequence[ChunkProjection]]) -> tuple[int, ...]:
    """The grid position that names a task in its key."""
    return next(iter(task))
