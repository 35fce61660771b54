"""Runtime configuration: one donfig ``Config("zarrdist")``, env prefix ``ZARRDIST_``.

Every key, its default and its meaning live in :data:`DEFAULTS` below; that table
is the documentation. Environment variables override defaults:
``ZARRDIST_ARRAY__WRITE_EMPTY_CHUNKS=true`` sets ``array.write_empty_chunks``.
zarr-python's variables (``ZARR_ARRAY__ORDER=F``, ``ZARR_DEFAULT_ZARR_FORMAT=2``...)
are read the same way as zarr-python reads them (lower-cased key, ``__`` for nesting,
the value through ``ast.literal_eval`` and kept as text where that fails); where both
name a key, ``ZARRDIST_`` wins. One difference: lower-case ``true``/``false``/``none``
are booleans and None for both prefixes, where zarr-python 3.1.5 keeps the text and
then refuses it ("Expected bool, got true instead").

The zarr-python 3.1.5 keys are kept under their names (``default_zarr_format``,
``array.order``, ``array.write_empty_chunks``, ``array.target_shard_size_bytes``,
``async.concurrency``, ``threading.max_workers``); the seed's
``default_zarr_version`` is accepted as an alias of ``default_zarr_format``.
"""

from __future__ import annotations

import ast
import functools
import os
from collections.abc import Mapping
from typing import Any

from donfig import Config as _DonfigConfig

__all__ = ["DEFAULTS", "Config", "config", "enable_gpu", "get_int"]

MiB = 1 << 20

#: Every config key with its default, documented in place.
DEFAULTS: dict[str, Any] = {
    # Zarr format of new arrays and groups when the caller names none (2 or 3).
    "default_zarr_format": 3,
    # Indentation of the metadata documents written (zarr.json, .zarray, ...), as
    # zarr-python's key; None writes each on one line.
    "json_indent": 2,
    "array": {
        # Memory order of arrays returned by reads ("C" or "F").
        "order": "C",
        # Store chunks whose every element equals the fill value.
        "write_empty_chunks": False,
        # Size that shards="auto" aims at (uncompressed bytes per shard).
        "target_shard_size_bytes": 128 * MiB,
        # Uncompressed bytes per chunk that chunks="auto" aims at.
        "target_chunk_size_bytes": 1 * MiB,
        # zarr-python 3.4's flag: per-axis lists of edges in chunks=/shards= create a
        # rectilinear chunk grid (off: they are dask-style blocks, first block per axis).
        # Rectilinear arrays are read whatever its value.
        "rectilinear_chunks": False,
        # Read a chunk that is not stored as the fill value; False raises
        # ChunkNotFoundError naming it (zarr-python 3.4).
        "read_missing_chunks": True,
    },
    # zarr-python's async knobs; zarrdist uses "concurrency" as the per-call limit
    # of concurrent requests to remote stores.
    "async": {"concurrency": 10, "timeout": None},
    # Threads of the local (threaded) scheduler and of a direct read; None means the
    # number of cores. The reader pool they share (zarrdist.stores.reader_pool) is
    # made with this many threads, or 8 if more, the first time it is used.
    "threading": {"max_workers": None},
    "codecs": {
        # Allow codecs that unpickle (numcodecs "pickle"): reading untrusted data
        # with them can run arbitrary code, so they are refused unless enabled.
        "allow_pickle": False,
        # Cap on the decoded bytes of one chunk of a variable-length type (strings,
        # bytes, objects), whose size the metadata cannot give; fixed-size chunks
        # are capped at their own size (decompression bombs are refused).
        "max_vlen_chunk_bytes": 1024 * MiB,
    },
    "metadata": {
        # Largest metadata document (zarr.json, .zarray, .zmetadata, ...) parsed, in
        # bytes: a store's metadata is untrusted input, and parsing costs about four
        # times its size in memory. None: no limit.
        "max_document_bytes": 128 * MiB,
    },
    # Selections smaller than this many bytes run on the direct path (no dask graph).
    "direct_max_bytes": 16 * MiB,
    "graph": {
        # Uncompressed bytes of unsharded chunks batched into one task.
        "task_bytes": 64 * MiB,
        # Batch unsharded chunks into no fewer than this many tasks per local thread,
        # so that threads share the work evenly.
        "tasks_per_thread": 4,
        # A task projected to need more memory than this is refused at build time.
        "max_task_bytes": 2048 * MiB,
        # Refuse graphs with more tasks than this (None: no limit).
        "max_tasks": None,
    },
    "io": {
        # Concurrent requests one batch call (get_many, get_ranges) may have in flight.
        "max_concurrency": 32,
        # Gap in bytes below which neighbouring byte ranges are fetched as one;
        # None: the store's own (Store.range_gap_bytes: 1 MiB for object stores,
        # 16 KiB for local files, 0 in memory).
        "coalesce_max_gap_bytes": None,
        # Largest coalesced range in bytes.
        "coalesce_max_bytes": 100 * MiB,
        # fsync files and directories after LocalStore writes.
        "fsync": False,
        # Seconds a writer waits for a chunk or metadata lock held by another
        # writer before it fails with an error naming the key.
        "lock_timeout": 600.0,
    },
    # Scheduler for graphs: None (a distributed Client if one is active, else
    # threads), "threads", "sync", or a distributed scheduler address
    # ("tcp://host:8786"). For processes, start a distributed LocalCluster.
    "scheduler": None,
    # Run reads into NumPy and writes of NumPy data on an active distributed Client
    # too. By default they run on local threads even with a Client open: the data
    # is in this process, and shipping it to workers and back costs more than the
    # work. Dask arrays in or out (to_dask, from_dask, z[...] = dask_array whose
    # blocks are computed, copies) run on the Client either way.
    "numpy_on_cluster": False,
    # Put decoded chunks on the GPU (CuPy arrays).
    "gpu": False,
    # Hold CPython's automatic cycle collection while a graph read or write plans
    # and runs (zarrdist.graphs.execute.gc_paused; docs/performance.md, "Garbage
    # collection during reads"). gc.disable acts on the whole process, the caller's
    # other threads included; False leaves the collector alone.
    "gc_pause": True,
}

