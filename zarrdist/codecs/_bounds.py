"""Decompression capped at what a chunk can hold: no decompression bombs.

A stored chunk decodes to a known size (its shape times its item size), so a
compressed frame that claims or produces more is refused *before* the memory is
allocated, with a :class:`CodecError` naming the codec: a 96 KiB zstd frame that
claims 3 GiB costs nothing. The cap of every bytes->bytes decode is
:func:`encoded_bound` of the chain, carried in ``ArraySpec.decode_limit``:

* the array->bytes codec's largest encoded size: the chunk's bytes for ``bytes``;
  for a shard, its inner chunks' bytes plus per-chunk framing and the index;
  for variable-length types (whose size the metadata cannot know),
  ``codecs.max_vlen_chunk_bytes``;
* plus what compressors and checksums between it and the stored bytes may add
  (compressors expand incompressible data by well under 1/16, plus a header).

Formats that record their decoded size (zstd frames, blosc and lz4 headers) are
checked against the cap from their header; streams that do not (gzip, zlib, bz2,
lzma) are decompressed with the cap as the output limit.
"""

from __future__ import annotations

import bz2
import lzma
import math
import zlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from zarrdist.config import config
from zarrdist.errors import CodecError

if TYPE_CHECKING:
    from zarrdist.codecs._base import ArraySpec, Encoded
    from zarrdist.codecs.pipeline import CodecChain

__all__ = [
    "FRAMING",
    "bounded_bz2",
    "bounded_numcodec",
    "bounded_lzma",
    "bounded_zlib",
    "check_declared",
    "encoded_bound",
    "fixed_bound",
    "limit_of",
]

#: Bytes a compressor or checksum may add to its input beyond 1/16 of it.
FRAMING = 64 << 10
#: Framing per inner chunk of a shard (a frame header, a checksum, an index entry).
_PER_INNER_CHUNK = 96


def _vlen(spec: ArraySpec) -> bool:
    return spec.dtype.kind in "OT"


def fixed_bound(spec: ArraySpec) -> int | None:
    """The decoded size of a chunk of ``spec``; None for variable-length types."""
    return None if _vlen(spec) else spec.nbytes


def _grow(size: int, codecs: int) -> int:
    """``size`` after ``codecs`` compressors/checksums at their worst."""
    for _ in range(codecs):
        size += size // 16 + FRAMING
    return size


