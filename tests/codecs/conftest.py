"""Fixtures for codec tests: zarr-python 3.1.5's own codec pipeline as the peer."""

from __future__ import annotations

import json
import warnings
from typing import Any

import numpy as np
import pytest
import zarr
from zarr.core.array_spec import ArrayConfig
from zarr.core.array_spec import ArraySpec as ZarrArraySpec
from zarr.core.buffer import default_buffer_prototype
from zarr.core.codec_pipeline import BatchedCodecPipeline
from zarr.core.dtype import VariableLengthBytes, get_data_type_from_native_dtype
from zarr.core.sync import sync
from zarr.registry import get_codec_class

from zarrdist.codecs import ArraySpec, CodecChain, codec_from_json, encode_chunk

__all__ = ["ZarrPeer", "encode_to_bytes", "our_chain"]


def our_chain(codecs: list[dict[str, Any]], spec: ArraySpec) -> CodecChain:
    """zarrdist's chain for a v3 ``codecs`` list, evolved for ``spec``."""
    return CodecChain.from_codecs(codec_from_json(c) for c in codecs).evolve_from_array_spec(spec)


def encode_to_bytes(chain: CodecChain, arr: np.ndarray[Any, Any], spec: ArraySpec) -> bytes:
    """zarrdist's encoded chunk as ``bytes`` (asserting there is something to store)."""
    encoded = encode_chunk(chain, arr, spec)
    assert encoded is not None
    return bytes(encoded)


class ZarrPeer:
    """zarr-python 3.1.5's BatchedCodecPipeline on one chunk, synchronously."""

    def _spec(self, shape: tuple[int, ...], dtype: np.dtype[Any]) -> ZarrArraySpec:
        zdtype = (
            VariableLengthBytes() if dtype == object else get_data_type_from_native_dtype(dtype)
        )
        fill = zdtype.default_scalar()
        return ZarrArraySpec(
            shape=shape,
            dtype=zdtype,
            fill_value=fill,
            config=ArrayConfig(order="C", write_empty_chunks=True),
            prototype=default_buffer_prototype(),
        )

    def pipeline(
        self, codecs: list[dict[str, Any]], shape: tuple[int, ...], dtype: np.dtype[Any]
    ) -> tuple[BatchedCodecPipeline, ZarrArraySpec]:
        """The evolved zarr-python pipeline and chunk spec."""
        # zarr warns that numcodecs.* codecs and some dtypes are outside the v3 spec.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            spec = self._spec(shape, dtype)
            parsed = [get_codec_class(c["name"]).from_dict(c) for c in codecs]
            # Evolve each codec with the array spec, as zarr's array metadata does
            # (the pipeline's own evolve hands from_codecs a one-shot generator).
            evolved = [c.evolve_from_array_spec(spec) for c in parsed]
            pipeline = BatchedCodecPipeline.from_codecs(evolved)
        return pipeline, spec

    def to_json(
        self, codecs: list[dict[str, Any]], shape: tuple[int, ...], dtype: np.dtype[Any]
    ) -> list[dict[str, Any]]:
        """The codecs list zarr-python writes for this array, as plain JSON."""
        pipeline, _ = self.pipeline(codecs, shape, dtype)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            entries: list[dict[str, Any]] = json.loads(json.dumps([c.to_dict() for c in pipeline]))
        return entries

    def encode(self, arr: np.ndarray[Any, Any], codecs: list[dict[str, Any]]) -> bytes:
        """zarr-python's encoded bytes of one chunk."""
        pipeline, spec = self.pipeline(codecs, arr.shape, arr.dtype)
        buf = spec.prototype.nd_buffer.from_numpy_array(arr)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            (out,) = sync(pipeline.encode([(buf, spec)]))
        assert out is not None
        return out.to_bytes()

    def decode(
        self,
        data: bytes,
        codecs: list[dict[str, Any]],
        shape: tuple[int, ...],
        dtype: np.dtype[Any],
    ) -> np.ndarray[Any, Any]:
        """zarr-python's decoded chunk."""
        pipeline, spec = self.pipeline(codecs, shape, dtype)
        buf = spec.prototype.buffer.from_bytes(data)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            (out,) = sync(pipeline.decode([(buf, spec)]))
        assert out is not None
        return out.as_numpy_array()


@pytest.fixture(scope="session")
def zarr_peer() -> ZarrPeer:
    """zarr-python's codec pipeline (version checked: the contract is 3.1.5)."""
    assert zarr.__version__ == "3.1.5", zarr.__version__
    return ZarrPeer()


@pytest.fixture(scope="session")
def make_chain() -> Any:
    """:func:`our_chain`, as a fixture (test modules cannot import conftest)."""
    return our_chain


@pytest.fixture(scope="session")
def encode_bytes() -> Any:
    """:func:`encode_to_bytes`, as a fixture."""
    return encode_to_bytes