_ALIASES = {"default_zarr_version": "default_zarr_format"}


#: Environment prefixes, lowest priority first: zarr-python's, then zarrdist's own.
ENV_PREFIXES = ("ZARR_", "ZARRDIST_")


def _parse_env(prefix: str = "ZARRDIST_") -> dict[str, Any]:
    """Env vars ``<prefix>A__B=v`` as a nested dict (see :func:`_parse_value`)."""
    out: dict[str, Any] = {}
    for name, raw in os.environ.items():
        if not name.startswith(prefix):
            continue
        parts = name[len(prefix) :].lower().split("__")
        node = out
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = _parse_value(raw)
    return out


def _parse_value(raw: str) -> Any:
    lowered = raw.strip().lower()
    if lowered in ("true", "yes", "on"):
        return True
    if lowered in ("false", "no", "off"):
        return False
    if lowered in ("none", "null"):
        return None
    try:
        # As donfig (and so zarr-python) parses: numbers, None, quoted text, lists...
        return ast.literal_eval(raw)
    except (SyntaxError, ValueError):
        return raw


#: zarr-python 3.0's per-data-type default codec settings, gone since 3.1.
_REMOVED_CODEC_DEFAULTS = [
    ["array", name]
    for name in (
        "v2_default_compressor",
        "v2_default_filters",
        "v3_default_filters",
        "v3_default_serializer",
        "v3_default_compressors",
    )
]


class Config(_DonfigConfig):  # type: ignore[misc]
    """donfig config with zarr-python's aliases and ``enable_gpu``."""

    def set(self, arg: Mapping[str, Any] | None = None, **kwargs: Any) -> Any:
        """Change settings (``with config.set(...)`` restores them afterwards).

        Raises
        ------
        ValueError
            For a per-data-type default codec setting of zarr-python 3.0
            (``array.v3_default_compressors``...), which zarr-python 3.1 removed too.
        """
        arg = {_ALIASES.get(k, k): v for k, v in (arg or {}).items()}
        kwargs = {_ALIASES.get(k, k): v for k, v in kwargs.items()}
        for key in [*arg, *kwargs]:
            if key.split(".")[:2] in _REMOVED_CODEC_DEFAULTS:
                raise ValueError(
                    f"the setting {key!r} no longer exists (zarr-python 3.1 removed the "
                    "per-data-type default codecs): pass filters=, serializer= and "
                    "compressors= to create_array instead"
                )
        return super().set(arg, **kwargs)

    def get(self, key: str, default: Any = None, **kwargs: Any) -> Any:
        key = _ALIASES.get(key, key)
        if default is None and not kwargs:
            return super().get(key)
        return super().get(key, default, **kwargs)

    def reset(self) -> None:
        """Back to the defaults and environment variables."""
        self.clear()
        self.update_defaults(DEFAULTS)
        self.refresh()
        _apply_env(self)

    def enable_gpu(self) -> Any:
        """Read into CuPy arrays (``gpu=True``), as zarr-python's ``enable_gpu``; usable
        as a context manager. Chunks decode on the device where the codecs allow
        (docs/gpu.md), else on the host and are copied over."""
        return self.set({"gpu": True})


def _apply_env(cfg: Config) -> None:
    # donfig's own env parsing keeps lower-case booleans as text and knows one prefix.
    for prefix in ENV_PREFIXES:
        cfg.update(_parse_env(prefix), priority="new")


def _make() -> Config:
    cfg = Config("zarrdist", defaults=[DEFAULTS], env_var="ZARRDIST_CONFIG")
    _apply_env(cfg)
    return cfg


config = _make()


def enable_gpu() -> Any:
    """Module-level form of :meth:`Config.enable_gpu`."""
    return config.enable_gpu()


def get_int(key: str) -> int:
    """An integer config value (``threading.max_workers`` None means the core count)."""
    value = config.get(key)
    if value is None and key == "threading.max_workers":
        return _cores()
    return int(value)


@functools.cache
def _cores() -> int:
    # os.cpu_count() reads a sysfs file on every call, and every direct read asks
    # (docs/performance.md, "The core count").
    return os.cpu_count() or 1


def __getattr__(name: str) -> Any:
    # ``import zarrdist.config`` makes ``zarrdist.config`` this module rather than the
    # Config object; forward the object's API (set, get, reset, ...) so both work.
    try:
        return getattr(config, name)
    except AttributeError:
        raise AttributeError(f"module 'zarrdist.config' has no attribute {name!r}") from None