def encoded_bound(chain: CodecChain, spec: ArraySpec) -> int:
    """The most bytes any stage of ``chain`` can hold for a chunk of ``spec``."""
    codec = chain.array_bytes
    inner_chain = getattr(codec, "inner_chain", None)
    if inner_chain is not None:  # sharding
        inner_spec = codec.inner_spec(spec)  # type: ignore[attr-defined]
        count = math.prod(-(-s // c) for s, c in zip(spec.shape, inner_spec.shape, strict=True))
        inner = encoded_bound(inner_chain, inner_spec)
        size = count * (inner + _PER_INNER_CHUNK) + FRAMING
    else:
        fixed = fixed_bound(spec)
        size = int(config.get("codecs.max_vlen_chunk_bytes")) if fixed is None else fixed
    return _grow(size, len(chain.bytes_bytes))


def limit_of(spec: ArraySpec) -> int | None:
    """The cap a bytes->bytes codec's decode must keep to (None: none known)."""
    return getattr(spec, "decode_limit", None)


def _too_big(codec: str, size: int | str, limit: int) -> CodecError:
    return CodecError(
        f"refusing to decompress: the stored chunk would decode to {size} bytes, more "
        f"than the {limit} bytes a chunk of this array can hold (a corrupt or hostile "
        "chunk)",
        codec=codec,
    )


def check_declared(codec: str, declared: int, limit: int | None) -> None:
    """Refuse a frame whose header declares more than ``limit`` decoded bytes."""
    if limit is not None and declared > limit:
        raise _too_big(codec, declared, limit)


def _drain(
    codec: str,
    data: Encoded,
    limit: int,
    make: Callable[[], Any],
    errors: tuple[type[BaseException], ...],
) -> bytes:
    """Decompress every concatenated stream of ``data``, at most ``limit`` bytes in all."""
    out = bytearray()
    rest = memoryview(data).cast("B")
    try:
        while True:
            engine = make()
            out += engine.decompress(rest, limit + 1 - len(out))
            if len(out) > limit:
                raise _too_big(codec, f"more than {limit}", limit)
            if not engine.eof:
                raise CodecError("truncated compressed stream", codec=codec)
            rest = memoryview(engine.unused_data)
            if not rest or not any(rest[:64]):  # trailing zero padding (gzip files)
                return bytes(out)
    except errors as exc:
        raise CodecError(f"{type(exc).__name__}: {exc}", codec=codec) from exc


def bounded_zlib(codec: str, data: Encoded, limit: int, *, wbits: int) -> bytes:
    """zlib/gzip data (``wbits`` as for :func:`zlib.decompressobj`), capped."""
    return _drain(codec, data, limit, lambda: zlib.decompressobj(wbits), (zlib.error,))


def bounded_bz2(codec: str, data: Encoded, limit: int) -> bytes:
    """bz2 data, capped."""
    return _drain(codec, data, limit, bz2.BZ2Decompressor, (OSError, ValueError, EOFError))


def bounded_lzma(codec: str, data: Encoded, limit: int, **options: Any) -> bytes:
    """lzma/xz data (``options`` as for :class:`lzma.LZMADecompressor`), capped."""
    return _drain(
        codec, data, limit, lambda: lzma.LZMADecompressor(**options), (lzma.LZMAError, EOFError)
    )


def _header_size(data: Encoded, start: int, stop: int) -> int | None:
    head = bytes(memoryview(data).cast("B")[start:stop])
    return int.from_bytes(head, "little") if len(head) == stop - start else None


def bounded_numcodec(
    codec_id: str,
    numcodec: Any,
    data: Encoded,
    limit: int | None,
    call: Callable[..., Any],
    name: str | None = None,
) -> Any:
    """numcodecs' ``decode`` of ``data``, kept to ``limit`` decoded bytes.

    ``call(name, fn, data)`` runs numcodecs with zarrdist's error mapping; errors
    name the codec ``name`` (default: ``codec_id``).
    """
    name = name or codec_id
    if limit is None:
        return call(name, numcodec.decode, data)
    if codec_id in ("gzip", "zlib"):
        return bounded_zlib(name, data, limit, wbits=31 if codec_id == "gzip" else 15)
    if codec_id == "bz2":
        return bounded_bz2(name, data, limit)
    if codec_id == "lzma":
        options = {"format": numcodec.format}
        if numcodec.format == lzma.FORMAT_RAW:
            options["filters"] = numcodec.filters
        return bounded_lzma(name, data, limit, **options)
    declared = None
    if codec_id == "blosc":
        declared = _header_size(data, 4, 8)
    elif codec_id == "lz4":
        declared = _header_size(data, 0, 4)
    elif codec_id == "zstd":
        import zstandard

        try:
            size = zstandard.frame_content_size(data)
        except zstandard.ZstdError:
            size = -1
        declared = size if size >= 0 else None
        if declared is None:
            return bounded_zstd_stream(name, data, limit)
    if declared is not None:
        check_declared(name, declared, limit)
    out = call(name, numcodec.decode, data)
    nbytes = memoryview(out).nbytes if not hasattr(out, "nbytes") else int(out.nbytes)
    if nbytes > limit:  # a codec that records no size: refused after the fact
        raise _too_big(name, nbytes, limit)
    return out


def bounded_zstd_stream(codec: str, data: Encoded, limit: int) -> bytes:
    """zstd frames that record no content size (streamed), decoded up to ``limit`` bytes."""
    import zstandard

    try:
        reader = zstandard.ZstdDecompressor().stream_reader(data, read_across_frames=True)
        with reader:
            out = reader.read(limit + 1)
            while len(out) <= limit and (more := reader.read(limit + 1 - len(out))):
                out += more
    except zstandard.ZstdError as exc:
        raise CodecError(f"ZstdError: {exc}", codec=codec) from exc
    if len(out) > limit:
        raise _too_big(codec, f"more than {limit}", limit)
    return out
