"""How every call into numcodecs is made: error mapping, the pickle gate, output
normalisation.

Every codec that delegates to numcodecs (gzip, zstd, blosc, vlen-*, ``numcodecs.*``
and the v2 chain) goes through these, so errors name the codec the same way and
the unpickling gate lives in one place.
"""

from __future__ import annotations

import lzma
import pickle
import zlib
from collections.abc import Callable
from typing import Any

import numcodecs
import numpy as np
from numcodecs.abc import Codec as Numcodec
from numcodecs.compat import ensure_contiguous_ndarray
from numcodecs.pickles import Pickle
from numcodecs.registry import codec_registry

from zarrdist.codecs._base import Encoded
from zarrdist.config import config
from zarrdist.errors import ChecksumError, CodecError, UnknownCodecError

__all__ = [
    "CODEC_ERRORS",
    "UNSAFE_IDS",
    "as_encoded",
    "check_allowed",
    "get_numcodec",
    "numcodecs_call",
]

#: What numcodecs and the stdlib compressors raise on bad input or configuration.
CODEC_ERRORS: tuple[type[BaseException], ...] = (
    RuntimeError,
    ValueError,
    TypeError,
    OSError,
    EOFError,
    IndexError,
    KeyError,
    OverflowError,
    # C extensions report some corrupt inputs this way (numcodecs' blosc: a negative
    # size from a damaged header).
    SystemError,
    zlib.error,
    lzma.LZMAError,
)
#: numcodecs ids whose decode can run arbitrary code (they unpickle).
UNSAFE_IDS = frozenset({"pickle"})


def check_allowed(codec_id: str) -> None:
    """Refuse ids that unpickle unless ``codecs.allow_pickle`` is set.

    Raises
    ------
    UnknownCodecError
        If ``codec_id`` is unsafe and not allowed.
    """
    if codec_id in UNSAFE_IDS and not config.get("codecs.allow_pickle"):
        raise UnknownCodecError(
            "codec unpickles and can run arbitrary code; enable it with "
            "zarrdist.config.set({'codecs.allow_pickle': True}) if you trust the store",
            codec=codec_id,
        )


class _GatedPickle(Pickle):  # type: ignore[misc]
    """numcodecs ``Pickle`` whose decode follows ``codecs.allow_pickle``.

    numcodecs gates decoding on its own process-wide flag; zarrdist's gate is its
    config (also process-wide, never read from metadata), checked again here at
    decode time so a codec built while allowed cannot decode after it is revoked.
    """

    def decode(self, buf: Any, out: Any = None) -> Any:
        check_allowed(self.codec_id)
        decoded = pickle.loads(ensure_contiguous_ndarray(buf))  # gated above
        if out is not None:
            np.copyto(out, decoded)
            return out
        return decoded


def get_numcodec(configuration: dict[str, Any]) -> Numcodec:
    """The numcodecs codec for a v2-style config (with ``id``), errors naming it.

    Raises
    ------
    UnknownCodecError
        If numcodecs has no such codec, or it is refused as unsafe.
    CodecError
        If the configuration is invalid.
    """
    codec_id = configuration.get("id") if isinstance(configuration, dict) else None
    if not isinstance(codec_id, str):
        raise UnknownCodecError(f"numcodecs config has no string 'id': {configuration!r}")
    check_allowed(codec_id)
    if codec_id == "pickle":
        settings = {k: v for k, v in configuration.items() if k != "id"}
        try:
            return _GatedPickle(**settings)
        except TypeError as exc:
            raise CodecError(f"invalid configuration {configuration!r}", codec=codec_id) from exc
    if codec_id not in codec_registry:
        try:
            return numcodecs.get_codec(dict(configuration))
        except ValueError as exc:
            raise UnknownCodecError("numcodecs has no such codec", codec=codec_id) from exc
    try:
        return numcodecs.get_codec(dict(configuration))
    except CODEC_ERRORS as exc:
        raise CodecError(f"invalid configuration {configuration!r}: {exc}", codec=codec_id) from exc


def numcodecs_call(name: str, fn: Callable[[Any], Any], data: Any) -> Any:
    """Run a numcodecs encode/decode, turning its errors into CodecError naming ``name``.

    Checksum mismatches become ChecksumError. The caller adds the chunk key.
    """
    try:
        return fn(data)
    except CODEC_ERRORS as exc:
        message = str(exc)
        if "checksum" in message.lower() and "match" in message.lower():
            raise ChecksumError(message, codec=name) from exc
        raise CodecError(f"{type(exc).__name__}: {message}", codec=name) from exc


def as_encoded(out: Any) -> Encoded:
    """numcodecs output (bytes, or an ndarray for checksum codecs) as 1-D bytes."""
    if isinstance(out, bytes | bytearray | memoryview):
        return out
    arr = np.ascontiguousarray(out)
    return arr.reshape(-1).view(np.uint8).data
