"""zstd through a reused per-thread context gives numcodecs' bytes, frame for frame.

The contract is zarr-python's bytes, and zarr-python compresses through numcodecs'
``Zstd``; :mod:`zarrdist.codecs._zstd_context` calls the same libzstd with a
context kept per thread. These tests compare both over random data, sizes, levels
and the checksum flag, with one context reused across all of them (settings
changing between calls, as they do between arrays).
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numcodecs.zstd import Zstd

from zarrdist.codecs import _zstd_context
from zarrdist.codecs._base import ArraySpec
from zarrdist.codecs.zstd import ZstdCodec

compress = _zstd_context.compressor()
needs_context = pytest.mark.skipif(
    compress is None, reason="numcodecs' libzstd is not reachable here (numcodecs is used)"
)


def _data(seed: int, size: int, kind: str) -> bytes:
    rng = np.random.default_rng(seed)
    if kind == "noise":
        return rng.bytes(size)
    if kind == "runs":
        return np.repeat(rng.integers(0, 4, size // 64 + 1, dtype=np.uint8), 64)[:size].tobytes()
    # a smooth field with a little noise, as array chunks are
    steps = np.cumsum(rng.normal(0, 1, size // 4 + 1)).astype("<f4")
    return steps.tobytes()[:size]


@needs_context
@settings(max_examples=300, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    size=st.integers(0, _zstd_context.REUSED_MAX_BYTES),
    kind=st.sampled_from(["noise", "runs", "field"]),
    level=st.integers(-20, 22),
    checksum=st.booleans(),
)
def test_reused_context_frames_equal_numcodecs(
    seed: int, size: int, kind: str, level: int, checksum: bool
) -> None:
    assert compress is not None
    data = _data(seed, size, kind)
    expected = Zstd(level=level, checksum=checksum).encode(data)
    assert compress(data, level, checksum) == expected
    # the same input again, through the now-used context, and from a NumPy view
    assert compress(np.frombuffer(data, dtype=np.uint8), level, checksum) == expected


@needs_context
@pytest.mark.parametrize("level", [-131072, -7, -1, 0, 1, 2, 3, 5, 9, 15, 19, 22])
@pytest.mark.parametrize("checksum", [False, True])
def test_each_level_and_checksum_flag(level: int, checksum: bool) -> None:
    assert compress is not None
    for size in (1, 100, 8 << 10, _zstd_context.REUSED_MAX_BYTES):
        data = _data(size + abs(level), size, "field")
        assert compress(data, level, checksum) == Zstd(level=level, checksum=checksum).encode(data)


@needs_context
def test_codec_encode_equals_numcodecs_for_every_input_kind() -> None:
    """ZstdCodec.encode: bytes, read-only and writable views, sizes on both sides
    of the reused context's limit; frames equal numcodecs' and decode back."""
    spec: Any = ArraySpec.__new__(ArraySpec)  # encode reads nothing of the spec
    for level, checksum in ((0, False), (1, True), (5, False)):
        codec = ZstdCodec(level=level, checksum=checksum)
        reference = Zstd(level=level, checksum=checksum)
        for size in (0, 8 << 10, _zstd_context.REUSED_MAX_BYTES + 1, 1 << 20):
            raw = _data(size, size, "field")
            for data in (raw, memoryview(raw), memoryview(bytearray(raw))):
                frame = codec.encode(data, spec)
                assert bytes(frame) == reference.encode(raw)
                if size:  # (numcodecs refuses to decode an empty frame)
                    assert reference.decode(frame) == raw


@needs_context
def test_not_contiguous_and_out_of_range_inputs_are_left_to_numcodecs() -> None:
    assert compress is not None
    strided = memoryview(np.arange(100, dtype=np.uint8)[::2])
    assert compress(strided, 1, False) is None
    assert compress(b"x" * (_zstd_context.REUSED_MAX_BYTES + 1), 1, False) is None
    assert compress(b"abc", 1 << 40, False) is None


@needs_context
def test_threads_each_keep_their_own_context() -> None:
    """Threads compressing at once with different settings get numcodecs' bytes."""
    assert compress is not None
    failures: list[tuple[int, int]] = []

    def work(thread: int) -> None:
        for i in range(200):
            level, checksum = (thread + i) % 7 - 1, bool(i % 2)
            data = _data(thread * 1000 + i, 4096 + i * 37, "field")
            if compress(data, level, checksum) != Zstd(level=level, checksum=checksum).encode(data):
                failures.append((thread, i))

    threads = [threading.Thread(target=work, args=(t,)) for t in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []


decompress_into = _zstd_context.decompressor()
needs_decoder = pytest.mark.skipif(
    decompress_into is None, reason="numcodecs' libzstd is not reachable here (numcodecs is used)"
)


@needs_decoder
@settings(max_examples=150, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    size=st.integers(1, 300_000),
    kind=st.sampled_from(["noise", "runs", "field"]),
    level=st.integers(-5, 9),
    checksum=st.booleans(),
)
def test_reused_decompression_context_equals_numcodecs(
    seed: int, size: int, kind: str, level: int, checksum: bool
) -> None:
    assert decompress_into is not None
    data = _data(seed, size, kind)
    frame = Zstd(level=level, checksum=checksum).encode(data)
    expected = bytearray(len(data))
    Zstd().decode(frame, out=expected)
    # bytes, a read-only view and a writable view (a fetch buffer) of the frame
    writable = bytearray(frame)
    for source in (frame, memoryview(frame), memoryview(writable), np.frombuffer(frame, "u1")):
        out = bytearray(len(data))
        assert decompress_into(source, out)
        assert out == expected == data
    view = memoryview(bytearray(len(data) + 7))[3 : 3 + len(data)]  # a view into a larger buffer
    assert decompress_into(frame, view)
    assert view.tobytes() == data


@needs_decoder
def test_reused_decompression_context_declines_what_numcodecs_refuses() -> None:
    assert decompress_into is not None
    data = _data(1, 50_000, "field")
    frame = Zstd(level=1, checksum=True).encode(data)
    assert not decompress_into(frame, bytearray(len(data) - 1))  # too small
    assert not decompress_into(frame, bytearray(len(data) + 1))  # not filled exactly
    assert not decompress_into(frame + b"junk", bytearray(len(data)))  # data after the frame
    damaged = bytearray(frame)
    damaged[-1] ^= 0xFF  # the content checksum
    assert not decompress_into(bytes(damaged), bytearray(len(data)))
    assert not decompress_into(b"not a frame", bytearray(len(data)))
    assert not decompress_into(frame, bytes(len(data)))  # read-only output
    strided = memoryview(bytearray(2 * len(data)))[::2]
    assert not decompress_into(frame, strided)  # not contiguous
    # the context is still good after each refusal
    out = bytearray(len(data))
    assert decompress_into(frame, out)
    assert out == data


@needs_decoder
def test_threads_each_keep_their_own_decompression_context() -> None:
    assert decompress_into is not None
    frames = [(d, Zstd(level=1).encode(d)) for d in (_data(s, 70_000, "field") for s in range(8))]
    failures: list[int] = []

    def work(k: int) -> None:
        out = bytearray(70_000)
        for i in range(40):
            data, frame = frames[(i + k) % len(frames)]
            if not decompress_into(frame, out) or out != data:
                failures.append(k)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures
