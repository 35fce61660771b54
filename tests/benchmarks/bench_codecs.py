"""Codec pipeline throughput: zarrdist against zarr-python 3.1.5, same array, same run.

Run: ``python tests/benchmarks/bench_codecs.py [--repeat N]``.

Each case encodes and decodes one ~1 MiB float32 chunk (a smooth field plus noise,
quantised to 1/16 so it compresses 2-4x) through

* zarrdist: ``zarrdist.codecs.pipeline.encode_chunk`` / ``decode_chunk`` on an
  evolved ``CodecChain``;
* zarr-python: ``BatchedCodecPipeline.encode`` / ``decode`` on one chunk, driven by
  ``zarr.core.sync.sync``. That is the call zarr-python's own array read and write
  paths make per batch of chunks, so its event-loop and ``asyncio.to_thread`` hops
  are part of what a zarr-python user pays; the raw numcodecs call is printed too,
  as the floor neither library can beat.

Throughput is decoded MiB per second (median of ``--repeat`` runs). The ratio is
zarrdist / zarr-python: above 1 means zarrdist is faster.
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings
from collections.abc import Callable
from typing import Any

import numcodecs
import numpy as np
from zarr.core.array_spec import ArrayConfig
from zarr.core.array_spec import ArraySpec as ZarrArraySpec
from zarr.core.buffer import default_buffer_prototype
from zarr.core.codec_pipeline import BatchedCodecPipeline
from zarr.core.dtype import get_data_type_from_native_dtype
from zarr.core.sync import sync
from zarr.registry import get_codec_class

from zarrdist.codecs import ArraySpec, CodecChain, codec_from_json
from zarrdist.codecs.pipeline import decode_chunk, encode_chunk
from zarrdist.errors import CodecError

__all__ = ["CASES", "compare", "main", "make_field", "sharded_case"]

MiB = 1 << 20
BYTES = {"name": "bytes", "configuration": {"endian": "little"}}
ZSTD1 = {"name": "zstd", "configuration": {"level": 1, "checksum": False}}
BLOSC_LZ4 = {
    "name": "blosc",
    "configuration": {
        "typesize": 4,
        "cname": "lz4",
        "clevel": 5,
        "shuffle": "shuffle",
        "blocksize": 0,
    },
}
CASES: dict[str, list[dict[str, Any]]] = {
    "(a) bytes+zstd(1)": [BYTES, ZSTD1],
    "(b) bytes+blosc(lz4,shuffle)": [BYTES, BLOSC_LZ4],
}
# The floor: the numcodecs compressor alone on the raw bytes.
FLOORS = {
    "(a) bytes+zstd(1)": numcodecs.Zstd(level=1),
    "(b) bytes+blosc(lz4,shuffle)": numcodecs.Blosc("lz4", 5, numcodecs.Blosc.SHUFFLE, typesize=4),
}


def make_field(shape: tuple[int, ...] = (512, 512)) -> np.ndarray[Any, Any]:
    """A smooth field plus noise, quantised to 1/16: float32 that compresses 2-4x."""
    axes = np.meshgrid(*(np.linspace(0, 4 * np.pi, n) for n in shape), indexing="ij")
    smooth = np.prod([np.sin(a) for a in axes], axis=0) * 100
    noisy = smooth + np.random.default_rng(0).normal(0, 0.5, shape)
    field: np.ndarray[Any, Any] = (np.round(noisy * 16) / 16).astype("<f4")
    return field


def sharded_case() -> tuple[list[dict[str, Any]], np.ndarray[Any, Any]]:
    """(c) slot: one 64^3 float32 shard of 32^3 inner chunks (bytes+zstd, crc32c index).

    The sharding engineer owns the codec; this only names the configuration.
    """
    codecs = [
        {
            "name": "sharding_indexed",
            "configuration": {
                "chunk_shape": [32, 32, 32],
                "codecs": [BYTES, ZSTD1],
                "index_codecs": [BYTES, {"name": "crc32c"}],
                "index_location": "end",
            },
        }
    ]
    return codecs, make_field((64, 64, 64))


def _median_seconds(fns: list[Callable[[], Any]], repeat: int) -> list[float]:
    """Median wall time of each of ``fns``, run interleaved.

    Interleaving matters on a shared machine: a burst of load from elsewhere slows
    every contender in the same round instead of whichever happened to be running.
    """
    for fn in fns:
        fn()  # warm caches and lazily built codecs
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(repeat):
        for fn, bucket in zip(fns, times, strict=True):
            start = time.perf_counter()
            fn()
            bucket.append(time.perf_counter() - start)
    return [statistics.median(bucket) for bucket in times]


def _zarr_pipeline(
    codecs: list[dict[str, Any]], arr: np.ndarray[Any, Any]
) -> tuple[BatchedCodecPipeline, ZarrArraySpec]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        spec = ZarrArraySpec(
            shape=arr.shape,
            dtype=get_data_type_from_native_dtype(arr.dtype),
            fill_value=0,
            config=ArrayConfig(order="C", write_empty_chunks=True),
            prototype=default_buffer_prototype(),
        )
        parsed = [get_codec_class(c["name"]).from_dict(c) for c in codecs]
        evolved = [c.evolve_from_array_spec(spec) for c in parsed]
    return BatchedCodecPipeline.from_codecs(evolved), spec


def compare(
    name: str,
    codecs: list[dict[str, Any]],
    arr: np.ndarray[Any, Any],
    repeat: int,
    floor: Any = None,
) -> dict[str, float]:
    """Time encode and decode of ``arr`` through ``codecs`` in both libraries; print a row."""
    spec = ArraySpec(arr.shape, arr.dtype)
    chain = CodecChain.from_codecs(codec_from_json(c) for c in codecs)
    chain = chain.evolve_from_array_spec(spec)
    pipeline, zspec = _zarr_pipeline(codecs, arr)
    nd = zspec.prototype.nd_buffer.from_numpy_array(arr)

    ours_bytes = encode_chunk(chain, arr, spec)
    assert ours_bytes is not None
    (theirs_buf,) = sync(pipeline.encode([(nd, zspec)]))
    assert theirs_buf is not None
    if bytes(ours_bytes) != theirs_buf.to_bytes():
        raise AssertionError(f"{name}: encoded bytes differ from zarr-python's")
    stored = bytes(ours_bytes)
    stored_buf = zspec.prototype.buffer.from_bytes(stored)

    mib = arr.nbytes / MiB
    fns: dict[str, Callable[[], Any]] = {
        "zd_enc": lambda: encode_chunk(chain, arr, spec),
        "zp_enc": lambda: sync(pipeline.encode([(nd, zspec)])),
        "zd_dec": lambda: decode_chunk(chain, stored, spec),
        "zp_dec": lambda: sync(pipeline.decode([(stored_buf, zspec)])),
    }
    if floor is not None:
        fns["nc_enc"] = lambda: floor.encode(arr)
        fns["nc_dec"] = lambda: floor.decode(stored)
    t = dict(zip(fns, _median_seconds(list(fns.values()), repeat), strict=True))
    rate = {k: mib / v for k, v in t.items()}
    print(
        f"{name:32s} ratio {arr.nbytes / len(stored):4.2f}x | "
        f"encode zarrdist {rate['zd_enc']:7.0f} zarr {rate['zp_enc']:7.0f} MiB/s "
        f"(x{rate['zd_enc'] / rate['zp_enc']:.2f}) | "
        f"decode zarrdist {rate['zd_dec']:7.0f} zarr {rate['zp_dec']:7.0f} MiB/s "
        f"(x{rate['zd_dec'] / rate['zp_dec']:.2f})"
        + (
            f" | numcodecs floor enc {rate['nc_enc']:.0f} dec {rate['nc_dec']:.0f}"
            if floor is not None
            else ""
        )
    )
    return rate


def main(argv: list[str] | None = None) -> None:
    """Run every case and print one row each."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args(argv)
    arr = make_field()
    print(f"chunk: {arr.shape} {arr.dtype}, {arr.nbytes / MiB:.2f} MiB; median of {args.repeat}")
    for name, codecs in CASES.items():
        compare(name, codecs, arr, args.repeat, FLOORS[name])
    codecs, cube = sharded_case()
    try:
        compare("(c) sharded 64^3 / 32^3 zstd", codecs, cube, args.repeat)
    except (CodecError, NotImplementedError, AssertionError) as exc:
        print(f"(c) sharded: not comparable yet: {exc}")


if __name__ == "__main__":
    main()
