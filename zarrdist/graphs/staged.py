"""Staged graphs: one task, then many independent tasks, then one closing task.

``create_hierarchy`` writes nodes this way (clear what is replaced, write every
node's documents, then bring consolidated metadata up to date); the stages are
given as plain functions, so this module knows nothing of nodes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from dask.base import tokenize
from dask.task_spec import List, Task, TaskRef
from dask.typing import Key

__all__ = ["Step", "staged_graph"]

#: A function and its leading arguments; the result of the previous stage is appended.
Step = tuple[Callable[..., Any], tuple[Any, ...]]


def staged_graph(
    op: str, token_parts: Any, first: Step, steps: Sequence[Step], last: Step
) -> tuple[dict[Key, Any], Key]:
    """``first`` runs, then every step (in parallel), then ``last``; returns (dsk, last key).

    Each step gets ``first``'s result as its final argument and ``last`` gets the
    list of the steps' results, so the order is expressed by data, not by locks.
    """
    token = tokenize(op, token_parts)
    name = f"zarrdist-{op}-{token}"
    head = (f"zarrdist-prepare-{token}",)
    dsk: dict[Key, Any] = {head: Task(head, first[0], *first[1])}
    refs = []
    for i, (fn, args) in enumerate(steps):
        key = (name, i)
        dsk[key] = Task(key, fn, *args, TaskRef(head))
        refs.append(TaskRef(key))
    done = (f"zarrdist-done-{token}",)
    dsk[done] = Task(done, last[0], *last[1], List(*refs))
    return dsk, done
