"""Copying raw keys between stores on the graph engine.

Keys are split into batches; each batch is one task that fetches its values with
one ``get_many`` (concurrent on remote stores) and writes them with one
``set_many``. Tasks never share a key, so they need no locks. Used by
``copy_store`` and ``Group.move``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from dask.base import tokenize
from dask.task_spec import Task, TaskRef
from dask.typing import Key

from zarrdist.graphs.execute import run_graph

if TYPE_CHECKING:
    from zarrdist.stores import Store

__all__ = ["copy_keys", "copy_keys_graph", "renamed"]

#: Keys per task: enough to amortise scheduling, small enough to bound memory.
KEYS_PER_TASK = 64


def _copy_batch(source: Store, dest: Store, pairs: Sequence[tuple[str, str]]) -> tuple[int, int]:
    values = source.get_many([src for src, _ in pairs])
    items = {dst: v for (_, dst), v in zip(pairs, values, strict=True) if v is not None}
    if items:
        dest.set_many(items)
    return len(items), sum(len(v) for v in items.values())


def _total(*counts: tuple[int, int]) -> tuple[int, int]:
    return sum(c[0] for c in counts), sum(c[1] for c in counts)


def copy_keys_graph(
    source: Store, dest: Store, pairs: Sequence[tuple[str, str]]
) -> tuple[dict[Key, Any], Key]:
    """A graph copying ``source[src]`` to ``dest[dst]`` for each pair, and its result key.

    The result is ``(keys copied, bytes copied)``.
    """
    token = tokenize(source.spec, dest.spec, list(pairs))
    name = f"zarrdist-copykeys-{token}"
    dsk: dict[Key, Any] = {}
    refs = []
    for i in range(0, len(pairs), KEYS_PER_TASK):
        key = (name, i // KEYS_PER_TASK)
        dsk[key] = Task(key, _copy_batch, source, dest, list(pairs[i : i + KEYS_PER_TASK]))
        refs.append(TaskRef(key))
    done = (f"zarrdist-done-{token}",)
    dsk[done] = Task(done, _total, *refs) if refs else Task(done, _total)
    return dsk, done


def copy_keys(
    source: Store,
    dest: Store,
    pairs: Sequence[tuple[str, str]],
) -> tuple[int, int]:
    """Copy each ``src`` key of ``source`` to ``dst`` of ``dest``; (keys, bytes) copied.

    Missing source keys are skipped. Runs on the scheduler the engine picks: a
    store that lives in one process keeps the graph in this process.
    """
    if not pairs:
        return 0, 0
    dsk, done = copy_keys_graph(source, dest, pairs)
    local = not (source.supports_multiprocess_writes and dest.supports_multiprocess_writes)
    (result,) = run_graph(dsk, [done], num_tasks=len(dsk) - 1, local_only=local)
    copied: tuple[int, int] = result
    return copied


def renamed(keys: Sequence[str], old: str, new: str) -> list[tuple[str, str]]:
    """(key, key with prefix ``old`` replaced by ``new``) for every key."""
    return [(k, new + k[len(old) :]) for k in keys]
