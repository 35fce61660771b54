"""Host-side logic of device decoding: which chains qualify, batch planning, and the
batch decode itself with NumPy standing in for CuPy and the host for nvCOMP."""

from __future__ import annotations

import numcodecs
import numpy as np
import pytest

from tests.gpu._fake_device import DeviceArray, FakeNvcomp, fake_cupy
from zarrdist.codecs import (
    ArraySpec,
    BloscCodec,
    BytesCodec,
    CodecChain,
    Crc32cCodec,
    GzipCodec,
    TransposeCodec,
    ZstdCodec,
    encode_chunk,
)
from zarrdist.codecs.device import DEVICE_BATCH_BYTES, device_plan, plan_batches
from zarrdist.codecs.numcodecs import LZ4, Zlib
from zarrdist.errors import CodecError


def _chain(*codecs: object, spec: ArraySpec) -> CodecChain:
    return CodecChain.from_codecs(codecs).evolve_from_array_spec(spec)  # type: ignore[arg-type]


SPEC = ArraySpec((16, 8), np.dtype("<f4"))


def test_a_compressor_with_a_kernel_runs_on_the_device() -> None:
    plan = device_plan(_chain(BytesCodec(), ZstdCodec(level=1), spec=SPEC), SPEC)
    assert plan is not None
    assert plan.host == ()
    assert plan.stage is not None
    assert plan.stage.algorithm == "zstd"


def test_no_compressor_still_decodes_on_the_device() -> None:
    plan = device_plan(_chain(TransposeCodec(order=(1, 0)), BytesCodec(), spec=SPEC), SPEC)
    assert plan is not None
    assert plan.stage is None


def test_an_outer_checksum_runs_on_the_host_first() -> None:
    chain = _chain(BytesCodec(), GzipCodec(level=1), Crc32cCodec(), spec=SPEC)
    plan = device_plan(chain, SPEC)
    assert plan is not None
    assert plan.stage is not None
    assert [c.v3_name for c in plan.host] == ["crc32c"]
    assert plan.stage.algorithm == "deflate"


@pytest.mark.parametrize(
    "codecs",
    [
        (BytesCodec(), Crc32cCodec(), ZstdCodec()),  # a host codec under a device one
        (BytesCodec(), ZstdCodec(), GzipCodec()),  # two device codecs in a row
    ],
    ids=["host-inside-device", "two-compressors"],
)
def test_chains_without_a_device_plan_fall_back(codecs: tuple[object, ...]) -> None:
    assert device_plan(_chain(*codecs, spec=SPEC), SPEC) is None


def test_a_compressor_without_a_kernel_decodes_on_the_host() -> None:
    # Blosc has no nvCOMP kernel: the host decompresses, bytes runs on the device.
    plan = device_plan(_chain(BytesCodec(), BloscCodec(cname="zstd"), spec=SPEC), SPEC)
    assert plan is not None
    assert plan.stage is None
    assert [c.v3_name for c in plan.host] == ["blosc"]


def test_object_dtypes_fall_back() -> None:
    from zarrdist.codecs import VLenUTF8Codec

    spec = ArraySpec((4,), np.dtype("O"))
    assert device_plan(_chain(VLenUTF8Codec(), spec=spec), spec) is None


def test_plan_batches_keeps_each_batch_under_the_limit() -> None:
    assert plan_batches([4, 4, 4, 4, 4], limit=8) == [[0, 1], [2, 3], [4]]
    assert plan_batches([20, 1, 1], limit=8) == [[0], [1, 2]]
    assert plan_batches([]) == []
    # 64 one-MiB chunks of a 64 MiB shard make one batch.
    assert plan_batches([1 << 20] * 64, DEVICE_BATCH_BYTES) == [list(range(64))]


@pytest.mark.parametrize(
    ("codecs", "algorithm"),
    [
        ((BytesCodec(), ZstdCodec(level=1)), "zstd"),
        ((BytesCodec(endian="big"), GzipCodec(level=1), Crc32cCodec()), "deflate"),
        ((TransposeCodec(order=(1, 0)), BytesCodec(), LZ4()), "lz4"),
        ((BytesCodec(), Zlib()), "deflate"),
        ((TransposeCodec(order=(1, 0)), BytesCodec(endian="big")), None),
        ((BytesCodec(), BloscCodec(cname="lz4")), None),
    ],
    ids=["zstd", "gzip-crc32c-big-endian", "transpose-lz4", "zlib", "transpose-only", "blosc"],
)
def test_batch_decode_equals_the_host_decode(
    codecs: tuple[object, ...], algorithm: str | None
) -> None:
    xp = fake_cupy()
    backend = FakeNvcomp(xp)
    spec = ArraySpec((16, 8), np.dtype("<i4"))
    chain = _chain(*codecs, spec=spec)
    rng = np.random.default_rng(0)
    chunks = [rng.integers(-1000, 1000, spec.shape, dtype="<i4") for _ in range(5)]
    stored = [bytes(encode_chunk(chain, c, spec)) for c in chunks]  # type: ignore[arg-type]
    plan = device_plan(chain, spec)
    assert plan is not None
    decoded = plan.decode_batch(stored, spec, backend)
    for got, want in zip(decoded, chunks, strict=True):
        assert isinstance(got, DeviceArray)
        np.testing.assert_array_equal(got.get(), want)
    # One copy to the device for the whole batch, one nvCOMP call for all chunks.
    assert len(xp.copies) == 1  # type: ignore[attr-defined]
    assert backend.batches == ([(algorithm, 5)] if algorithm else [])


def test_a_chunk_of_the_wrong_size_is_a_codec_error() -> None:
    xp = fake_cupy()
    chain = _chain(BytesCodec(), ZstdCodec(level=1), spec=SPEC)
    short = numcodecs.Zstd(level=1).encode(np.zeros(7, dtype="u1"))
    plan = device_plan(chain, SPEC)
    assert plan is not None
    with pytest.raises(CodecError, match="expected 512"):
        plan.decode_batch([short], SPEC, FakeNvcomp(xp))


def test_a_gzip_header_with_a_file_name_is_refused_for_the_host() -> None:
    import gzip
    import io

    chain = _chain(BytesCodec(), GzipCodec(level=1), spec=SPEC)
    raw = np.arange(128, dtype="<f4").tobytes()
    named = io.BytesIO()
    with gzip.GzipFile("chunk.bin", "wb", fileobj=named) as f:  # sets FNAME
        f.write(raw)
    plan = device_plan(chain, SPEC)
    assert plan is not None
    backend = FakeNvcomp(fake_cupy())
    with pytest.raises(CodecError, match="optional fields"):
        plan.decode_batch([named.getvalue()], SPEC, backend)
    assert backend.batches == []
    assert GzipCodec().decode(named.getvalue(), SPEC) == raw  # the host reads it
