#!/usr/bin/env python3
# /// script
# requires-python = ">=3.11"
# dependencies = [
#     "zarr==3.1.5",
#     "tensorstore==0.1.86",
#     "numpy==2.4.6",
#     "numcodecs==0.16.6",
#     "google-crc32c==1.9.0",
# ]
# ///
"""Write the golden Zarr stores that zarrdist's interop tests read and write against.

Run ``python tests/data/generate.py`` (or ``uv run tests/data/generate.py``) from
anywhere.  It deletes and rewrites ``tests/data/zarr_python/``,
``tests/data/tensorstore/``, ``tests/data/manifest.json`` and
``tests/data/PROVENANCE.md``.  Output is deterministic: values come from seeded
recipes (``tests/interop/_recipes.py``), gzip headers carry mtime 0, and nothing
records a time or a machine path, so two runs give identical bytes (the tree hash
in PROVENANCE.md shows it).

Each case is written by its library alone; then both peers (zarr-python and
TensorStore) read it back and the manifest records whether each returned exactly the
recipe's values.  A case a writer refuses is left out and listed in PROVENANCE.md.
"""

from __future__ import annotations

import base64
import json
import platform
import shutil
import sys
import tempfile
import warnings
import zlib
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent
sys.path.insert(0, str(DATA.parents[1]))

import numcodecs  # noqa: E402
import numpy as np  # noqa: E402
import tensorstore as ts  # noqa: E402
import zarr  # noqa: E402
from zarr.dtype import VariableLengthBytes  # noqa: E402

from tests.interop import _cases, _recipes  # noqa: E402

MISSING = object()
VALUE_FAMILY = {"b": "bool", "i": "ints", "u": "ints", "f": "floats", "c": "complex",
                "M": "datetime", "m": "timedelta", "U": "fixed_utf32", "S": "fixed_bytes",
                "V": "raw_bytes"}
LE = {"name": "bytes", "configuration": {"endian": "little"}}
BE = {"name": "bytes", "configuration": {"endian": "big"}}
CRC = {"name": "crc32c"}


def zstd(level: int, checksum: bool = False) -> dict[str, Any]:
    return {"name": "zstd", "configuration": {"level": level, "checksum": checksum}}


def gzip_(level: int) -> dict[str, Any]:
    return {"name": "gzip", "configuration": {"level": level}}


def blosc(cname: str, shuffle: str, typesize: int, clevel: int = 5) -> dict[str, Any]:
    return {"name": "blosc", "configuration": {"cname": cname, "clevel": clevel, "shuffle": shuffle,
                                                "typesize": typesize, "blocksize": 0}}


def transpose(*order: int) -> dict[str, Any]:
    return {"name": "transpose", "configuration": {"order": list(order)}}


def sharding(chunk_shape: tuple[int, ...], codecs: list[Any], index_codecs: list[Any],
             location: str = "end") -> dict[str, Any]:
    return {"name": "sharding_indexed", "configuration": {
        "chunk_shape": list(chunk_shape), "codecs": codecs, "index_codecs": index_codecs,
        "index_location": location}}


def recipe(name: str, dtype: Any, shape: tuple[int, ...], values: str | None, fill: Any,
           region: list[list[int]] | None, extra: dict[str, Any]) -> dict[str, Any]:
    kind = _recipes.recipe_dtype({"dtype": dtype}).kind
    out = {"values": values or VALUE_FAMILY[kind], "dtype": dtype, "shape": list(shape),
           "seed": zlib.crc32(name.encode()) % 2**31, "region": region}
    if fill is not MISSING:
        out["fill_value"] = fill
    out.update(extra)
    return out


def zp(fmt: int, name: str, dtype: Any, shape: tuple[int, ...], chunks: tuple[int, ...], *,
       values: str | None = None, fill: Any = MISSING, region: list[list[int]] | None = None,
       extra: dict[str, Any] | None = None, dtype_arg: Any = None, notes: str = "",
       **create: Any) -> dict[str, Any]:
    """A case written by zarr-python's ``create_array`` (``create`` are its kwargs)."""
    return {"name": name, "writer": "zarr_python", "zarr_format": fmt,
            "path": f"zarr_python/v{fmt}/{name}", "node": "",
            "recipe": recipe(name, dtype, shape, values, fill, region, extra or {}),
            "dtype_arg": dtype if dtype_arg is None else dtype_arg,
            "create": {"chunks": chunks, **create}, "notes": notes}


def tsc(fmt: int, name: str, dtype: Any, shape: tuple[int, ...], metadata: dict[str, Any], *,
        fill: Any = MISSING, region: list[list[int]] | None = None, notes: str = "") -> dict[str, Any]:
    """A case written by TensorStore's ``zarr3`` (fmt 3) or ``zarr`` (fmt 2) driver."""
    rec = recipe(name, dtype, shape, None, fill, region, {"specials": True})
    md = {"shape": list(shape), **metadata}
    if fill is not MISSING:
        md["fill_value"] = fill
    return {"name": name, "writer": "tensorstore", "zarr_format": fmt,
            "path": f"tensorstore/{'zarr3' if fmt == 3 else 'zarr'}/{name}", "node": "",
            "recipe": rec, "metadata": md, "notes": notes}


