"""``zarrdist copy`` and ``zarrdist verify``: one array or a whole hierarchy, as one graph.

A copy runs in four steps:

1. **Plan** (no writes): walk the source, derive every target node's metadata
   (:mod:`zarrdist.cli.convert`), refuse bad options before anything is written.
2. **Claim** the destination: write a marker ``.zarrdist-copy.json`` naming the
   source and a fingerprint of every target document. A destination that holds
   a finished node is refused unless ``overwrite`` or ``resume``; one that holds
   the marker of the *same* copy is resumed automatically.
3. **Copy** every array's data in one graph (:func:`zarrdist.graphs.copy.copy_graph`),
   skipping units already written when resuming.
4. **Publish** metadata (arrays, then groups from the deepest up, the root last,
   consolidated when asked), then remove the marker. Until then the destination
   has no root metadata, so a failed copy never looks complete.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from dask.typing import Key

from zarrdist.chunkio.buffers import default_prototype
from zarrdist.chunkio.units import ArrayHandle
from zarrdist.cli.convert import ConvertOptions, target_array_metadata, target_group_metadata
from zarrdist.cli.inspect import Node, dimension_names, read_node, walk
from zarrdist.cli.options import ChunkRule
from zarrdist.cli.runner import Runner, add_verify_phase, format_summary
from zarrdist.errors import ContainsNodeError, NodeNotFoundError
from zarrdist.graphs.copy import CopyStats, copy_graph, default_intermediate_store, plan_copy
from zarrdist.graphs.verify import VerifyReport, verify_graph
from zarrdist.metadata import (
    METADATA_KEYS,
    ArrayMetadataV2,
    ArrayMetadataV3,
    GroupMetadataV2,
    GroupMetadataV3,
    NodeMetadata,
    consolidate,
    zmetadata_document,
)
from zarrdist.stores import Store, redact_spec, stores_overlap, sweep_partial_files

__all__ = [
    "ArrayJob",
    "CopyJob",
    "MARKER",
    "check_overlap",
    "check_plans",
    "check_rules",
    "claim",
    "plan_copy_job",
    "run_copy",
    "run_verify",
    "verify_lines",
]

#: The key (under the destination node) that marks a copy in progress.
MARKER = ".zarrdist-copy.json"


def _join(*parts: str) -> str:
    return "/".join(p.strip("/") for p in parts if p.strip("/"))


def _prefix(path: str) -> str:
    return f"{path}/" if path else ""


@dataclass(frozen=True)
class ArrayJob:
    """One array to copy: where from, where to, and the target's metadata."""

    source: Node
    target_path: str
    metadata: ArrayMetadataV2 | ArrayMetadataV3
    region: tuple[slice, ...] | None


