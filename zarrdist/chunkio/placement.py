"""Place whole chunks into a read's output a run at a time.

A full read of small chunks spends about as long placing each one (a
``frombuffer``, a reshape and an assignment, all holding the GIL) as
decompressing it. Chunks that a selection covers completely and that lie side
by side along the output's last axis form a *run*: their raw bytes are copied
one after another into a reused staging buffer and written with one assignment
into a view of the output, so NumPy's work is per run, not per chunk.

Only raw bytes that are the array's elements as they are in memory qualify: a
chain with no array->array codec whose ``bytes`` codec stores the native byte
order (see :meth:`zarrdist.codecs.BytesCodec.stores_native`).

A large chunk that fills a contiguous region of the output whole is decoded
straight into it (:func:`whole_chunk_bytes`), with no staging at all; any other
decoded chunk is copied row by row (:func:`place_chunk`).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from zarrdist.chunking.indexing import ChunkProjection
from zarrdist.chunkio.buffers import copy_rows, thread_buffer

if TYPE_CHECKING:
    from zarrdist.codecs import ArraySpec

__all__ = ["may_take_whole_chunks", "place_chunk", "place_runs", "whole_chunk_bytes"]


def whole_chunk_bytes(
    out: np.ndarray[Any, Any], projections: Sequence[ChunkProjection], spec: ArraySpec
) -> memoryview | None:
    """The bytes of ``out`` that a whole chunk fills, laid out as the chunk decodes,
    if one projection takes all of it into such a region; else None. The chunk is
    then decoded straight into the output, not through the thread's buffer and a
    copy (docs/performance.md, "xarray")."""
    if len(projections) != 1 or spec.order != "C":
        return None
    p = projections[0]
    if not all(isinstance(s, slice) and s.step in (None, 1) for s in p.chunk_selection):
        return None
    region = out[p.out_selection]
    if region.shape != spec.shape or region.dtype != spec.dtype:
        return None
    if not (region.flags.c_contiguous and region.flags.writeable):
        return None
    return memoryview(region.reshape(-1).view(np.uint8))


def may_take_whole_chunks(out: Any, spec: ArraySpec) -> bool:
    """Whether a chunk of ``spec`` can fill a C-contiguous region of ``out`` whole, so
    that :func:`whole_chunk_bytes` is worth asking chunk by chunk (a read of many
    chunks skips it otherwise; docs/performance.md, "Python per chunk of a read").

    In a C-contiguous ``out`` a region of the chunk's shape is contiguous only if,
    past its first axis longer than one, it spans ``out`` whole along every axis: the
    shapes alone decide. Any other ``out`` is asked chunk by chunk.
    """
    if not (isinstance(out, np.ndarray) and out.flags.c_contiguous):
        return True
    if out.ndim != len(spec.shape):
        return False  # axes dropped by an integer index: no region has the chunk's shape
    axes = list(
        itertools.dropwhile(lambda pair: pair[0] == 1, zip(spec.shape, out.shape, strict=True))
    )
    return all(c == o for c, o in axes[1:])


def place_chunk(out: Any, out_selection: Any, chunk: Any, chunk_selection: Any) -> None:
    """``out[out_selection] = chunk[chunk_selection]``, each row copied as one element
    where both sides allow it (:func:`~zarrdist.chunkio.buffers.copy_rows`)."""
    if (
        type(out) is np.ndarray
        and type(chunk) is np.ndarray
        and _is_basic(out_selection)
        and copy_rows(out[out_selection], chunk[chunk_selection])
    ):
        return
    out[out_selection] = chunk[chunk_selection]


def _is_basic(selection: Any) -> bool:
    """Whether indexing with ``selection`` gives a view (slices and integers only)."""
    if type(selection) is not tuple:
        return False
    return all(type(s) is slice or type(s) is int for s in selection)


def _whole_block(sel: Any, shape: tuple[int, ...]) -> bool:
    """Whether ``sel`` is one step-1 slice per axis, spanning ``shape``."""
    if type(sel) is not tuple or len(sel) != len(shape):
        return False
    for s, n in zip(sel, shape, strict=True):
        if type(s) is not slice or s.step not in (None, 1) or s.stop is None:
            return False
        if s.stop - (s.start or 0) != n:
            return False
    return True


def place_runs(
    out: np.ndarray[Any, Any],
    projections: Sequence[Sequence[ChunkProjection]],
    raw: Sequence[Any],
    chunk_shape: tuple[int, ...],
    dtype: np.dtype[Any],
) -> list[int]:
    """Place the chunks that form runs; return the indices of the others.

    ``projections[i]`` are the projections of the chunk whose raw bytes are
    ``raw[i]`` (C order, ``dtype``). A chunk joins a run when it has exactly one
    projection, which reads the whole chunk in order into a block of the output of
    the chunk's shape, right after the previous chunk along the last axis. Chunks
    left out, and runs of one, are returned for the caller to place one by one.
    """
    ndim = len(chunk_shape)
    if ndim == 0 or out.ndim != ndim:
        return list(range(len(raw)))
    nbytes = math.prod(chunk_shape) * dtype.itemsize
    width = chunk_shape[-1]
    # What basic selections give a whole chunk, compared in one step; the types
    # are checked first, since an index array cannot be compared with a slice.
    whole = tuple(slice(0, n, 1) for n in chunk_shape)
    all_slices = (slice,) * ndim
    left: list[int] = []
    run: list[int] = []
    lead: tuple[slice, ...] = ()
    start = stop = 0

    def flush() -> None:
        if len(run) > 1:
            _place_run(out, (*lead, slice(start, stop)), [raw[i] for i in run], chunk_shape, dtype)
        else:
            left.extend(run)
        run.clear()

    for i, ps in enumerate(projections):
        p = ps[0]
        chunk_sel = p.chunk_selection
        if (
            len(ps) != 1
            or not p.is_complete_chunk
            or type(chunk_sel) is not tuple
            or tuple(map(type, chunk_sel)) != all_slices
            # In order: slice(0, n) or slice(0, n, 1) on every axis. A complete
            # chunk can also be read through index arrays (a vectorized
            # selection's permutation), which runs cannot place.
            or (
                chunk_sel != whole
                and not (
                    _whole_block(chunk_sel, chunk_shape) and all(s.start == 0 for s in chunk_sel)
                )
            )
            or len(raw[i]) != nbytes
        ):
            flush()
            left.append(i)
            continue
        sel = p.out_selection
        # (An out selection of another length differs from ``lead`` here.)
        if run and sel[:-1] == lead:
            last = sel[-1]
            if (
                type(last) is slice
                and last.step in (None, 1)
                and last.start == stop
                and last.stop == stop + width
            ):
                run.append(i)
                stop += width
                continue
        flush()
        if _whole_block(sel, chunk_shape):
            lead, start = sel[:-1], sel[-1].start or 0
            stop = start + width
            run.append(i)
        else:
            left.append(i)
    flush()
    return sorted(left)


def _place_run(
    out: np.ndarray[Any, Any],
    span: tuple[slice, ...],
    raw: list[Any],
    chunk_shape: tuple[int, ...],
    dtype: np.dtype[Any],
) -> None:
    """Write the whole chunks ``raw``, side by side along the last axis, at ``span``."""
    k, width = len(raw), chunk_shape[-1]
    size = len(raw[0])
    staging = thread_buffer(k * size)
    for j, data in enumerate(raw):
        staging[j * size : (j + 1) * size] = data
    chunks = np.frombuffer(staging, dtype=dtype, count=k * size // dtype.itemsize)
    dest = out[span]
    *lead, step = dest.strides
    # The span of the last axis seen as (chunk, column): a view, never a copy.
    blocks = np.lib.stride_tricks.as_strided(
        dest, shape=(*dest.shape[:-1], k, width), strides=(*lead, width * step, step)
    )
    blocks[...] = np.moveaxis(chunks.reshape(k, *chunk_shape), 0, -2)