S2, C2 = (23, 17), (12, 9)        # 2 x 2 chunks, both edges partial
SC, CC = (41, 29), (16, 16)       # 3 x 2 chunks for the compressor cases
SS, SHARD, INNER = (45, 37), (20, 20), (5, 10)   # 3 x 2 shards of 4 x 2 inner chunks
REGION = [[0, 10], [0, 9]]        # touches 4 of 9 chunks of (23, 17) / (8, 8), 2 partly
NESTED_NOTE = ("zarr-python 3.1.5 writes nested sharding but cannot read it back "
               "(AssertionError: byte_range is not supported within shards)")


def zarr_python_v3_cases() -> list[dict[str, Any]]:
    out = []
    numeric = ["|b1", "|i1", "<i2", "<i4", "<i8", "|u1", "<u2", "<u4", "<u8",
               "<f2", "<f4", "<f8", "<c8", "<c16"]
    names = ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
             "float16", "float32", "float64", "complex64", "complex128"]
    for dt, nm in zip(numeric, names, strict=True):
        out.append(zp(3, f"dtype_{nm}", dt, S2, C2, extra={"specials": True}))
    compressors = {
        "zstd_l1": [zstd(1)], "zstd_l9_checksum": [zstd(9, True)], "zstd_lneg3": [zstd(-3)],
        "gzip_l1": [gzip_(1)], "gzip_l9": [gzip_(9)],
        "blosc_lz4_shuffle": [blosc("lz4", "shuffle", 4)],
        "blosc_lz4_bitshuffle": [blosc("lz4", "bitshuffle", 4)],
        "blosc_lz4_noshuffle": [blosc("lz4", "noshuffle", 4)],
        "blosc_zstd_shuffle": [blosc("zstd", "shuffle", 4)],
        "blosc_zstd_bitshuffle": [blosc("zstd", "bitshuffle", 4)],
        "blosc_zstd_noshuffle": [blosc("zstd", "noshuffle", 4)],
        "crc32c": [CRC], "gzip_crc32c": [gzip_(5), CRC], "no_compressor": None,
    }
    for nm, comp in compressors.items():
        out.append(zp(3, f"compressor_{nm}", "<f4", SC, CC, compressors=comp))
    out += [
        zp(3, "transpose_3d", "<i4", (7, 9, 5), (4, 4, 3), filters=[transpose(2, 0, 1)]),
        zp(3, "transpose_2d_raw", "<f8", S2, C2, filters=[transpose(1, 0)], compressors=None),
        zp(3, "bytes_big_int32", "<i4", S2, C2, serializer=BE),
        zp(3, "bytes_big_float64_raw", "<f8", S2, C2, serializer=BE, compressors=None,
           extra={"specials": True}),
        zp(3, "bytes_big_transpose_uint16", "<u2", S2, C2, filters=[transpose(1, 0)],
           serializer=BE, compressors=[gzip_(5)]),
        zp(3, "string_vlen", "|O", (37,), (10,), values="utf8", dtype_arg=str),
        zp(3, "string_vlen_2d_sparse", "|O", (9, 7), (4, 4), values="utf8", dtype_arg=str,
           fill="", region=[[0, 5], [0, 3]]),
        zp(3, "string_vlen_fill", "|O", (13,), (4,), values="utf8", dtype_arg=str,
           fill="n/a ✓", region=[[2, 7]]),
        zp(3, "bytes_vlen", "|O", (37,), (10,), values="vlen_bytes",
           dtype_arg=VariableLengthBytes()),
        zp(3, "fixed_utf32_U7", "<U7", (29,), (8,)),
        zp(3, "fixed_bytes_S5", "|S5", (29,), (8,)),
        zp(3, "fixed_bytes_S5_fill", "|S5", (29,), (8,), fill=b64(b"ab"), region=[[3, 12]]),
        zp(3, "raw_bytes_V4", "|V4", (29,), (8,)),
        zp(3, "datetime64_ns", "<M8[ns]", (41,), (16,), extra={"low": -(2**62), "high": 2**62}),
        zp(3, "datetime64_s", "<M8[s]", (41,), (16,), extra={"low": -(2**34), "high": 2**34}),
        zp(3, "datetime64_s_fill_epoch", "<M8[s]", (41,), (16,), fill=0, region=[[5, 20]]),
        zp(3, "timedelta64_ms", "<m8[ms]", (41,), (16,)),
        zp(3, "fill_nan_float32", "<f4", S2, (8, 8), fill="NaN", region=REGION),
        zp(3, "fill_inf_float64", "<f8", S2, (8, 8), fill="Infinity", region=REGION),
        zp(3, "fill_neginf_float16", "<f2", S2, (8, 8), fill="-Infinity", region=REGION),
        zp(3, "fill_negzero_float32", "<f4", S2, (8, 8), fill=-0.0, region=REGION),
        zp(3, "fill_int16_neg7", "<i2", S2, (8, 8), fill=-7, region=REGION),
        zp(3, "fill_uint64_max", "<u8", S2, (8, 8), fill=2**64 - 1, region=REGION),
        zp(3, "fill_complex64_nan", "<c8", S2, (8, 8), fill=["NaN", 1.5], region=REGION),
        zp(3, "fill_bool_true", "|b1", S2, (8, 8), fill=True, region=REGION),
        zp(3, "cke_default_slash", "<i2", S2, (10, 8),
           chunk_key_encoding={"name": "default", "separator": "/"}),
        zp(3, "cke_default_dot", "<i2", S2, (10, 8),
           chunk_key_encoding={"name": "default", "separator": "."}),
        zp(3, "cke_v2_dot", "<i2", S2, (10, 8), chunk_key_encoding={"name": "v2", "separator": "."}),
        zp(3, "cke_v2_slash", "<i2", S2, (10, 8),
           chunk_key_encoding={"name": "v2", "separator": "/"}),
        zp(3, "zero_dim", "<f8", (), ()),
        zp(3, "zero_dim_cke_v2", "<f8", (), (), chunk_key_encoding={"name": "v2", "separator": "."}),
        zp(3, "shard_index_end", "<i4", SS, INNER, shards=SHARD),
        zp(3, "shard_index_start", "<i4", SS, INNER,
           shards={"shape": SHARD, "index_location": "start"}),
        zp(3, "shard_index_end_nocrc", "<i4", SS, SHARD, compressors=None,
           serializer=sharding(INNER, [LE, zstd(0)], [LE], "end")),
        zp(3, "shard_index_start_nocrc", "<i4", SS, SHARD, compressors=None,
           serializer=sharding(INNER, [LE, zstd(0)], [LE], "start")),
        zp(3, "shard_sparse", "<i4", SS, INNER, shards=SHARD, fill=-1, region=[[0, 13], [0, 25]]),
        zp(3, "shard_inner_gzip_crc32c", "<f4", SS, SHARD, compressors=None,
           serializer=sharding(INNER, [LE, gzip_(5), CRC], [LE, CRC], "start")),
        zp(3, "shard_transpose_big", "<u2", SS, SHARD, filters=[transpose(1, 0)], compressors=None,
           serializer=sharding((10, 5), [BE], [LE, CRC]),
           notes="transpose before sharding: the inner chunk_shape [10, 5] is in transposed "
                 "order, i.e. (5, 10) in array order"),
        zp(3, "shard_nested", "<i4", (30, 26), (12, 12), compressors=None,
           serializer=sharding((6, 6), [sharding((3, 3), [LE, zstd(0)], [LE, CRC])], [LE, CRC]),
           notes=NESTED_NOTE),
        zp(3, "shard_string", "|O", (50,), (5,), values="utf8", dtype_arg=str, shards=(20,)),
        zp(3, "dimension_names_attrs", "<f4", S2, C2, dimension_names=["y", None],
           attributes=ATTRIBUTES),
    ]
    return out


