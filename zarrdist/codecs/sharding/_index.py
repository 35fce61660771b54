"""The shard index: pure functions over a ``uint64`` array of ``(offset, nbytes)`` pairs.

An index has shape ``(*chunks_per_shard, 2)``. Entry ``index[c] == (offset, nbytes)``
says inner chunk ``c`` is stored at bytes ``[offset, offset + nbytes)`` of the shard;
``MAX_UINT64`` in both fields says the inner chunk is absent (fill value). The index
is encoded with its own codec chain, which must be fixed-size so that a reader can
fetch it with one byte-range request before it knows anything else.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from zarrdist.chunkio.buffers import cpu_prototype
from zarrdist.codecs._base import ArraySpec
from zarrdist.codecs.pipeline import decode_chunk, encode_chunk
from zarrdist.errors import CodecError

if TYPE_CHECKING:
    from zarrdist.codecs._base import Encoded
    from zarrdist.codecs.pipeline import CodecChain

__all__ = [
    "CODEC_NAME",
    "MAX_UINT64",
    "check_index",
    "decode_index",
    "empty_index",
    "encode_index",
    "index_size_bytes",
    "index_spec",
    "is_empty_entry",
]

#: The v3 name, used in every error this package raises.
CODEC_NAME = "sharding_indexed"
#: Offset and length of an absent inner chunk.
MAX_UINT64 = 2**64 - 1
_INDEX_DTYPE = np.dtype("uint64")
# The largest file offset (off_t) an entry may reach.
_MAX_OFFSET = 2**63 - 1


def index_spec(chunks_per_shard: tuple[int, ...]) -> ArraySpec:
    """The array spec the index codecs see: ``uint64`` of shape ``(*chunks_per_shard, 2)``.

    The index is host metadata whatever the data's prototype, so it always uses numpy.
    """
    return ArraySpec(
        shape=(*chunks_per_shard, 2),
        dtype=_INDEX_DTYPE,
        fill_value=np.uint64(MAX_UINT64),
        order="C",
        prototype=cpu_prototype,
    )


def empty_index(chunks_per_shard: tuple[int, ...]) -> np.ndarray[Any, np.dtype[np.uint64]]:
    """An index in which every inner chunk is absent."""
    return np.full((*chunks_per_shard, 2), MAX_UINT64, dtype=_INDEX_DTYPE)


def is_empty_entry(index: np.ndarray[Any, Any]) -> np.ndarray[Any, np.dtype[np.bool_]]:
    """Boolean mask of shape ``chunks_per_shard``: True where the inner chunk is absent."""
    return np.asarray((index[..., 0] == MAX_UINT64) & (index[..., 1] == MAX_UINT64))


def index_size_bytes(index_chain: CodecChain, chunks_per_shard: tuple[int, ...]) -> int:
    """Encoded size in bytes of the index of a shard with ``chunks_per_shard`` inner chunks.

    Raises
    ------
    CodecError
        If the index codecs are not fixed-size (a compressor in ``index_codecs``).
    """
    if not index_chain.is_fixed_size:
        names = [c.v3_name for c in index_chain.codecs]
        raise CodecError(
            f"index_codecs {names} must all be fixed-size so the index can be located",
            codec=CODEC_NAME,
        )
    spec = index_spec(chunks_per_shard)
    return index_chain.compute_encoded_size(spec.nbytes, spec)


def encode_index(
    index: np.ndarray[Any, Any], index_chain: CodecChain, spec: ArraySpec | None = None
) -> bytes:
    """Encode ``index`` with the index codecs.

    Parameters
    ----------
    index : numpy.ndarray
        ``uint64`` array of shape ``(*chunks_per_shard, 2)``.
    index_chain : CodecChain
        The index codecs (``bytes`` then usually ``crc32c``).
    spec : ArraySpec, optional
        The index's spec; :func:`index_spec` of the index's shape by default.
    """
    if spec is None:
        spec = index_spec(tuple(index.shape[:-1]))
    data = encode_chunk(index_chain, np.ascontiguousarray(index, dtype=_INDEX_DTYPE), spec)
    if data is None:
        raise CodecError("index codecs produced no bytes for the shard index", codec=CODEC_NAME)
    return bytes(data)


def decode_index(
    data: Encoded,
    index_chain: CodecChain,
    chunks_per_shard: tuple[int, ...],
    shard_nbytes: int | None = None,
    data_start: int = 0,
) -> np.ndarray[Any, np.dtype[np.uint64]]:
    """Decode and check a shard index.

    Parameters
    ----------
    data : bytes-like
        The encoded index, exactly :func:`index_size_bytes` long.
    index_chain : CodecChain
        The index codecs.
    chunks_per_shard : tuple of int
        Inner chunks per shard along each axis.
    shard_nbytes : int, optional
        End of the bytes inner chunks may occupy (the shard's length, less the
        index when it is at the end), when known: entries must end before it.
    data_start : int
        Start of the bytes inner chunks may occupy (the index size when it is at
        the start); checked only with ``shard_nbytes``.

    Raises
    ------
    CodecError
        If ``data`` has the wrong length or the decoded entries are inconsistent.
    ChecksumError
        If a checksum codec (``crc32c``) in ``index_chain`` finds the index corrupt.
    """
    expected = index_size_bytes(index_chain, chunks_per_shard)
    if len(data) != expected:
        raise CodecError(
            f"shard index is {len(data)} bytes, expected {expected} for "
            f"{chunks_per_shard} inner chunks (truncated or corrupt shard)",
            codec=CODEC_NAME,
        )
    spec = index_spec(chunks_per_shard)
    decoded = decode_chunk(index_chain, data, spec)
    index = np.asarray(cpu_prototype.to_host(decoded), dtype=_INDEX_DTYPE).reshape(spec.shape)
    check_index(index, shard_nbytes, data_start)
    return index


def check_index(
    index: np.ndarray[Any, Any], shard_nbytes: int | None = None, data_start: int = 0
) -> None:
    """Raise CodecError if ``index`` has half-empty entries or entries outside the data.

    Every stored entry must start at or after ``data_start`` and end before 2**63;
    with ``shard_nbytes``, it must lie in ``[data_start, shard_nbytes)``.

    Raises
    ------
    CodecError
        Naming the first bad inner chunk.
    """
    offsets, lengths = index[..., 0], index[..., 1]
    absent = offsets == MAX_UINT64
    half = absent != (lengths == MAX_UINT64)
    if half.any():
        where = tuple(int(i) for i in np.argwhere(half)[0])
        raise CodecError(
            f"shard index entry {where} marks only one of offset/length as empty",
            codec=CODEC_NAME,
        )
    # No shard is 2**63 bytes long; an entry reaching past that is corrupt (and would
    # overflow the file offsets of the operating system's read calls).
    limit = np.uint64(_MAX_OFFSET)
    huge = ~absent & ((offsets > limit) | (lengths > limit - np.minimum(offsets, limit)))
    # An index at the start, the shard's length unknown: chunk bytes begin after it.
    early = ~absent & (offsets < np.uint64(data_start)) if shard_nbytes is None else absent & False
    for bad, what in (
        (huge, "outside any possible shard (past 2**63)"),
        (early, f"outside the shard's chunk bytes [{data_start}, ...), into the shard index"),
    ):
        if bad.any():
            where = tuple(int(i) for i in np.argwhere(bad)[0])
            offset, length = (int(v) for v in index[where])
            raise CodecError(
                f"shard index entry {where} points at bytes [{offset}, {offset + length}) {what}",
                codec=CODEC_NAME,
            )
    if shard_nbytes is None:
        return
    # Compare as "offset <= end and length <= end - offset" so that no uint64 sum
    # can wrap around and hide an out-of-range entry.
    end, start = np.uint64(max(shard_nbytes, 0)), np.uint64(data_start)
    beyond = ~absent & (
        (offsets < start) | (offsets > end) | (lengths > end - np.minimum(offsets, end))
    )
    if beyond.any():
        where = tuple(int(i) for i in np.argwhere(beyond)[0])
        offset, length = (int(v) for v in index[where])
        raise CodecError(
            f"shard index entry {where} points at bytes [{offset}, {offset + length}) "
            f"outside the shard's chunk bytes [{data_start}, {shard_nbytes})",
            codec=CODEC_NAME,
        )
