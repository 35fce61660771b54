"""NumPy-compatible selections projected onto a chunk grid.

An *indexer* turns a selection on an array of ``shape`` split into chunks of
``chunk_shape`` into one :class:`ChunkProjection` per touched chunk. Both of a
projection's selections are plain NumPy indices, so the read and write directions
are always::

    out = np.empty(indexer.shape, dtype)
    for p in indexer:
        out[p.out_selection] = chunk_at(p.chunk_coords)[p.chunk_selection]
    result = out[()] if indexer.is_scalar else out

    value = broadcast_value(value, indexer.shape)       # refuses before any write
    for p in indexer:
        chunk = ...  # decoded chunk, or a fresh one if p.is_complete_chunk
        chunk[p.chunk_selection] = value[p.out_selection]

(:func:`copy_to_output` and :func:`copy_to_chunk` are those two loop bodies.)

Which indexer:

=====================  ==============================================================
``z[sel]``             :func:`fancy_indexer` (NumPy's rules in full)
``z.oindex[sel]``      :func:`orthogonal_indexer`
``z.vindex[sel]``      :func:`coordinate_indexer` (or :func:`mask_indexer`)
``z.blocks[sel]``      :func:`block_indexer`
basic only             :func:`basic_indexer`
=====================  ==============================================================

Every indexer has ``shape``, ``drop_axes``, ``is_scalar``, ``kind`` (``"basic"``,
``"orthogonal"`` or ``"vectorized"``), ``array_shape``, ``chunk_shape``,
``chunk_coords()`` (touched chunks, without building projections),
``nchunks_touched`` and ``region`` (bounding box). Selection errors raise
:class:`zarrdist.errors.SelectionError` (an ``IndexError``) naming the axis and
value.

To re-project a projection's chunk selection onto a finer grid (the inner chunks of
a shard), pass it to :func:`fancy_indexer` with the shard's shape and the inner
chunk shape: it reproduces ``shard[p.chunk_selection]`` exactly. For orthogonal
projections, ``orthogonal_indexer(selection_axes(p.chunk_selection), ...)`` is
cheaper.
"""

from __future__ import annotations

from zarrdist.chunking.indexing._build import (
    basic_indexer,
    block_indexer,
    coordinate_indexer,
    mask_indexer,
    orthogonal_indexer,
)
from zarrdist.chunking.indexing._core import ChunkProjection, Indexer
from zarrdist.chunking.indexing._fancy import fancy_indexer, is_basic_selection, is_pure_fancy
from zarrdist.chunking.indexing._values import (
    apply_chunk_selection,
    assign_chunk_selection,
    broadcast_value,
    check_value_shape,
    copy_to_chunk,
    copy_to_output,
    selection_axes,
)

__all__ = [
    "ChunkProjection",
    "Indexer",
    "apply_chunk_selection",
    "assign_chunk_selection",
    "basic_indexer",
    "block_indexer",
    "broadcast_value",
    "check_value_shape",
    "coordinate_indexer",
    "copy_to_chunk",
    "copy_to_output",
    "fancy_indexer",
    "is_basic_selection",
    "is_pure_fancy",
    "mask_indexer",
    "orthogonal_indexer",
    "selection_axes",
]