ATTRIBUTES = {"title": "golden ✓ 中文", "units": "m/s", "scale": 0.5, "count": 3,
              "big": 2**53 + 1, "flags": [1, 2, 3], "empty": {}, "none": None,
              "nested": {"a": [None, True, False, -1.25e-300], "b": {"c": "d"}}}


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def zarr_python_v2_cases() -> list[dict[str, Any]]:
    nc = numcodecs
    out = []
    for dt in ["<i4", ">f8", "|u1", "|b1", ">i2", "<f2", ">u8", "<c16", ">c8"]:
        label = dt.replace("<", "le_").replace(">", "be_").replace("|", "")
        out.append(zp(2, f"v2_{label}", dt, S2, C2, extra={"specials": True}))
    out += [
        zp(2, "v2_order_f", "<f4", S2, C2, order="F"),
        zp(2, "v2_order_f_3d_be", ">i4", (7, 9, 5), (4, 4, 3), order="F"),
    ]
    compressors = {
        "blosc_lz4": nc.Blosc(cname="lz4", clevel=5, shuffle=nc.Blosc.SHUFFLE),
        "blosc_zstd_bitshuffle": nc.Blosc(cname="zstd", clevel=3, shuffle=nc.Blosc.BITSHUFFLE),
        "blosc_blosclz_noshuffle": nc.Blosc(cname="blosclz", clevel=9, shuffle=nc.Blosc.NOSHUFFLE),
        "zstd": nc.Zstd(level=3), "zstd_checksum": nc.Zstd(level=5, checksum=True),
        "zlib": nc.Zlib(level=6), "gzip": nc.GZip(level=5), "lz4": nc.LZ4(acceleration=1),
        "bz2": nc.BZ2(level=9), "lzma": nc.LZMA(preset=6), "none": None,
    }
    for nm, comp in compressors.items():
        out.append(zp(2, f"v2_compressor_{nm}", "<f4", SC, CC, compressors=comp))
    out += [
        zp(2, "v2_filter_delta", "<i4", SC, CC, extra={"low": -1000, "high": 1000},
           filters=[nc.Delta(dtype="<i4")], compressors=nc.Zlib(level=1)),
        zp(2, "v2_filter_fixedscaleoffset", "<f8", SC, CC, values="grid",
           extra={"low": 0, "high": 255, "scale": 10, "offset": 1000},
           filters=[nc.FixedScaleOffset(offset=1000, scale=10, dtype="<f8", astype="|u1")]),
        zp(2, "v2_filter_quantize", "<f4", SC, CC, values="grid",
           extra={"low": -(2**15), "high": 2**15, "scale": 128, "offset": 0},
           filters=[nc.Quantize(digits=2, dtype="<f4")]),
        zp(2, "v2_filter_astype", "<f8", SC, CC, values="grid",
           extra={"low": -30000, "high": 30000, "scale": 1, "offset": 0},
           filters=[nc.AsType(encode_dtype="<i2", decode_dtype="<f8")]),
        zp(2, "v2_filter_shuffle_delta", "<u4", SC, CC, extra={"low": 0, "high": 2**20},
           filters=[nc.Delta(dtype="<u4"), nc.Shuffle(elementsize=4)], compressors=None),
        zp(2, "v2_vlen_utf8", "|O", (37,), (10,), values="utf8", dtype_arg=str),
        zp(2, "v2_vlen_bytes", "|O", (37,), (10,), values="vlen_bytes",
           dtype_arg=VariableLengthBytes()),
        zp(2, "v2_U7", "<U7", (29,), (8,)),
        zp(2, "v2_S5", "|S5", (29,), (8,)),
        zp(2, "v2_S5_fill", "|S5", (29,), (8,), fill=b64(b"ab"), region=[[3, 12]]),
        zp(2, "v2_structured", [["a", "<i4"], ["b", "<f8"]], (29,), (8,), values="structured"),
        zp(2, "v2_M8_ns", "<M8[ns]", (41,), (16,), extra={"low": -(2**62), "high": 2**62}),
        zp(2, "v2_m8_s", "<m8[s]", (41,), (16,)),
        zp(2, "v2_sep_dot", "<i2", S2, (10, 8), chunk_key_encoding={"name": "v2", "separator": "."}),
        zp(2, "v2_sep_slash", "<i2", S2, (10, 8),
           chunk_key_encoding={"name": "v2", "separator": "/"}),
        zp(2, "v2_fill_null", "<i4", S2, C2, fill=None),
        zp(2, "v2_fill_nan", "<f8", S2, (8, 8), fill="NaN", region=REGION),
        zp(2, "v2_fill_int", "<i2", S2, (8, 8), fill=-7, region=REGION),
        zp(2, "v2_zero_dim", "<f8", (), ()),
        zp(2, "v2_attrs", "<f4", S2, C2, attributes=ATTRIBUTES),
    ]
    return out


