"""``zstd``: Zstandard compression, optionally with the frame's content checksum.

Spec: https://github.com/zarr-developers/zarr-extensions/tree/main/codecs/zstd

v3 name ``zstd``; v2 id ``zstd``. Compression is numcodecs' zstd, as in
zarr-python 3.1.5, so the bytes are equal (small inputs through numcodecs' own
libzstd with a reused context, :mod:`zarrdist.codecs._zstd_context`). Decompression
into a new buffer uses a reused per-thread context from ``zstandard`` (half the
per-call cost of numcodecs on small chunks); frames it cannot size go through
numcodecs. Decompression into a buffer the caller holds (:func:`decompress_into`)
goes through numcodecs' libzstd with a reused per-thread context.

>>> from zarrdist.codecs.zstd import ZstdCodec
>>> ZstdCodec().to_json()
{'name': 'zstd', 'configuration': {'level': 0, 'checksum': False}}
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, ClassVar, cast

import zstandard
from numcodecs.zstd import Zstd

from zarrdist.codecs._base import ArraySpec, BytesBytesCodec, Encoded, check_configuration
from zarrdist.codecs._bounds import bounded_zstd_stream, check_declared, limit_of
from zarrdist.codecs._numcodecs_calls import as_encoded, numcodecs_call
from zarrdist.codecs._zstd_context import compressor, decompressor
from zarrdist.codecs.registry import register_codec
from zarrdist.errors import ChecksumError, CodecError

__all__ = ["ZstdCodec", "decompress_into"]

_NAME = "zstd"
_local = threading.local()
#: Decoding needs no setting of the codec (numcodecs makes a context per call).
_ONE_SHOT = Zstd()
#: What zstandard's size probe and numcodecs' decode raise for data they cannot decode.
_INTO_ERRORS = (zstandard.ZstdError, RuntimeError, ValueError, TypeError)


def _decompressor() -> zstandard.ZstdDecompressor:
    # A context is not thread-safe; one per thread is reused across calls.
    context: zstandard.ZstdDecompressor | None = getattr(_local, "context", None)
    if context is None:
        context = _local.context = zstandard.ZstdDecompressor()
    return context


#: Frames up to this decoded size are decompressed in batches.
_BATCH_FRAME_BYTES = 32 << 10
#: Decoded bytes of a batch that its thread holds until its next batch.
_HELD_BATCH_BYTES = 2 << 20


def _small_frame(data: Encoded) -> bool:
    """Whether ``data`` is a frame small enough to decode in a batch call.

    A batch call gains nothing on large frames and allocates its output in a way
    that, in a process's main thread, maps fresh memory on every call (faults that
    decoding one by one does not take; docs/performance.md, "zstd: batches of small
    frames").
    """
    try:
        size = zstandard.frame_content_size(data)
    except zstandard.ZstdError:
        return False  # not a frame: decoding it alone names the fault
    return 0 <= size <= _BATCH_FRAME_BYTES


def _declared_size(data: Encoded) -> int:
    """The decoded size a frame's header records; -1 if none, -2 if not a frame."""
    try:
        return int(zstandard.frame_content_size(data))
    except zstandard.ZstdError:
        return -2


def decompress(data: Encoded, fallback: Zstd) -> Encoded:
    """Decompress one frame, verifying its checksum when it has one.

    Raises
    ------
    ChecksumError
        If the frame's content checksum does not match.
    CodecError
        If ``data`` is not a valid zstd frame.
    """
    try:
        out: Encoded = _decompressor().decompress(data)
    except zstandard.ZstdError as exc:
        message = str(exc)
        if "content size" in message:
            # Streamed frames do not record their size: numcodecs handles those.
            return as_encoded(numcodecs_call(_NAME, fallback.decode, data))
        if "checksum" in message.lower():
            raise ChecksumError(f"content checksum mismatch: {message}", codec=_NAME) from exc
        raise CodecError(f"ZstdError: {message}", codec=_NAME) from exc
    return out


def _decompress_prefix(data: Encoded, view: memoryview) -> bool:
    """Decode a frame's first ``len(view)`` bytes into ``view``; whether it got them."""
    done = 0
    with _decompressor().stream_reader(data) as reader:
        while done < len(view) and (got := reader.readinto(view[done:])):
            done += got
    return done == len(view)


def decompress_into(data: Encoded, out: bytearray | memoryview, need: int | None = None) -> bool:
    """Decompress one frame into ``out``, which it must fill exactly; whether it did.

    For callers that reuse one buffer per thread, or that decode straight into a
    read's output: a new buffer per large frame is new memory for the system to
    fault in, as much work as placing the chunk. One call of zstd's one-shot
    decompression (numcodecs' libzstd through a context reused per thread, the GIL
    released; numcodecs' own call where that library cannot be used) writes ``out``
    directly; a stream reader stages the frame through its own window first
    (docs/performance.md, "xarray" and "zstd: a reused decompression context"). False, with ``out`` undefined, for anything else (a frame of another
    size, one without a recorded size, a bad frame or checksum, data after the
    frame): decoding the frame the usual way then gives the value or names the fault.

    ``need``: only the first ``need`` bytes of ``out`` are wanted. A frame without a
    content checksum is decoded that far and no further (zstd decodes in order), the
    rest of ``out`` left undefined; the frame's end, which holds nothing of the
    wanted bytes, is then not checked. A frame with a checksum is decoded whole, so
    that the checksum is verified.
    """
    try:
        if zstandard.frame_content_size(data) != len(out):
            return False
        if (
            need is not None
            and need < len(out)
            and not zstandard.get_frame_parameters(data).has_checksum
        ):
            return _decompress_prefix(data, memoryview(out)[: max(0, need)])
        into = decompressor()
        if into is not None and len(out):
            return into(data, out)
        _ONE_SHOT.decode(data, out=out)
    except _INTO_ERRORS:
        return False
    return True