@dataclass
class CopyJob:
    """Everything a copy writes, decided before it writes anything."""

    source: Store
    source_path: str
    target: Store
    target_path: str
    arrays: list[ArrayJob] = field(default_factory=list)
    groups: list[tuple[str, NodeMetadata]] = field(default_factory=list)
    consolidated: bool = False

    def fingerprint(self) -> str:
        """A digest of the source and every target document: equal for the same copy."""
        # Without credentials: the digest is written to the marker, and a resume with
        # rotated credentials is still the same copy.
        source = redact_spec(self.source.spec.to_json())
        source.pop("read_only", None)
        described = {
            "source": [source, self.source_path],
            "arrays": [
                [
                    a.source.path,
                    a.target_path,
                    a.metadata.to_json(),
                    None if a.region is None else [[s.start, s.stop] for s in a.region],
                ]
                for a in self.arrays
            ],
            "groups": [[p, m.to_json(), m.attributes] for p, m in self.groups],
            "consolidated": self.consolidated,
        }
        text = json.dumps(described, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()

    @property
    def nbytes(self) -> int:
        """Decoded bytes the copy moves."""
        return sum(a.metadata.size * a.metadata.dtype.itemsize for a in self.arrays)


def _was_consolidated(store: Store, node: Node) -> bool:
    if isinstance(node.metadata, GroupMetadataV3):
        return node.metadata.consolidated_metadata is not None
    return isinstance(node.metadata, GroupMetadataV2) and store.exists(
        _prefix(node.path) + ".zmetadata"
    )


def plan_copy_job(
    source: Store,
    source_path: str,
    target: Store,
    target_path: str,
    options: ConvertOptions,
    *,
    consolidate_target: bool | None = None,
) -> CopyJob:
    """Decide every target node of a copy, reading source metadata only.

    Raises
    ------
    NodeNotFoundError
        If there is nothing at ``source_path``.
    argparse.ArgumentTypeError
        If an option cannot apply (a region that fits no array, shards in v2, ...).
    """
    nodes = walk(source, source_path)
    job = CopyJob(source, source_path.strip("/"), target, target_path.strip("/"))
    root = nodes[0]
    for node in nodes:
        rel = node.path[len(root.path) :].strip("/")
        destination = _join(job.target_path, rel)
        meta = node.metadata
        if isinstance(meta, ArrayMetadataV2 | ArrayMetadataV3):
            region = None
            if options.region is not None:
                region = options.region.for_array(tuple(meta.shape), dimension_names(meta))
            target_meta = target_array_metadata(meta, rel, options, region)
            job.arrays.append(ArrayJob(node, destination, target_meta, region))
        else:
            job.groups.append((destination, target_group_metadata(meta, options.zarr_format)))
    if options.region is not None and not any(a.region for a in job.arrays):
        raise argparse.ArgumentTypeError("--region matches no array (check its rank or names)")
    if consolidate_target is None:
        consolidate_target = not root.is_array and _was_consolidated(source, root)
    job.consolidated = bool(consolidate_target) and not root.is_array
    return job


def check_rules(job: CopyJob, rules: Sequence[ChunkRule], option: str) -> None:
    """Refuse a ``--chunks``/``--shards`` rule that applies to no array of the copy.

    Raises
    ------
    argparse.ArgumentTypeError
        Naming the rule, and the ranks or paths of the arrays there are.
    """
    ranks = {len(a.metadata.shape) for a in job.arrays}
    paths = {a.source.path[len(job.source_path) :].strip("/") for a in job.arrays}
    for rule in rules:
        if rule.path is not None and rule.path not in paths:
            raise argparse.ArgumentTypeError(
                f"{option} {rule.path}=...: no array {rule.path!r} in the source "
                f"(arrays: {', '.join(sorted(p or '/' for p in paths)) or 'none'})"
            )
        if rule.path is None and rule.shape is not None and len(rule.shape) not in ranks:
            shape = ",".join(map(str, rule.shape))
            raise argparse.ArgumentTypeError(
                f"{option} {shape} has {len(rule.shape)} dimensions but the source's arrays "
                f"have {' or '.join(map(str, sorted(ranks))) or 'none'}"
            )


# -- claiming the destination -----------------------------------------------------------


def _clear(store: Store, path: str) -> None:
    if path:
        store.delete_prefix(path)
    else:
        for key in list(store.list()):
            store.delete(key)


def check_overlap(job: CopyJob, intermediate: Store | None = None) -> None:
    """Refuse a destination (or intermediate store) that is the source, holds it or lies
    inside it, however each is spelled (relative paths, symlinks, ``file://`` URLs,
    other spellings of one bucket): overwriting it would delete the source, and copying
    into it would grow the source with a copy of itself.

    Raises
    ------
    ContainsNodeError
        Naming both places, before anything is written or deleted.
    """
    places = [("destination", job.target, job.target_path)]
    places.append(
        ("intermediate store", intermediate or default_intermediate_store(job.target), "")
    )
    for what, store, path in places:
        if stores_overlap(job.source, job.source_path, store, path):
            raise ContainsNodeError(
                f"the {what} {_where(store, path)} and the source "
                f"{_where(job.source, job.source_path)} overlap (one is the other or lies "
                f"inside it); copy to a place outside the source",
                store=store.url,
                path=path or "/",
            )


def _where(store: Store, path: str) -> str:
    return store.url.rstrip("/") + ("/" + path.strip("/") if path.strip("/") else "")


def _read_marker(
    raw: bytes | memoryview, store: Store, key: str, overwrite: bool
) -> dict[str, Any] | None:
    """The marker document; None for a damaged one that ``overwrite`` replaces.

    Raises
    ------
    ContainsNodeError
        If the marker is not a JSON object (not written by ``zarrdist copy``) and
        ``overwrite`` is not given.
    """
    try:
        document = json.loads(bytes(raw))
    except ValueError:
        document = None
    if isinstance(document, dict):
        return document
    if overwrite:
        return None
    raise ContainsNodeError(
        f"the copy marker {key!r} is not a JSON object (damaged, or not written by "
        "zarrdist copy); pass --overwrite to replace the destination",
        store=store.url,
        path=key,
    )


def claim(
    job: CopyJob, *, overwrite: bool, resume: bool, intermediate: Store | None = None
) -> bool:
    """Check the destination and write the marker; return whether this copy resumes.

    Raises
    ------
    ContainsNodeError
        If the destination holds data this copy may not replace.
    """
    store, path = job.target, job.target_path
    check_overlap(job, intermediate)
    marker_key = _prefix(path) + MARKER
    raw = store.get(marker_key)
    fingerprint = job.fingerprint()
    finished = any(store.get_many([_prefix(path) + k for k in METADATA_KEYS]))
    marker_found = None if raw is None else _read_marker(raw, store, marker_key, overwrite)
    if marker_found is not None and marker_found.get("fingerprint") == fingerprint:
        resume = True
    elif overwrite:
        _clear(store, path)
        default_intermediate_store(store).delete_prefix("")
    elif raw is not None:
        raise ContainsNodeError(
            "an interrupted copy with other options is here; re-run it with the same "
            "options to finish it, or pass --overwrite",
            store=store.url,
            path=path or "/",
        )
    elif not resume and (finished or not store.is_empty(path)):
        raise ContainsNodeError(
            "the destination is not empty; pass --overwrite to replace it or --resume to "
            "finish a copy into it",
            store=store.url,
            path=path or "/",
        )
    source = redact_spec(job.source.spec.to_json())
    marker = {
        "fingerprint": fingerprint,
        "source": source,
        "source_path": job.source_path,
        "started": time.time(),
    }
    store.set(marker_key, json.dumps(marker, default=str).encode())
    if resume:
        # The marker makes this copy the destination's one writer: temporary files
        # left by the killed run are garbage.
        sweep_partial_files(store, path, min_age=0)
    return resume


# -- running ----------------------------------------------------------------------------


def _handle(store: Store, path: str, metadata: Any) -> ArrayHandle:
    return ArrayHandle(store, path, metadata, False, default_prototype())


def _graphs(
    job: CopyJob,
    runner: Runner,
    *,
    max_mem: int | None,
    resume: bool,
    verify: bool,
    intermediate: Store | None,
) -> tuple[dict[Key, Any], list[Key], bool]:
    budget = max_mem or runner.task_memory
    dsk: dict[Key, Any] = {}
    keys: list[Key] = []
    local_only = False
    for array in job.arrays:
        source = _handle(job.source, array.source.path, array.source.metadata)
        target = _handle(job.target, array.target_path, array.metadata)
        graph = copy_graph(
            source,
            target,
            region=array.region,
            max_mem=budget,
            resume=resume,
            verify=verify,
            publish=False,
            intermediate_store=intermediate,
        )
        if graph.plan is not None and graph.plan.intermediate_chunks is not None:
            runner.say(f"{array.target_path or '/'}: {graph.plan}")
        dsk.update(graph.dsk)
        keys.extend(graph.keys)
        local_only = local_only or graph.local_only
    return dsk, keys, local_only


def check_plans(job: CopyJob, runner: Runner, *, max_mem: int | None = None) -> None:
    """Plan every array's copy (arithmetic, no I/O) before the destination is claimed.

    Raises
    ------
    MemoryBudgetError
        If an array cannot be copied within the memory one task may use.
    """
    budget = max_mem or runner.task_memory
    for array in job.arrays:
        source = _handle(job.source, array.source.path, array.source.metadata)
        target = _handle(job.target, array.target_path, array.metadata)
        plan_copy(source, target, array.region, budget)


def publish(job: CopyJob) -> None:
    """Write every target document: arrays, groups deepest first, the root last."""
    store = job.target
    for array in job.arrays:
        for key, doc in array.metadata.to_documents().items():
            store.set(_prefix(array.target_path) + key, doc)
    groups = sorted(job.groups, key=lambda g: -g[0].count("/") - (1 if g[0] else 0))
    for path, meta in groups:
        if job.consolidated and path == job.target_path:
            meta = _with_consolidated(job, meta)
        for key, doc in meta.to_documents().items():
            store.set(_prefix(path) + key, doc)
    store.delete(_prefix(job.target_path) + MARKER)


def _with_consolidated(job: CopyJob, root: NodeMetadata) -> NodeMetadata:
    base = job.target_path
    nodes: dict[str, Any] = {}
    for array in job.arrays:
        nodes[array.target_path[len(base) :].strip("/")] = array.metadata
    for path, meta in job.groups:
        if path != base:
            nodes[path[len(base) :].strip("/")] = meta
    if isinstance(root, GroupMetadataV3):
        return root.with_consolidated(consolidate(nodes))
    assert isinstance(root, GroupMetadataV2)
    document = zmetadata_document(root, nodes)
    job.target.set(_prefix(base) + ".zmetadata", document)
    return root


def _remove_empty_local(store: Store) -> None:
    spec = store.spec
    if spec.driver == "local":
        # Left in place when not empty (another copy's intermediate) or already gone.
        with contextlib.suppress(OSError):
            os.rmdir(str(spec.options["root"]))


def run_copy(
    job: CopyJob,
    runner: Runner,
    *,
    resume: bool = False,
    verify: bool = False,
    max_mem: int | None = None,
    intermediate: Store | None = None,
) -> dict[str, Any]:
    """Copy, publish (and verify) a job :func:`claim` has claimed; return the summary
    (see ``format_summary``).

    Raises
    ------
    ZarrdistError
        If a task fails (the destination is left unpublished, resumable).
    """
    if resume:
        runner.say("resuming: units already written are checked and skipped")
    start = time.perf_counter()
    dsk, keys, local_only = _graphs(
        job, runner, max_mem=max_mem, resume=resume, verify=verify, intermediate=intermediate
    )
    results = runner.run(dsk, keys, local_only=local_only, label="copy") if keys else []
    publish(job)
    _remove_empty_local(intermediate or default_intermediate_store(job.target))
    stats = CopyStats()
    for result in results:
        stats += result
    summary = format_summary(
        arrays=len(job.arrays),
        nbytes=job.nbytes,
        stored=stats.bytes_stored + stats.bytes_kept,
        seconds=time.perf_counter() - start,
        written=stats.units_written,
        skipped=stats.units_skipped,
        copied=min(stats.bytes_copied, job.nbytes) if resume else None,
    )
    if verify:
        start = time.perf_counter()
        reports = run_verify_job(job, runner)
        add_verify_phase(summary, nbytes=job.nbytes, seconds=time.perf_counter() - start)
        summary["verify"] = [_report_json(r) for r in reports]
        summary["verified"] = all(r.ok for r in reports)
    return summary


# -- verify -----------------------------------------------------------------------------


def _verify_pairs(
    store: Store, path: str, other: Store | None, other_path: str
) -> tuple[list[tuple[ArrayHandle, ArrayHandle | None, tuple[int, ...] | None]], list[str]]:
    pairs: list[tuple[ArrayHandle, ArrayHandle | None, tuple[int, ...] | None]] = []
    problems = []
    root = path.strip("/")
    for node in walk(store, path):
        if not node.is_array:
            continue
        handle = _handle(store, node.path, node.metadata)
        if other is None:
            pairs.append((handle, None, None))
            continue
        rel = node.path[len(root) :].strip("/")
        try:
            theirs = read_node(other, _join(other_path, rel))
        except NodeNotFoundError:
            problems.append(f"{rel or '/'}: missing in the other store")
            continue
        if not isinstance(theirs, ArrayMetadataV2 | ArrayMetadataV3) or (
            tuple(theirs.shape) != tuple(node.metadata.shape)  # type: ignore[union-attr]
        ):
            problems.append(f"{rel or '/'}: not an array of the same shape in the other store")
            continue
        pairs.append((handle, _handle(other, _join(other_path, rel), theirs), None))
    return pairs, problems


def run_verify(
    runner: Runner,
    store: Store,
    path: str = "",
    other: Store | None = None,
    other_path: str = "",
) -> tuple[list[VerifyReport], list[str]]:
    """Verify every array under ``path`` (against ``other`` if given), as one graph."""
    pairs, problems = _verify_pairs(store, path, other, other_path)
    return _run_pairs(runner, pairs), problems


def _run_pairs(
    runner: Runner,
    pairs: Sequence[tuple[ArrayHandle, ArrayHandle | None, tuple[int, ...] | None]],
) -> list[VerifyReport]:
    dsk: dict[Key, Any] = {}
    keys: list[Key] = []
    local_only = False
    for handle, against, offset in pairs:
        graph = verify_graph(handle, against=against, offset=offset)
        dsk.update(graph.dsk)
        keys.extend(graph.keys)
        local_only = local_only or graph.local_only
    return list(runner.run(dsk, keys, local_only=local_only, label="verify")) if keys else []


def run_verify_job(job: CopyJob, runner: Runner) -> list[VerifyReport]:
    """Verify a finished copy against its source (regions included)."""
    pairs = []
    for array in job.arrays:
        target = _handle(job.target, array.target_path, array.metadata)
        source = _handle(job.source, array.source.path, array.source.metadata)
        offset = None if array.region is None else tuple(s.start for s in array.region)
        pairs.append((target, source, offset))
    return _run_pairs(runner, pairs)


def _report_json(report: VerifyReport) -> dict[str, Any]:
    return {
        "path": "/" + report.path,
        "units_checked": report.units_checked,
        "units_missing": report.units_missing,
        "bad_keys": [{"key": k, "error": e} for k, e in report.bad_keys],
        "mismatches": [
            {
                "key": m.key,
                "count": m.count,
                "first_index": None if m.first_index is None else list(m.first_index),
            }
            for m in report.mismatches
        ],
    }


def verify_lines(reports: Sequence[VerifyReport], problems: Sequence[str]) -> list[str]:
    """Human-readable lines: every bad key, every mismatch, every structural problem."""
    lines = [f"MISSING {p}" for p in problems]
    for report in reports:
        lines += [f"BAD {key}: {error}" for key, error in report.bad_keys]
        lines += [
            f"DIFF {m.key}: {m.count} elements differ (first at {m.first_index})"
            if m.count is not None
            else f"DIFF {m.key}: differs (not counted)"
            for m in report.mismatches
        ]
    return lines


def verify_document(reports: Sequence[VerifyReport], problems: Sequence[str]) -> dict[str, Any]:
    """The ``--json`` form of a verification."""
    return {
        "ok": not problems and all(r.ok for r in reports),
        "arrays": [_report_json(r) for r in reports],
        "problems": list(problems),
    }