def v3_md(dtype: str, chunks: tuple[int, ...], codecs: list[Any], sep: tuple[str, str] = ("default", "/")) -> dict[str, Any]:
    return {"data_type": dtype, "codecs": codecs,
            "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": list(chunks)}},
            "chunk_key_encoding": {"name": sep[0], "configuration": {"separator": sep[1]}}}


def v2_md(dtype: Any, chunks: tuple[int, ...], compressor: Any, order: str = "C", sep: str = ".") -> dict[str, Any]:
    return {"dtype": dtype, "chunks": list(chunks), "compressor": compressor, "order": order,
            "filters": None, "dimension_separator": sep}


def tensorstore_cases() -> list[dict[str, Any]]:
    blosc_v2 = {"id": "blosc", "cname": "lz4", "clevel": 5, "shuffle": 1, "blocksize": 0}
    shard_codecs = [LE, zstd(3)]
    return [
        tsc(3, "ts3_float32_zstd", "<f4", SC, v3_md("float32", CC, [LE, zstd(3)])),
        tsc(3, "ts3_float32_zstd_checksum", "<f4", SC, v3_md("float32", CC, [LE, zstd(5, True)])),
        tsc(3, "ts3_int16_blosc", "<i2", S2,
            v3_md("int16", C2, [LE, blosc("lz4", "shuffle", 2)])),
        tsc(3, "ts3_shard_end_crc32c", "<i4", SS,
            v3_md("int32", SHARD, [sharding(INNER, shard_codecs, [LE, CRC], "end")])),
        tsc(3, "ts3_shard_start_crc32c_sparse", "<i4", SS,
            v3_md("int32", SHARD, [sharding(INNER, shard_codecs, [LE, CRC], "start")]),
            fill=-1, region=[[0, 13], [0, 25]]),
        tsc(3, "ts3_shard_nested", "<i4", (30, 26),
            v3_md("int32", (12, 12), [sharding((6, 6), [sharding((3, 3), shard_codecs, [LE, CRC])],
                                               [LE, CRC])]),
            notes=NESTED_NOTE),
        tsc(3, "ts3_cke_v2_dot", "<u2", S2, v3_md("uint16", (10, 8), [LE], ("v2", "."))),
        tsc(3, "ts3_cke_v2_slash", "<u2", S2, v3_md("uint16", (10, 8), [LE], ("v2", "/"))),
        tsc(3, "ts3_cke_default_dot", "<u2", S2, v3_md("uint16", (10, 8), [LE], ("default", "."))),
        tsc(3, "ts3_fill_nan_payload", "<f4", S2, v3_md("float32", (8, 8), [LE, zstd(1)]),
            fill="0x7fc00001", region=REGION),
        tsc(3, "ts3_transpose_big_gzip", "<u4", S2,
            v3_md("uint32", C2, [transpose(1, 0), BE, gzip_(6)])),
        tsc(3, "ts3_complex128", "<c16", S2, v3_md("complex128", C2, [LE, zstd(1)])),
        tsc(2, "ts2_f8_blosc", "<f8", S2, v2_md("<f8", C2, blosc_v2)),
        tsc(2, "ts2_i2_be_zlib", ">i2", S2, v2_md(">i2", C2, {"id": "zlib", "level": 6})),
        tsc(2, "ts2_order_f", "<f4", S2, v2_md("<f4", C2, {"id": "zstd", "level": 3}, order="F")),
        tsc(2, "ts2_dimsep_slash", "<u4", S2, v2_md("<u4", (10, 8), None, sep="/")),
        tsc(2, "ts2_fill_nan", "<f8", S2, v2_md("<f8", (8, 8), None), fill="NaN", region=REGION),
        tsc(2, "ts2_structured", [["a", "<i4"], ["b", "<f8"]], (29,),
            v2_md([["a", "<i4"], ["b", "<f8"]], (8,), {"id": "zlib", "level": 1})),
    ]