@dataclass(frozen=True, kw_only=True)
class ZstdCodec(BytesBytesCodec):
    """Zstandard compression.

    Parameters
    ----------
    level : int
        Compression level (negative for fast modes, up to 22; 0 means zstd's default).
    checksum : bool
        Store a content checksum in the frame and verify it when decoding.
    """

    level: int = 0
    """Compression level; 0 is zstd's default (3)."""
    checksum: bool = False
    """Whether frames carry a content checksum."""

    v3_name: ClassVar[str] = _NAME
    v2_ids: ClassVar[tuple[str, ...]] = ("zstd",)

    def __post_init__(self) -> None:
        if isinstance(self.level, bool) or not isinstance(self.level, int):
            raise CodecError(f"level must be an integer, got {self.level!r}", codec=_NAME)
        if self.level > 22:
            raise CodecError(f"level must be at most 22, got {self.level}", codec=_NAME)
        if not isinstance(self.checksum, bool):
            raise CodecError(f"checksum must be a boolean, got {self.checksum!r}", codec=_NAME)

    @classmethod
    def from_json(cls, configuration: dict[str, Any]) -> ZstdCodec:
        """Build from ``{"level": int, "checksum": bool}``."""
        config = check_configuration(_NAME, configuration, ("level", "checksum"))
        return cls(**config)

    def to_json(self) -> dict[str, Any]:
        """``{"name": "zstd", "configuration": {"level": ..., "checksum": ...}}``."""
        return {"name": _NAME, "configuration": {"level": self.level, "checksum": self.checksum}}

    @cached_property
    def _zstd(self) -> Zstd:
        return Zstd(level=self.level, checksum=self.checksum)

    def encode(self, data: Encoded, spec: ArraySpec) -> Encoded:
        """Compress ``data`` to one zstd frame: numcodecs' bytes, through a context
        reused per thread for small inputs where that is shown to give them
        (:mod:`zarrdist.codecs._zstd_context`)."""
        compress = compressor()
        if compress is not None:
            frame = compress(data, self.level, self.checksum)
            if frame is not None:
                return frame
        return as_encoded(numcodecs_call(_NAME, self._zstd.encode, data))

    def decode(self, data: Encoded, spec: ArraySpec) -> Encoded:
        """Decompress, verifying the content checksum if the frame has one.

        Raises
        ------
        ChecksumError
            If the frame's content checksum does not match.
        CodecError
            If ``data`` is not a valid zstd frame, or would decode to more bytes
            than the chunk can hold (checked from the frame's header, before any
            memory is allocated).
        """
        limit = limit_of(spec)
        if limit is not None:
            size = _declared_size(data)
            if size == -1:  # a streamed frame: decoded up to the limit only
                return bounded_zstd_stream(_NAME, data, limit)
            check_declared(_NAME, size, limit)
        return decompress(data, self._zstd)

    decodes_into: ClassVar[bool] = True

    def decode_into(self, data: Encoded, out: memoryview) -> bool:
        """Decompress one frame into ``out`` (see :func:`decompress_into`)."""
        return decompress_into(data, out)

    def decode_prefix_into(self, data: Encoded, out: memoryview, need: int) -> bool:
        """Decompress one frame into ``out`` as far as its first ``need`` bytes, or
        whole if it has a checksum (see :func:`decompress_into`)."""
        return decompress_into(data, out, need)

    def decode_many(self, datas: Sequence[Encoded], spec: ArraySpec) -> list[Encoded]:
        """Decompress several frames in one call that releases the GIL once.

        Per frame, an 8 KiB chunk costs about as much in call overhead as in
        decompression; one batch call lets another thread run Python meanwhile.
        A batch that fails (a frame without a recorded size, or a bad frame) is
        decoded frame by frame, which decodes the first kind and names the fault.
        Larger frames are decoded one by one (see ``_small_frame``).
        """
        if len(datas) < 2 or not _small_frame(datas[0]):
            return [self.decode(data, spec) for data in datas]
        limit = limit_of(spec)
        if limit is not None and any(_declared_size(d) > limit for d in datas):
            return [self.decode(data, spec) for data in datas]  # names the bad frame
        try:
            frames = _decompressor().multi_decompress_to_buffer(list(datas))
        except (zstandard.ZstdError, ValueError):  # ValueError: a frame of unknown size
            return [self.decode(data, spec) for data in datas]
        # The batch's frames are separate small allocations, freed together once
        # placed: they merge at the top of the thread's heap, which glibc then
        # hands back to the system, and the next batch faults the same pages in
        # again (docs/performance.md, "zstd: batches of small frames"). Holding
        # each batch until the thread's next one is decoded leaves a hole the next
        # batch fills instead. A large batch (a whole shard) is not held.
        _local.last_batch = frames if frames.size() <= _HELD_BATCH_BYTES else None
        # Each view keeps its frame's output alive for as long as it is needed.
        # (zstandard's stubs do not declare BufferSegment's buffer protocol.)
        return [memoryview(cast(Any, frames[i])) for i in range(len(frames))]


register_codec(ZstdCodec)
