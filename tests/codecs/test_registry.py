"""Registry lookups, refusals, error pickling and the modules' doctests."""

from __future__ import annotations

import doctest
import importlib
import pickle

import numpy as np
import pytest

from zarrdist.codecs import (
    ArraySpec,
    BloscCodec,
    BytesCodec,
    Crc32cCodec,
    GzipCodec,
    TransposeCodec,
    VLenBytesCodec,
    VLenUTF8Codec,
    ZstdCodec,
    codec_from_json,
    get_codec_class,
    get_v2_codec_class,
)
from zarrdist.codecs.registry import registered_names
from zarrdist.config import config
from zarrdist.errors import ChecksumError, CodecError, UnknownCodecError

BUILTINS = {
    "bytes": BytesCodec,
    "transpose": TransposeCodec,
    "gzip": GzipCodec,
    "zstd": ZstdCodec,
    "blosc": BloscCodec,
    "crc32c": Crc32cCodec,
    "vlen-utf8": VLenUTF8Codec,
    "vlen-bytes": VLenBytesCodec,
}
MODULES = [
    "bytes", "transpose", "gzip", "zstd", "blosc", "crc32c", "vlen_utf8", "vlen_bytes",
    "numcodecs_adapter", "v2",
]  # fmt: skip


@pytest.mark.parametrize(("name", "cls"), BUILTINS.items())
def test_builtins_registered_by_v3_name(name: str, cls: type) -> None:
    assert get_codec_class(name) is cls
    assert cls.v3_name == name
    assert name in registered_names()


@pytest.mark.parametrize("v2_id", ["gzip", "zstd", "blosc", "vlen-utf8", "vlen-bytes"])
def test_builtins_registered_by_v2_id(v2_id: str) -> None:
    assert get_v2_codec_class(v2_id) is BUILTINS[v2_id]


@pytest.mark.parametrize("name", ["nope", "numcodecs.nope", "zarrdist.v2", "v2", ""])
def test_unknown_codec_name(name: str) -> None:
    with pytest.raises(UnknownCodecError) as info:
        codec_from_json({"name": name, "configuration": {}})
    assert isinstance(info.value, ValueError)


def test_pickle_gate_follows_config() -> None:
    with pytest.raises(UnknownCodecError):
        get_codec_class("numcodecs.pickle")
    with config.set({"codecs.allow_pickle": True}):
        assert get_codec_class("numcodecs.pickle").unsafe  # type: ignore[attr-defined]
        assert get_v2_codec_class("pickle").unsafe  # type: ignore[attr-defined]


def test_codec_errors_survive_pickling_with_attributes() -> None:
    with pytest.raises(ChecksumError) as checksum:
        Crc32cCodec().decode(b"\x00" * 8, ArraySpec((1,), np.dtype("u1")))
    with pytest.raises(CodecError) as codec:
        ZstdCodec().decode(b"junk", ArraySpec((1,), np.dtype("u1")))
    for error in (checksum.value, codec.value):
        back = pickle.loads(pickle.dumps(error))
        assert type(back) is type(error)
        assert back.codec == error.codec
        assert str(back) == str(error)


@pytest.mark.parametrize("module", MODULES)
def test_module_doctests(module: str) -> None:
    mod = importlib.import_module(f"zarrdist.codecs.{module}")
    assert mod.__doc__ is not None
    assert "Spec:" in mod.__doc__
    result = doctest.testmod(mod, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 1
    assert result.failed == 0