def hierarchy_specs() -> list[dict[str, Any]]:
    out = []
    for fmt in (3, 2):
        prefix = "" if fmt == 3 else "v2_"
        arrays = [
            zp(fmt, f"{prefix}hierarchy_a", "<i8", (20,), (8,)),
            zp(fmt, f"{prefix}hierarchy_b", "<f4", (9, 7), (4, 4), compressors=None if fmt == 2 else [gzip_(1)],
               attributes={"role": "b"}),
            zp(fmt, f"{prefix}hierarchy_c", "|O", (11,), (4,), values="utf8", dtype_arg=str),
        ]
        nodes = ["a", "g1/b", "g1/g2/c"]
        if fmt == 3:
            arrays.append(zp(3, "hierarchy_sharded", "<u2", (30,), (4,), shards=(16,)))
            nodes.append("g1/sharded")
        path = f"zarr_python/v{fmt}/hierarchy"
        for case, node in zip(arrays, nodes, strict=True):
            case.update(path=path, node=node)
        out.append({"name": f"{prefix}hierarchy", "writer": "zarr_python", "zarr_format": fmt,
                    "path": path, "consolidated": True, "arrays": arrays,
                    "groups": {"": {"description": "golden hierarchy", "version": fmt},
                               "g1": {"level": 1}, "g1/g2": {}, "empty": {"note": "no children"}}})
    return out


# ---------------------------------------------------------------- writing

def write_zarr_python(case: dict[str, Any], store_root: Path, node: str | None) -> None:
    rec = case["recipe"]
    kwargs = dict(case["create"])
    if "fill_value" in rec:
        kwargs["fill_value"] = _recipes.decode_fill_value(rec["fill_value"], _recipes.recipe_dtype(rec))
    array = zarr.create_array(store=str(store_root), name=node, shape=tuple(rec["shape"]),
                              dtype=case["dtype_arg"], zarr_format=case["zarr_format"], **kwargs)
    array[_recipes.written_region(rec)] = _recipes.written_values(rec)


def write_tensorstore(case: dict[str, Any]) -> None:
    rec = case["recipe"]
    driver = "zarr3" if case["zarr_format"] == 3 else "zarr"
    spec = {"driver": driver, "kvstore": {"driver": "file", "path": str(DATA / case["path"])},
            "metadata": case["metadata"]}
    values, region = _recipes.written_values(rec), _recipes.written_region(rec)
    names = values.dtype.names
    if not names:
        store = ts.open(spec, create=True).result()
        store[region].write(values).result()
        return
    # TensorStore opens a field of a structured v2 array as its own array.
    for i, name in enumerate(names):
        store = ts.open({**spec, "field": name}, create=i == 0, open=i > 0).result()
        store[region].write(values[name]).result()


def probe_hex_nan_fill() -> str | None:
    """Return why zarr-python cannot write a NaN-payload fill value, or None if it can."""
    payload = np.array([0x7FC00001], dtype="<u4").view("<f4")[0]
    with tempfile.TemporaryDirectory() as tmp:
        zarr.create_array(store=tmp, shape=(4,), dtype="<f4", fill_value=payload)
        fill = json.loads((Path(tmp) / "zarr.json").read_text())["fill_value"]
    if isinstance(fill, str) and fill.startswith("0x"):
        return None
    return (f"zarr-python 3.1.5 writes a NaN fill with payload 0x7fc00001 as {fill!r} "
            "(no hex encoding); the hex-NaN golden case is written by TensorStore instead")


# ---------------------------------------------------------------- describing

def codec_text(codec: dict[str, Any]) -> str:
    name, cfg = codec["name"], dict(codec.get("configuration") or {})
    if name == "sharding_indexed":
        inner = " > ".join(map(codec_text, cfg["codecs"]))
        index = " > ".join(map(codec_text, cfg["index_codecs"]))
        return (f"sharding_indexed(chunk_shape={cfg['chunk_shape']}, index_location="
                f"{cfg.get('index_location', 'end')}, codecs=[{inner}], index_codecs=[{index}])")
    args = ", ".join(f"{k}={v}" for k, v in cfg.items())
    return f"{name}({args})" if args else name


def v2_codec_text(doc: dict[str, Any]) -> str:
    def one(c: dict[str, Any]) -> str:
        return c["id"] + "(" + ", ".join(f"{k}={v}" for k, v in c.items() if k != "id") + ")"
    filters = ", ".join(one(f) for f in doc["filters"] or ()) or "none"
    compressor = one(doc["compressor"]) if doc["compressor"] else "none"
    return f"filters=[{filters}]; compressor={compressor}"


