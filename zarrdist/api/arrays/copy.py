"""``copy``, ``copy_all`` and ``copy_store`` on the graph engine.

zarr-python 3.1.5 raises NotImplementedError for all three; these follow
zarr-python 2's semantics. ``copy`` and ``copy_all`` copy nodes, converting
between Zarr formats when the destination group's format differs; each array's
data is written as one dask graph (``dest[...] = source.to_dask()``), so it runs
in parallel and never holds the whole array. ``copy_store`` copies raw keys in
batches, one task per batch.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from zarrdist.api.arrays.array import Array
from zarrdist.api.arrays.deferred import deferred, write_graph_for
from zarrdist.api.arrays.from_source import from_array_keywords, source_metadata
from zarrdist.api.hierarchy.group import Group
from zarrdist.errors import ContainsNodeError
from zarrdist.graphs.copy import copy_array, copy_graph
from zarrdist.graphs.keycopy import copy_keys
from zarrdist.graphs.plan import GraphSpec
from zarrdist.graphs.read import as_dask
from zarrdist.stores import Store, resolve_store, stores_overlap

__all__ = ["copy", "copy_all", "copy_store"]

IF_EXISTS = ("raise", "replace", "skip", "skip_initialized")
Counts = tuple[int, int, int]


def _logger(log: Any) -> tuple[Callable[[str], None], Callable[[], None]]:
    """(write a line, close) for ``log``: None, a callable, a file path or a file object."""
    if log is None:
        return (lambda _: None), (lambda: None)
    if callable(log):
        return log, (lambda: None)
    if isinstance(log, str):
        handle = open(log, "a", encoding="utf-8")  # noqa: SIM115 - closed by the caller
        return (lambda line: print(line, file=handle)), handle.close
    if hasattr(log, "write"):
        return (lambda line: print(line, file=log)), (lambda: None)
    raise TypeError(f"log must be None, a callable, a path or a file, not {type(log).__name__}")


def _summary(counts: Counts, dry_run: bool) -> str:
    copied, skipped, nbytes = counts
    prefix = "dry run: " if dry_run else ""
    return f"{prefix}all done: {copied:,} copied, {skipped:,} skipped, {nbytes:,} bytes copied"


def _check_if_exists(if_exists: str) -> None:
    if if_exists not in IF_EXISTS:
        raise ValueError(f"if_exists must be one of {IF_EXISTS}, got {if_exists!r}")


def _is_array(node: Any) -> bool:
    return hasattr(node, "shape") and hasattr(node, "dtype")


def _node_name(node: Any) -> str:
    return str(getattr(node, "name", "") or "/")


@dataclass(frozen=True)
class _Options:
    """How one copy runs (the keywords of :func:`copy`)."""

    log: Callable[[str], None]
    shallow: bool
    without_attrs: bool
    if_exists: str
    dry_run: bool
    create_kws: dict[str, Any]
    resume: bool = False
    #: With ``compute=False``: the data graphs, collected instead of run.
    graphs: list[GraphSpec] | None = None


def _array_keywords(source: Any, dest: Group, opts: _Options) -> dict[str, Any]:
    kws = dict(opts.create_kws)
    if "compressor" in kws:
        compressor = kws.pop("compressor")
        kws["compressors"] = None if compressor is None else [compressor]
    if opts.without_attrs:
        kws["attributes"] = {}
    if source_metadata(source) is None:
        kws.setdefault("chunks", getattr(source, "chunks", "auto"))
    out = from_array_keywords(source, zarr_format=dest.zarr_format, **kws)
    if "metadata" not in out and "attributes" not in opts.create_kws:
        _convert_dimension_names(out, source_metadata(source))
    return out


_DIMS_ATTR = "_ARRAY_DIMENSIONS"


def _convert_dimension_names(kws: dict[str, Any], source: Any) -> None:
    """Follow each format's convention for dimension names (in place): xarray's
    ``_ARRAY_DIMENSIONS`` attribute in v2, ``dimension_names`` in v3, not both."""
    attributes = dict(kws.get("attributes") or {})
    ndim = len(kws["shape"])
    if kws.get("zarr_format") == 3:
        dims = attributes.pop(_DIMS_ATTR, None)
        valid = isinstance(dims, list) and len(dims) == ndim
        if valid and all(isinstance(d, str) for d in dims) and not kws.get("dimension_names"):
            kws["dimension_names"] = tuple(dims)
        elif not valid:
            return  # not xarray's attribute: left as it is
        kws["attributes"] = attributes
        return
    named = kws.get("dimension_names") or getattr(source, "dimension_names", None)
    if named and all(isinstance(d, str) for d in named):
        attributes.setdefault(_DIMS_ATTR, list(named))
        kws["attributes"] = attributes
        kws["dimension_names"] = None


def _taken(dest: Group, name: str, what: str) -> ContainsNodeError:
    return ContainsNodeError(
        f"{what} {name!r} is already in the destination {dest.name!r}",
        store=dest.store.url,
        path=f"{dest.path}/{name}".lstrip("/"),
    )


def _copy_data(
    source: Any, target: Array, resume: bool, graphs: list[GraphSpec] | None = None
) -> None:
    """Copy the data: through the planned copy graph for zarrdist sources (bounded
    memory, resumable), else by writing the source's dask array; into ``graphs``
    instead of running when given."""
    handle = getattr(source, "_handle", None)
    if isinstance(source, Array) and handle is not None and source.shape == target.shape:
        if graphs is not None:
            graphs.append(copy_graph(handle, target._handle, resume=resume, publish=False))
        else:
            copy_array(handle, target._handle, resume=resume, publish=False)
    elif graphs is not None:
        graphs.append(write_graph_for(target, as_dask(source)))
    else:
        target[...] = as_dask(source)


def _copy_array(source: Any, dest: Group | None, name: str, opts: _Options) -> Counts:
    exists = dest is not None and name in dest
    resumed = exists and opts.resume and dest is not None and isinstance(dest[name], Array)
    if exists and opts.if_exists == "raise" and not resumed:
        assert dest is not None
        raise _taken(dest, name, "a node")
    skip = exists and opts.if_exists == "skip"
    if exists and opts.if_exists == "skip_initialized" and dest is not None:
        existing = dest[name]
        skip = isinstance(existing, Array) and (
            existing.nchunks_initialized == existing.metadata.nchunks
        )
    if skip:
        opts.log(f"skip {_node_name(source)}")
        return 0, 1, 0
    opts.log(f"copy {_node_name(source)}")
    if opts.dry_run or dest is None:
        return 1, 0, 0
    if resumed:
        target = dest[name]
        assert isinstance(target, Array)
    else:
        target = dest.create_array(name, overwrite=exists, **_array_keywords(source, dest, opts))
    if target.size:
        _copy_data(source, target, resumed, opts.graphs)
    return 1, 0, target.nbytes


def _refuse_overlap(source: Any, dest: Group, name: str) -> None:
    """Refuse a copy of ``source`` to ``dest/name`` when one lies inside the other (or
    they are one node, however the stores are spelled): replacing it would delete
    the source, copying into it would grow the source with a copy of itself."""
    store = getattr(source, "store", None)
    if not isinstance(store, Store) or not isinstance(dest.store, Store):
        return  # a foreign (zarr-python) source cannot share a zarrdist store object
    target = f"{dest.path}/{name}".strip("/")
    if stores_overlap(store, str(getattr(source, "path", "")), dest.store, target):
        raise ContainsNodeError(
            f"the copy of {_node_name(source)!r} ({store.url}) would be written to "
            f"{'/' + target!r} ({dest.store.url}), which is the source or overlaps it; "
            "copy to a place outside the source",
            store=dest.store.url,
            path=target or "/",
        )


def _copy(source: Any, dest: Group | None, name: str | None, root: bool, opts: _Options) -> Counts:
    if name is None:
        name = _node_name(source).rsplit("/", 1)[-1]
        if not name:
            raise TypeError("the source has no name; pass name= to name the copy")
    if root and dest is not None:
        _refuse_overlap(source, dest, name)
    if _is_array(source):
        return _copy_array(source, dest, name, opts)
    if not root and opts.shallow:
        return 0, 0, 0
    in_the_way = dest is not None and name in dest and isinstance(dest[name], Array)
    if in_the_way and opts.if_exists == "raise":
        assert dest is not None
        raise _taken(dest, name, "an array")
    if in_the_way and opts.if_exists == "skip":
        opts.log(f"skip {_node_name(source)}")
        return 0, 1, 0
    opts.log(f"copy {_node_name(source)}")
    group: Group | None
    if opts.dry_run or dest is None:
        found = None if dest is None else dest.get(name)
        group = found if isinstance(found, Group) else None
    else:
        if in_the_way:
            del dest[name]
        group = dest.require_group(name)
        if not opts.without_attrs:
            group.attrs.update(dict(source.attrs))
    return _add(
        (1, 0, 0), *(_copy(source[k], group, k, False, opts) for k in sorted(source.keys()))
    )


def _add(*counts: Counts) -> Counts:
    return (sum(c[0] for c in counts), sum(c[1] for c in counts), sum(c[2] for c in counts))


def copy(
    source: Any,
    dest: Group,
    name: str | None = None,
    shallow: bool = False,
    without_attrs: bool = False,
    log: Any = None,
    if_exists: str = "raise",
    dry_run: bool = False,
    resume: bool = False,
    compute: bool = True,
    **create_kws: Any,
) -> Any:
    """Copy an array or group (with everything below it) into the group ``dest``.

    ``source`` may be a zarrdist or zarr-python array or group; the copy takes
    ``dest``'s Zarr format. Arrays keep chunks, fill value, attributes and, within
    one format, codecs, unless ``create_kws`` say otherwise.

    Parameters
    ----------
    source
        What to copy.
    dest
        The group to copy into.
    name
        Name in ``dest`` (default: the source's basename).
    shallow
        Copy only the immediate members of a source group.
    without_attrs
        Leave attributes behind.
    log
        None, a callable taking one line, a file path or a file object.
    if_exists
        For a name already in ``dest``: "raise", "replace", "skip", or
        "skip_initialized" (skip arrays whose every chunk is stored).
    dry_run
        Only count and log what would be copied.
    resume
        Finish an interrupted copy: arrays already in ``dest`` are kept, and only
        their units that are missing or do not decode are copied again.
    compute
        False: create the nodes now and return a :class:`dask.delayed.Delayed` that
        copies the data when computed or persisted, and gives the counts.
    **create_kws
        Creation keywords for the new arrays (``chunks``, ``compressors``, ...).

    Returns
    -------
    n_copied, n_skipped, n_bytes_copied : int
        Or, with ``compute=False``, a Delayed that computes to them.

    Raises
    ------
    ContainsNodeError
        With ``if_exists="raise"``, if the name is taken.
    """
    _check_if_exists(if_exists)
    write, close = _logger(log)
    graphs: list[GraphSpec] | None = None if compute else []
    opts = _Options(write, shallow, without_attrs, if_exists, dry_run, create_kws, resume, graphs)
    try:
        counts = _copy(source, dest, name, True, opts)
        write(_summary(counts, dry_run))
    finally:
        close()
    return counts if graphs is None else deferred(graphs, counts)


def copy_all(
    source: Any,
    dest: Group,
    shallow: bool = False,
    without_attrs: bool = False,
    log: Any = None,
    if_exists: str = "raise",
    dry_run: bool = False,
    resume: bool = False,
    compute: bool = True,
    **create_kws: Any,
) -> Any:
    """Copy every member of the group ``source`` (and its attributes) into ``dest``.

    Keywords as :func:`copy`; returns ``(n_copied, n_skipped, n_bytes_copied)``, or
    with ``compute=False`` a Delayed that copies the data and computes to them.
    """
    _check_if_exists(if_exists)
    write, close = _logger(log)
    graphs: list[GraphSpec] | None = None if compute else []
    opts = _Options(write, shallow, without_attrs, if_exists, dry_run, create_kws, resume, graphs)
    try:
        names = sorted(source.keys())
        for k in names:
            _refuse_overlap(source[k], dest, k)
        counts = _add(*(_copy(source[k], dest, k, False, opts) for k in names))
        if not dry_run and not without_attrs:
            dest.attrs.update(dict(source.attrs))
        write(_summary(counts, dry_run))
    finally:
        close()
    return counts if graphs is None else deferred(graphs, counts)


def _compile(patterns: str | Iterable[str] | None, flags: int) -> list[re.Pattern[str]]:
    if patterns is None:
        return []
    if isinstance(patterns, str):
        patterns = [patterns]
    return [re.compile(p, flags) for p in patterns]


def copy_store(
    source: Any,
    dest: Any,
    source_path: str = "",
    dest_path: str = "",
    excludes: str | Iterable[str] | None = None,
    includes: str | Iterable[str] | None = None,
    flags: int = 0,
    if_exists: str = "raise",
    dry_run: bool = False,
    log: Any = None,
) -> Counts:
    """Copy raw keys from one store to another, on the graph engine.

    Keys under ``source_path`` go under ``dest_path``. A key matching a pattern in
    ``excludes`` (regular expressions, searched in the source key) is left out
    unless it also matches one in ``includes``.

    Returns
    -------
    n_copied, n_skipped, n_bytes_copied : int

    Raises
    ------
    ContainsNodeError
        With ``if_exists="raise"``, if a destination key exists.
    """
    if if_exists not in ("raise", "replace", "skip"):
        raise ValueError(f"if_exists must be 'raise', 'replace' or 'skip', got {if_exists!r}")
    src = resolve_store(source, mode="r")
    dst = resolve_store(dest, mode="a")
    if stores_overlap(src, source_path, dst, dest_path):
        raise ContainsNodeError(
            f"the destination {dst.url} (path {dest_path or '/'!r}) and the source "
            f"{src.url} (path {source_path or '/'!r}) overlap; copy to a place outside "
            "the source",
            store=dst.url,
            path=dest_path.strip("/") or "/",
        )
    src_prefix = source_path.strip("/") + "/" if source_path.strip("/") else ""
    dst_prefix = dest_path.strip("/") + "/" if dest_path.strip("/") else ""
    exclude, include = _compile(excludes, flags), _compile(includes, flags)
    existing = set(dst.list_prefix(dst_prefix.rstrip("/")))
    write, close = _logger(log)
    pairs: list[tuple[str, str]] = []
    skipped = 0
    try:
        for key in sorted(src.list_prefix(src_prefix.rstrip("/"))):
            if any(p.search(key) for p in exclude) and not any(p.search(key) for p in include):
                continue
            target = dst_prefix + key[len(src_prefix) :]
            if target in existing and if_exists == "raise":
                raise ContainsNodeError(
                    f"key {target!r} already exists in the destination", store=dst.url, path=target
                )
            if target in existing and if_exists == "skip":
                write(f"skip {key}")
                skipped += 1
                continue
            write(f"copy {key}")
            pairs.append((key, target))
        if dry_run:
            nbytes = sum(src.getsize(k) or 0 for k, _ in pairs)
            counts = (len(pairs), skipped, nbytes)
        else:
            copied, nbytes = copy_keys(src, dst, pairs)
            counts = (copied, skipped, nbytes)
        write(_summary(counts, dry_run))
    finally:
        close()
    return counts
