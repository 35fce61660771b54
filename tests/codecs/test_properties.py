"""Hypothesis: decode(encode(x)) == x for every codec, dtype and layout."""

from __future__ import annotations

from typing import Any, Literal

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zarrdist.codecs import ArraySpec, V2Codec, decode_chunk

NUMERIC = [
    "bool", "i1", "u1", "<i2", "<u2", "<i4", "<u4", "<i8", "<u8", "<f2", "<f4", "<f8",
    "<c8", "<c16", "<M8[ns]", "<m8[s]",
]  # fmt: skip
BYTES = {"name": "bytes", "configuration": {"endian": "little"}}
BIG = {"name": "bytes", "configuration": {"endian": "big"}}
CHAINS = {
    "bytes": [BYTES],
    "bytes-big": [BIG],
    "transpose": [{"name": "transpose", "configuration": {"order": [1, 0]}}, BIG],
    "gzip": [BYTES, {"name": "gzip", "configuration": {"level": 1}}],
    "zstd": [BYTES, {"name": "zstd", "configuration": {"level": 1, "checksum": True}}],
    "blosc": [
        BYTES,
        {"name": "blosc", "configuration": {"cname": "lz4", "clevel": 5, "blocksize": 0}},
    ],
    "crc32c": [BYTES, {"name": "crc32c"}],
    "numcodecs.zlib+crc32": [
        BYTES,
        {"name": "numcodecs.zlib", "configuration": {"level": 1}},
        {"name": "numcodecs.crc32", "configuration": {}},
    ],
    "numcodecs.shuffle+lz4": [
        BYTES,
        {"name": "numcodecs.shuffle", "configuration": {}},
        {"name": "numcodecs.lz4", "configuration": {}},
    ],
}
SETTINGS = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _arrays(dtype: str) -> st.SearchStrategy[np.ndarray[Any, Any]]:
    # Chunks are never empty (zero-extent chunk shapes are refused), and numcodecs'
    # blosc and lz4, like zarr-python over them, cannot decode an empty payload.
    return hnp.arrays(
        np.dtype(dtype),
        hnp.array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=6),
        elements=hnp.from_dtype(np.dtype(dtype), allow_nan=True)
        if np.dtype(dtype).kind in "fc"
        else None,
    )


def _layouts(arr: np.ndarray[Any, Any], fortran: bool) -> np.ndarray[Any, Any]:
    return np.asfortranarray(arr) if fortran else arr


@pytest.mark.parametrize("chain_name", list(CHAINS))
@pytest.mark.parametrize("dtype", NUMERIC)
def test_v3_chains_round_trip(
    make_chain: Any, encode_bytes: Any, chain_name: str, dtype: str
) -> None:
    @SETTINGS
    @given(arr=_arrays(dtype), fortran=st.booleans())
    def check(arr: np.ndarray[Any, Any], fortran: bool) -> None:
        spec = ArraySpec(arr.shape, arr.dtype)
        chain = make_chain(CHAINS[chain_name], spec)
        encoded = encode_bytes(chain, _layouts(arr, fortran), spec)
        back = decode_chunk(chain, encoded, spec)
        assert back.shape == arr.shape
        assert back.dtype == arr.dtype
        # Compare bytes: NaN payloads and -0.0 must survive too.
        assert np.ascontiguousarray(back).tobytes() == arr.tobytes()

    check()


@pytest.mark.parametrize("dtype", ["<i4", ">i4", "<f8", ">f8", "u1", "<c8"])
@pytest.mark.parametrize(
    "compressor",
    [None, {"id": "zlib", "level": 1}, {"id": "blosc", "cname": "zstd"}, {"id": "lz4"}],
)
def test_v2_chain_round_trip(dtype: str, compressor: dict[str, Any] | None) -> None:
    @SETTINGS
    @given(arr=_arrays(dtype), fortran=st.booleans())
    def check(arr: np.ndarray[Any, Any], fortran: bool) -> None:
        order: Literal["C", "F"] = "F" if fortran else "C"
        spec = ArraySpec(arr.shape, arr.dtype, order=order)
        codec = V2Codec(compressor=compressor, order=order)
        back = codec.decode(bytes(codec.encode(arr, spec)), spec)
        assert back.dtype == arr.dtype
        assert np.ascontiguousarray(back).tobytes() == arr.tobytes()

    check()


@pytest.mark.parametrize("chain_name", ["vlen-utf8", "vlen-bytes"])
def test_vlen_round_trip(make_chain: Any, encode_bytes: Any, chain_name: str) -> None:
    items = st.text(max_size=8) if chain_name == "vlen-utf8" else st.binary(max_size=8)
    zstd = {"name": "zstd", "configuration": {"level": 0, "checksum": False}}

    @SETTINGS
    @given(values=st.lists(items, max_size=12))
    def check(values: list[Any]) -> None:
        if chain_name == "vlen-utf8":
            arr = np.array(values, dtype=np.dtypes.StringDType())
        else:
            arr = np.empty(len(values), dtype=object)
            arr[:] = values
        spec = ArraySpec(arr.shape, arr.dtype)
        chain = make_chain([{"name": chain_name, "configuration": {}}, zstd], spec)
        back = decode_chunk(chain, encode_bytes(chain, arr, spec), spec)
        assert back.dtype == arr.dtype
        assert back.tolist() == values

    check()