def manifest_entry(case: dict[str, Any]) -> dict[str, Any]:
    array_dir = DATA / case["path"] / case["node"]
    shards = None
    if case["zarr_format"] == 3:
        doc = json.loads((array_dir / "zarr.json").read_text())
        dtype, chunks = doc["data_type"], doc["chunk_grid"]["configuration"]["chunk_shape"]
        shard_codec = next((c for c in doc["codecs"] if c["name"] == "sharding_indexed"), None)
        if shard_codec is not None:
            # Behind a transpose, this inner chunk shape is in transposed order.
            shards, chunks = chunks, shard_codec["configuration"]["chunk_shape"]
        cke = doc["chunk_key_encoding"]
        default_sep = "/" if cke["name"] == "default" else "."
        cke = {"name": cke["name"], "separator": cke.get("configuration", {}).get("separator", default_sep)}
        codecs = " > ".join(map(codec_text, doc["codecs"]))
    else:
        doc = json.loads((array_dir / ".zarray").read_text())
        dtype, chunks = doc["dtype"], doc["chunks"]
        cke = {"name": "v2", "separator": doc.get("dimension_separator", ".")}
        codecs = v2_codec_text(doc) + ("; order=F" if doc["order"] == "F" else "")
    return {"name": case["name"], "writer": case["writer"], "path": case["path"],
            "node": case["node"], "zarr_format": case["zarr_format"], "dtype": dtype,
            "shape": doc["shape"], "chunks": chunks, "shards": shards, "codecs": codecs,
            "fill_value": doc["fill_value"], "chunk_key_encoding": cke, "recipe": case["recipe"],
            "peers": {}, "notes": case["notes"]}


def short_error(exc: BaseException) -> str:
    text = (str(exc).strip().splitlines() or [""])[0].replace(str(DATA), "<data>")
    return f"{type(exc).__name__}: {text[:200]}"


def peer_status(entry: dict[str, Any]) -> dict[str, str]:
    case = _cases._case_from_json(entry)
    expected = case.expected()
    readers = {"zarr_python": lambda: _cases.read_with_zarr_python(case.array_path),
               "tensorstore": lambda: _cases.read_with_tensorstore(case.array_path, case.zarr_format)}
    out = {}
    for peer, read in readers.items():
        try:
            actual = read()
        except (ValueError, TypeError, KeyError, RuntimeError, NotImplementedError,
                AssertionError) as exc:
            out[peer] = "error: " + short_error(exc)
            continue
        try:
            _cases.assert_arrays_identical(actual, expected)
            out[peer] = "ok"
        except AssertionError as exc:
            out[peer] = "mismatch: " + short_error(exc)
    return out


# ---------------------------------------------------------------- zarr-python 3.4 extensions

ZARR342_DIR = DATA / "zarr_python_342"
ZARR342_MANIFEST = DATA / "manifest_342.json"
ZARR342_WRITER = DATA.parents[0] / "format" / "zarr342_writer.py"


def zarr342_case(name: str, dtype: Any, shape: tuple[int, ...], values: str, create: dict[str, Any],
                 **extra: Any) -> dict[str, Any]:
    """A case for zarr-python 3.4.2: ``create`` goes to ``zarr.create_array`` as is."""
    return {"name": name, "dtype": dtype, "shape": list(shape), "values": values,
            "create": {"shape": list(shape), "dtype": dtype, **create}, **extra}


def zarr342_cases() -> list[dict[str, Any]]:
    """The format extensions of zarr-python 3.2 to 3.4: rectilinear chunk grids (with
    run-length edges, bare-int axes, shards, a resize), the scale_offset and
    cast_value codecs, and the struct data type. Tiny on purpose (a few KB each)."""
    so = {"name": "scale_offset", "configuration": {"offset": 1.5, "scale": 4}}
    return [
        zarr342_case("rect_2d", "int16", (10, 7), "arange",
                     {"chunks": [[3, 3, 4], [2, 5]], "fill_value": -1},
                     region=[[0, 6], [0, 7]]),
        zarr342_case("rect_rle_1d", "float32", (20,), "arange", {"chunks": [[5, 5, 5, 2, 3]]}),
        zarr342_case("rect_bare_axis", "uint16", (9, 6), "arange", {"chunks": [[4, 5], 4]}),
        zarr342_case("rect_sharded", "uint8", (12, 8), "arange",
                     {"chunks": [2, 4], "shards": [[4, 8], [8]]}),
        zarr342_case("rect_resized", "int32", (10, 7), "arange",
                     {"chunks": [[3, 3, 4], [2, 5]], "fill_value": 7}, resize=[14, 5]),
        zarr342_case("scale_offset_f8", "float64", (10,), "linspace",
                     {"chunks": [5], "filters": [so], "fill_value": 0.5}),
        zarr342_case("scale_offset_i2", "int16", (12,), "arange",
                     {"chunks": [5], "filters": [{"name": "scale_offset",
                                                  "configuration": {"offset": -3, "scale": 2}}]}),
        zarr342_case("cast_value_clamp", "float64", (10,), "linspace",
                     {"chunks": [5], "filters": [{"name": "cast_value", "configuration": {
                         "data_type": "uint8", "out_of_range": "clamp"}}]}, range=[-5.0, 300.0]),
        zarr342_case("cast_value_rounding", "float32", (9,), "linspace",
                     {"chunks": [4], "fill_value": "NaN", "filters": [{
                         "name": "cast_value", "configuration": {
                             "data_type": "int16", "rounding": "towards-zero",
                             "scalar_map": {"encode": [["NaN", -32768]],
                                            "decode": [[-32768, "NaN"]]}}}]},
                     range=[-2.5, 2.5], region=[[0, 7]]),
        zarr342_case("quantized", "float64", (16,), "linspace",
                     {"chunks": [8], "filters": [
                         {"name": "scale_offset", "configuration": {"offset": 10, "scale": 100}},
                         {"name": "cast_value", "configuration": {"data_type": "int16"}}]},
                     range=[5.0, 15.0]),
        zarr342_case("struct", [["a", "<i4"], ["b", "<f8"], ["c", "|u1"]], (6,), "arange",
                     {"chunks": [4], "fill_value": [1, 2.5, 3]}, region=[[0, 3]]),
    ]


