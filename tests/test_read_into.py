"""Reads decoded straight into their output: large chunks that fill a region of it
whole skip the thread's buffer (zarrdist.chunkio.read). Values are checked against
NumPy."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import zarrdist
from zarrdist.chunkio import read as chunkread
from zarrdist.chunkio.buffers import thread_buffer
from zarrdist.codecs import ZstdCodec
from zarrdist.config import config


def test_large_chunks_that_fill_a_region_are_decoded_straight_into_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Inner chunks of 64 KiB (past the size whose runs are placed together): those a
    # read takes whole into a contiguous region of its output skip the thread's
    # buffer; the others, and outputs of another layout, go through it.
    data = (np.arange(64 * 64 * 32, dtype="<f4").reshape(64, 64, 32) * 7) % 977
    z = zarrdist.create_array(
        str(tmp_path / "a"),
        shape=data.shape,
        dtype="<f4",
        chunks=(8, 64, 32),
        shards=(32, 64, 32),
        compressors=[ZstdCodec(level=1)],
        fill_value=0,
    )
    z[...] = data
    staged: list[int] = []

    def counting(nbytes: int) -> memoryview:
        staged.append(nbytes)
        return thread_buffer(nbytes)

    monkeypatch.setattr(chunkread, "thread_buffer", counting)
    for threads in (1, 2):
        with config.set({"threading.max_workers": threads}):
            np.testing.assert_array_equal(z[...], data)
            np.testing.assert_array_equal(z[8:40], data[8:40])
            assert staged == []
            np.testing.assert_array_equal(z[:, 0:32], data[:, 0:32])  # half of each chunk
            assert len(staged) == 8
            out = np.empty(data.shape, "<f4", order="F")
            assert z.get_basic_selection(..., out=out) is out
            np.testing.assert_array_equal(out, data)
            assert len(staged) == 16
            staged.clear()
