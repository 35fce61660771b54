"""Chunked stand-ins for a stored array, and oracles for the indexing tests.

A "chunked array" is a dict from chunk coordinates to a copy of that chunk's region
of a numpy array (edge chunks are partial, as decoded edge chunks are once trimmed).
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from zarrdist.chunking.indexing import (
    ChunkProjection,
    Indexer,
    apply_chunk_selection,
    assign_chunk_selection,
    broadcast_value,
)

__all__ = [
    "assemble",
    "check_projections",
    "chunk_region",
    "orthogonal_oracle",
    "orthogonal_write_oracle",
    "read_via",
    "split",
    "write_via",
]


def chunk_region(coords: tuple[int, ...], chunk_shape: tuple[int, ...]) -> tuple[slice, ...]:
    return tuple(slice(c * s, (c + 1) * s) for c, s in zip(coords, chunk_shape, strict=True))


def split(a: np.ndarray[Any, Any], chunk_shape: tuple[int, ...]) -> dict[tuple[int, ...], Any]:
    grid = [range(-(-n // c)) for n, c in zip(a.shape, chunk_shape, strict=True)]
    return {
        coords: np.array(a[chunk_region(coords, chunk_shape)], copy=True)
        for coords in itertools.product(*grid)
    }


def assemble(
    chunks: dict[tuple[int, ...], Any],
    shape: tuple[int, ...],
    chunk_shape: tuple[int, ...],
    dtype: Any,
) -> np.ndarray[Any, Any]:
    out = np.empty(shape, dtype=dtype)
    for coords, chunk in chunks.items():
        out[chunk_region(coords, chunk_shape)] = chunk
    return out


def read_via(indexer: Indexer, chunks: dict[tuple[int, ...], Any], dtype: Any) -> Any:
    """What a read through the projections returns (a scalar where NumPy gives one)."""
    out = np.full(indexer.shape, -1, dtype=dtype)
    for p in indexer:
        out[p.out_selection] = apply_chunk_selection(chunks[p.chunk_coords], p.chunk_selection)
    return out[()] if indexer.is_scalar else out


def write_via(indexer: Indexer, chunks: dict[tuple[int, ...], Any], value: Any) -> None:
    full = broadcast_value(value, indexer.shape)
    for p in indexer:
        assign_chunk_selection(chunks[p.chunk_coords], p.chunk_selection, full[p.out_selection])


def check_projections(
    indexer: Indexer, chunks: dict[tuple[int, ...], Any]
) -> list[ChunkProjection]:
    """Invariants every indexer keeps, whatever the selection.

    Each output element is written by exactly one projection; each chunk appears
    once; chunk_coords() and nchunks_touched agree with iteration;
    is_complete_chunk is true exactly when the chunk selection covers its chunk.
    """
    projections = list(indexer)
    coords = [p.chunk_coords for p in projections]
    assert len(set(coords)) == len(coords)
    assert list(indexer.chunk_coords()) == coords
    assert indexer.nchunks_touched == len(coords)
    coverage = np.zeros(indexer.shape, dtype=np.int64)
    for p in projections:
        assert all(isinstance(c, int) for c in p.chunk_coords)
        for entry in p.chunk_selection:
            if isinstance(entry, slice):
                assert entry.step is None or entry.step > 0
        np.add.at(coverage, p.out_selection, 1)
        chunk = chunks[p.chunk_coords]
        marker = np.zeros(chunk.shape, dtype=bool)
        marker[p.chunk_selection] = True
        assert p.is_complete_chunk == bool(marker.all()), p
    assert (coverage == 1).all()
    return projections


def _axis_indices(entry: Any, n: int) -> Any:
    if isinstance(entry, slice):
        return np.arange(*entry.indices(n))
    entry = np.asarray(entry)
    if entry.dtype == bool:
        return np.flatnonzero(entry)
    return entry.astype(np.int64)


def orthogonal_oracle(a: np.ndarray[Any, Any], selection: tuple[Any, ...]) -> Any:
    """``a.oindex[selection]`` with numpy alone: one axis at a time, last axis first."""
    entries = list(selection)
    if any(e is Ellipsis for e in entries):
        at = next(i for i, e in enumerate(entries) if e is Ellipsis)
        entries[at : at + 1] = [slice(None)] * (a.ndim - len(entries) + 1)
    entries += [slice(None)] * (a.ndim - len(entries))
    result = a
    for axis in reversed(range(a.ndim)):
        entry = entries[axis]
        if isinstance(entry, int | np.integer):
            result = np.take(result, entry, axis=axis)
        else:
            result = np.take(result, _axis_indices(entry, a.shape[axis]), axis=axis)
    if any(e is Ellipsis for e in selection):
        # As in NumPy, an Ellipsis makes even an all-integer selection return an array.
        return np.asarray(result)
    return result


def orthogonal_write_oracle(
    a: np.ndarray[Any, Any], selection: tuple[Any, ...], value: np.ndarray[Any, Any]
) -> None:
    """``a.oindex[selection] = value`` with numpy alone (np.ix_; integers as length-1)."""
    entries = list(selection)
    if any(e is Ellipsis for e in entries):
        at = next(i for i, e in enumerate(entries) if e is Ellipsis)
        entries[at : at + 1] = [slice(None)] * (a.ndim - len(entries) + 1)
    entries += [slice(None)] * (a.ndim - len(entries))
    vectors = []
    value_shape = []
    for axis, entry in enumerate(entries):
        if isinstance(entry, int | np.integer):
            vectors.append(np.array([entry]))
            value_shape.append(1)
        else:
            vectors.append(_axis_indices(entry, a.shape[axis]))
            value_shape.append(len(vectors[-1]))
    if a.ndim:
        kept = [n for n, e in zip(value_shape, entries, strict=True) if not isinstance(e, int)]
        full = np.broadcast_to(np.asarray(value), kept)
        a[np.ix_(*vectors)] = full.reshape(value_shape)
    else:
        a[()] = value