def zarr342_main() -> int:
    """Write ``zarr_python_342/`` with a zarr-python 3.4.2 interpreter.

    The interpreter is ``$ZARRDIST_ZARR342_PYTHON`` (zarr 3.4.2, and cast-value-rs for
    ``cast_value``, on Python 3.12); it runs ``tests/format/zarr342_writer.py``, which
    reports what zarr-python reads back. The manifest records each case, its
    ``zarr.json`` and that read-back; PROVENANCE.md gets a section for it.
    """
    import os
    import subprocess

    python = os.environ.get("ZARRDIST_ZARR342_PYTHON")
    if not python:
        print("set ZARRDIST_ZARR342_PYTHON to a Python with zarr==3.4.2", file=sys.stderr)
        return 2
    shutil.rmtree(ZARR342_DIR, ignore_errors=True)
    ZARR342_DIR.mkdir(parents=True)
    cases = zarr342_cases()
    result = subprocess.run([python, str(ZARR342_WRITER), str(ZARR342_DIR)],
                            input=json.dumps(cases), capture_output=True, text=True, check=True)
    report = json.loads(result.stdout)
    read_back = report.pop("read_back")
    entries = []
    for case in cases:
        doc = json.loads((ZARR342_DIR / case["name"] / "zarr.json").read_text())
        entries.append({**case, "document": doc, "zarr_python_reads": read_back[case["name"]]})
    manifest = {"about": "zarr-python 3.4.2 goldens; regenerate with "
                         "ZARRDIST_ZARR342_PYTHON=... python tests/data/generate.py --zarr342",
                "versions": report, "cases": entries}
    ZARR342_MANIFEST.write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    text = (DATA / "PROVENANCE.md").read_text(encoding="utf-8")
    text = text.split(ZARR342_MARK)[0].rstrip("\n") + "\n"
    (DATA / "PROVENANCE.md").write_text(text + zarr342_provenance(manifest), encoding="utf-8")
    print(f"{len(entries)} zarr-python 3.4.2 cases written")
    return 0


ZARR342_MARK = "\n## zarr-python 3.4.2 extensions\n"


def zarr342_provenance(manifest: dict[str, Any] | None = None) -> str:
    """The PROVENANCE.md section on ``zarr_python_342/`` (empty if it was never written)."""
    if manifest is None:
        if not ZARR342_MANIFEST.exists():
            return ""
        manifest = json.loads(ZARR342_MANIFEST.read_text(encoding="utf-8"))
    lines = [ZARR342_MARK,
             "Written by `python tests/data/generate.py --zarr342` with the interpreter in",
             "`$ZARRDIST_ZARR342_PYTHON` (zarr-python 3.2 to 3.4's format extensions need",
             "Python >= 3.12, so they cannot share the pinned environment above). The stores",
             "are in `zarr_python_342/<case>/`, written by `zarr.create_array` with",
             "`array.rectilinear_chunks` on; `manifest_342.json` keeps each case's recipe,",
             "its `zarr.json` and the values zarr-python 3.4.2 reads back.", "",
             "| package | version |", "|---|---|",
             *[f"| {k} | {v} |" for k, v in manifest["versions"].items()], "",
             "| case | dtype | shape | chunk grid | codecs |", "|---|---|---|---|---|"]
    for e in manifest["cases"]:
        doc = e["document"]
        grid = doc["chunk_grid"]["configuration"]
        grid_text = grid.get("chunk_shapes", grid.get("chunk_shape"))
        lines.append("| " + " | ".join(_cell(v) for v in (
            e["name"], doc["data_type"], doc["shape"], grid_text,
            " > ".join(c["name"] for c in doc["codecs"]))) + " |")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- main

def write_case(case: dict[str, Any], skipped: list[dict[str, str]]) -> bool:
    try:
        if case["writer"] == "tensorstore":
            write_tensorstore(case)
        else:
            write_zarr_python(case, DATA / case["path"], None)
    except (ValueError, TypeError, NotImplementedError) as exc:
        shutil.rmtree(DATA / case["path"], ignore_errors=True)
        skipped.append({"name": case["name"], "writer": case["writer"], "reason": short_error(exc)})
        return False
    return True


def versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for dist in ("zarr", "tensorstore", "numpy", "numcodecs", "google-crc32c"):
        out[dist] = importlib_metadata.version(dist)
    return out


def main() -> int:
    for top in ("zarr_python", "tensorstore"):
        shutil.rmtree(DATA / top, ignore_errors=True)
    skipped: list[dict[str, str]] = []
    entries, hierarchies = [], []
    with warnings.catch_warnings(), _cases.pinned_gzip_mtime():
        # U/S/V dtypes have no v3 spec yet and consolidated v3 metadata is not in
        # the spec either; zarr-python says so each time, which is expected here.
        warnings.simplefilter("ignore", zarr.errors.UnstableSpecificationWarning)
        warnings.simplefilter("ignore", zarr.errors.ZarrUserWarning)
        reason = probe_hex_nan_fill()
        if reason:
            skipped.append({"name": "fill_nan_payload_hex", "writer": "zarr_python", "reason": reason})
        for case in zarr_python_v3_cases() + zarr_python_v2_cases() + tensorstore_cases():
            if write_case(case, skipped):
                entries.append(manifest_entry(case))
        for h in hierarchy_specs():
            root = DATA / h["path"]
            for group, attrs in h["groups"].items():
                zarr.create_group(store=str(root), path=group or None, zarr_format=h["zarr_format"],
                                  attributes=attrs)
            for case in h["arrays"]:
                write_zarr_python(case, root, case["node"])
                entries.append(manifest_entry(case))
            zarr.consolidate_metadata(str(root), zarr_format=h["zarr_format"])
            hierarchies.append({k: h[k] for k in ("name", "writer", "path", "zarr_format", "groups",
                                                  "consolidated")}
                               | {"arrays": [c["name"] for c in h["arrays"]]})
        for entry in entries:
            entry["peers"] = peer_status(entry)
    manifest = {"about": "Golden Zarr stores; regenerate with python tests/data/generate.py",
                "versions": versions(), "cases": entries, "hierarchies": hierarchies,
                "skipped": skipped}
    _cases.MANIFEST_PATH.write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n",
                                    encoding="utf-8")
    tree_hash = _cases.golden_tree_hash()
    (DATA / "PROVENANCE.md").write_text(provenance(manifest, tree_hash) + zarr342_provenance(),
                                        encoding="utf-8")
    files = sum(1 for p in DATA.rglob("*") if p.is_file())
    size = sum(p.stat().st_size for p in DATA.rglob("*") if p.is_file())
    print(f"{len(entries)} cases, {len(skipped)} skipped, {files} files, {size} bytes")
    print(f"tree hash {tree_hash}")
    return 0


def _cell(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text.replace("|", "\\|")


def provenance(manifest: dict[str, Any], tree_hash: str) -> str:
    lines = [
        "# Golden Zarr stores: provenance",
        "",
        "Everything in this folder but `generate.py` is written by `generate.py`, this",
        "file included; do not edit any of it by hand. Regenerate with",
        "",
        "```",
        "python tests/data/generate.py      # or: uv run tests/data/generate.py",
        "```",
        "",
        "`generate.py` carries a PEP 723 header pinning the versions below. A second run",
        "rewrites identical bytes: the values come from seeded recipes",
        "(`tests/interop/_recipes.py`), gzip headers carry mtime 0 (numcodecs' `GZip`",
        "would otherwise stamp the wall clock; see `pinned_gzip_mtime` in",
        "`tests/interop/_cases.py`), and nothing records a time or a machine path.",
        "",
        "## Versions",
        "",
        "| package | version |",
        "|---|---|",
        *[f"| {k} | {v} |" for k, v in manifest["versions"].items()],
        "",
        "## Layout",
        "",
        "- `zarr_python/v3/<case>/`, `zarr_python/v2/<case>/`: written by zarr-python's",
        "  `create_array` (hierarchies by `create_group` + `create_array` +",
        "  `consolidate_metadata`).",
        "- `tensorstore/zarr3/<case>/`, `tensorstore/zarr/<case>/`: written by TensorStore's",
        "  `zarr3` and `zarr` drivers through a `file` kvstore.",
        "- `manifest.json`: one entry per array: `name`, `writer`, `path` (store root,",
        "  relative to this folder), `node` (array path inside the store), `zarr_format`,",
        "  `dtype`, `shape`, `chunks`, `shards`, `codecs` (short description), `fill_value`,",
        "  `chunk_key_encoding`, `recipe` (how `tests/interop/_recipes.expected_array`",
        "  regenerates the values), `peers` (whether zarr-python and TensorStore read the",
        "  store back exactly equal, checked at generation time), `notes`; plus",
        "  `hierarchies` and `skipped`.",
        "",
        "## Cases",
        "",
        "| case | writer | fmt | dtype | shape | chunks | shards | zarr-python | TensorStore |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for e in manifest["cases"]:
        peers = [("ok" if e["peers"][p] == "ok" else "no") for p in ("zarr_python", "tensorstore")]
        lines.append("| " + " | ".join(_cell(v) for v in (
            e["name"], e["writer"], e["zarr_format"], e["dtype"], e["shape"], e["chunks"],
            e["shards"] or "", *peers)) + " |")
    lines += ["", "## What a peer cannot read", "",
              "Recorded at generation time; `tests/interop/test_golden_peers.py` checks that it",
              "still holds.", ""]
    for e in manifest["cases"]:
        for peer, status in e["peers"].items():
            if status != "ok":
                lines.append(f"- `{e['name']}` / {peer}: {status}")
    lines += ["", "## Skipped cases", "",
              "Cases in the brief that a writer refuses (or cannot express):", ""]
    lines += [f"- `{s['name']}` ({s['writer']}): {s['reason']}" for s in manifest["skipped"]]
    lines += ["", "## Tree hash", "",
              "SHA-256 over every file under `zarr_python/` and `tensorstore/` and",
              "`manifest.json` (`tests.interop._cases.golden_tree_hash`):", "",
              f"`{tree_hash}`", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(zarr342_main() if sys.argv[1:] == ["--zarr342"] else main())
