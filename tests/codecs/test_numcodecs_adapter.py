"""``numcodecs.<id>`` codecs: kinds, JSON and bytes against zarr-python 3.1.5."""

from __future__ import annotations

import pickle
import warnings
from typing import Any

import numpy as np
import pytest
from numcodecs.registry import codec_registry
from zarr.abc.codec import ArrayArrayCodec as ZarrAA
from zarr.abc.codec import ArrayBytesCodec as ZarrAB
from zarr.registry import get_codec_class as zarr_codec_class

from zarrdist.codecs import (
    ArrayArrayCodec,
    ArrayBytesCodec,
    ArraySpec,
    BytesBytesCodec,
    GzipCodec,
    NumcodecsCodec,
    codec_from_json,
    decode_chunk,
    get_codec_class,
    get_v2_codec_class,
)
from zarrdist.config import config
from zarrdist.errors import CodecError, UnknownCodecError

BYTES = {"name": "bytes", "configuration": {"endian": "little"}}
ZARR_NAMES = [
    "blosc", "lz4", "zstd", "zlib", "gzip", "bz2", "lzma", "shuffle", "delta", "bitround",
    "fixedscaleoffset", "quantize", "packbits", "astype", "crc32", "crc32c", "adler32",
    "fletcher32", "jenkins_lookup3", "pcodec", "zfpy",
]  # fmt: skip


def _field() -> np.ndarray[Any, Any]:
    x = np.linspace(0, 4, 12 * 10).reshape(12, 10)
    return (np.sin(x) * 1000 + np.random.default_rng(1).normal(0, 0.5, x.shape)).astype("<f8")


@pytest.mark.parametrize("codec_id", ZARR_NAMES)
def test_kind_matches_zarr(codec_id: str) -> None:
    ours = get_codec_class(f"numcodecs.{codec_id}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = zarr_codec_class(f"numcodecs.{codec_id}")
    if issubclass(theirs, ZarrAA):
        assert issubclass(ours, ArrayArrayCodec)
    elif issubclass(theirs, ZarrAB):
        assert issubclass(ours, ArrayBytesCodec)
    else:
        assert issubclass(ours, BytesBytesCodec)


def test_every_numcodecs_id_is_registered() -> None:
    for codec_id in codec_registry:
        cls = get_codec_class(f"numcodecs.{codec_id}") if codec_id != "pickle" else None
        if cls is not None:
            assert issubclass(cls, NumcodecsCodec)
            assert cls.codec_id == codec_id
    # Built-in codecs win the v2 ids they share with numcodecs.
    assert get_v2_codec_class("gzip") is GzipCodec
    assert get_v2_codec_class("zlib") is get_codec_class("numcodecs.zlib")


FILTER_CASES = [
    {"name": "numcodecs.delta", "configuration": {"dtype": "<f8"}},
    {"name": "numcodecs.delta", "configuration": {"dtype": "<f8", "astype": "<f4"}},
    {
        "name": "numcodecs.fixedscaleoffset",
        "configuration": {"offset": 0, "scale": 10, "dtype": "<f8", "astype": "<i4"},
    },
    {"name": "numcodecs.fixedscaleoffset", "configuration": {"offset": 1, "scale": 100}},
    {"name": "numcodecs.quantize", "configuration": {"digits": 3}},
    {"name": "numcodecs.bitround", "configuration": {"keepbits": 10}},
    {"name": "numcodecs.astype", "configuration": {"encode_dtype": "<f4"}},
]
COMPRESSOR_CASES = [
    {"name": "numcodecs.lz4", "configuration": {"acceleration": 1}},
    {"name": "numcodecs.lzma", "configuration": {"preset": 1}},
    {"name": "numcodecs.bz2", "configuration": {"level": 3}},
    {"name": "numcodecs.zlib", "configuration": {"level": 4}},
    {"name": "numcodecs.gzip", "configuration": {"level": 4}},
    {"name": "numcodecs.zstd", "configuration": {"level": 2}},
    {"name": "numcodecs.blosc", "configuration": {"cname": "lz4", "clevel": 5, "shuffle": 1}},
    {"name": "numcodecs.shuffle", "configuration": {}},
    {"name": "numcodecs.crc32", "configuration": {}},
    {"name": "numcodecs.crc32c", "configuration": {}},
    {"name": "numcodecs.adler32", "configuration": {}},
    {"name": "numcodecs.fletcher32", "configuration": {}},
    {"name": "numcodecs.jenkins_lookup3", "configuration": {}},
]


def _check_against_zarr(
    peers: tuple[Any, Any, Any], arr: np.ndarray[Any, Any], codecs: list[dict[str, Any]]
) -> None:
    zarr_peer, make_chain, encode_bytes = peers
    spec = ArraySpec(arr.shape, arr.dtype)
    chain = make_chain(codecs, spec)
    ours = encode_bytes(chain, arr, spec)
    theirs = zarr_peer.encode(arr, codecs)
    assert ours == theirs
    assert chain.to_json() == zarr_peer.to_json(codecs, arr.shape, arr.dtype)
    expected = zarr_peer.decode(theirs, codecs, arr.shape, arr.dtype)
    back = decode_chunk(chain, theirs, spec)
    assert back.shape == arr.shape
    assert back.dtype == arr.dtype
    assert back.tobytes() == expected.tobytes()


@pytest.mark.parametrize("codec", FILTER_CASES, ids=lambda c: c["name"])
def test_filters_equal_zarr(
    zarr_peer: Any, make_chain: Any, encode_bytes: Any, codec: dict[str, Any]
) -> None:
    _check_against_zarr((zarr_peer, make_chain, encode_bytes), _field(), [codec, BYTES])


@pytest.mark.parametrize("codec", COMPRESSOR_CASES, ids=lambda c: c["name"])
def test_compressors_equal_zarr(
    zarr_peer: Any, make_chain: Any, encode_bytes: Any, codec: dict[str, Any]
) -> None:
    _check_against_zarr((zarr_peer, make_chain, encode_bytes), _field(), [BYTES, codec])


def test_packbits_equals_zarr(zarr_peer: Any, make_chain: Any, encode_bytes: Any) -> None:
    arr = (_field() > 0).reshape(12, 10)
    codecs = [{"name": "numcodecs.packbits", "configuration": {}}, BYTES]
    _check_against_zarr((zarr_peer, make_chain, encode_bytes), arr, codecs)


def test_evolve_fills_settings_like_zarr() -> None:
    spec = ArraySpec((4,), np.dtype("<f8"))
    shuffle = codec_from_json({"name": "numcodecs.shuffle"}).evolve_from_array_spec(spec)
    assert shuffle.to_json()["configuration"] == {"elementsize": 8}
    astype = codec_from_json(
        {"name": "numcodecs.astype", "configuration": {"encode_dtype": "<f4"}}
    ).evolve_from_array_spec(spec)
    assert astype.to_json()["configuration"] == {"encode_dtype": "<f4", "decode_dtype": "float64"}
    assert astype.resolve_spec(spec).dtype == np.dtype("<f4")


@pytest.mark.parametrize(
    ("name", "configuration", "values"),
    [
        ("numcodecs.json2", {}, ["a", 1, None, [1, 2]]),
        ("numcodecs.msgpack2", {}, ["a", 1, None, b"xy"]),
        ("numcodecs.vlen-utf8", {}, ["a", "bé", "", "c"]),
    ],
)
def test_object_codecs_round_trip(
    make_chain: Any, encode_bytes: Any, name: str, configuration: dict[str, Any], values: list[Any]
) -> None:
    flat = np.empty(4, dtype=object)
    flat[:] = values
    arr = flat.reshape(2, 2)
    spec = ArraySpec(arr.shape, arr.dtype)
    chain = make_chain([{"name": name, "configuration": configuration}], spec)
    back = decode_chunk(chain, encode_bytes(chain, arr, spec), spec)
    assert back.shape == (2, 2)
    assert back.tolist() == arr.tolist()


def test_categorize_round_trip(make_chain: Any, encode_bytes: Any) -> None:
    arr = np.array(["b", "a", "c", "a"], dtype=object)
    codecs = [
        {
            "name": "numcodecs.categorize",
            "configuration": {"labels": ["a", "b", "c"], "dtype": "|O"},
        },
        {"name": "numcodecs.vlen-utf8", "configuration": {}},
    ]
    spec = ArraySpec(arr.shape, arr.dtype)
    chain = make_chain([codecs[0], BYTES], spec)
    assert chain.specs(spec)[-1].dtype == np.dtype("u1")
    encoded = encode_bytes(chain, arr, spec)
    assert encoded == bytes([2, 1, 3, 1])
    assert decode_chunk(chain, encoded, spec).tolist() == arr.tolist()


def test_pickle_refused_by_default_and_allowed_with_config(
    make_chain: Any, encode_bytes: Any
) -> None:
    entry = {"name": "numcodecs.pickle", "configuration": {"protocol": 5}}
    with pytest.raises(UnknownCodecError, match="allow_pickle") as info:
        codec_from_json(entry)
    assert info.value.codec == "numcodecs.pickle"
    with pytest.raises(UnknownCodecError):
        get_v2_codec_class("pickle")
    arr = np.empty(3, dtype=object)
    arr[:] = [{"a": 1}, (2, 3), "x"]
    spec = ArraySpec(arr.shape, arr.dtype)
    with config.set({"codecs.allow_pickle": True}):
        chain = make_chain([entry], spec)
        back = decode_chunk(chain, encode_bytes(chain, arr, spec), spec)
    assert back.tolist() == arr.tolist()
    # An instance made while allowed still refuses to build its codec afterwards.
    fresh = type(chain.array_bytes)(configuration={"protocol": 5})
    with pytest.raises(UnknownCodecError):
        fresh.validate(spec)


def test_errors_name_the_codec() -> None:
    spec = ArraySpec((4,), np.dtype("u1"))
    zlib = codec_from_json({"name": "numcodecs.zlib"})
    assert isinstance(zlib, BytesBytesCodec)
    with pytest.raises(CodecError) as info:
        zlib.decode(b"not zlib", spec)
    assert info.value.codec == "numcodecs.zlib"
    bad = codec_from_json({"name": "numcodecs.delta", "configuration": {"dtype": "nonsense"}})
    with pytest.raises(CodecError, match="delta"):
        bad.validate(spec)
    with pytest.raises(CodecError, match="id"):
        codec_from_json({"name": "numcodecs.zlib", "configuration": {"id": "bz2"}})
    with pytest.raises(UnknownCodecError):
        codec_from_json({"name": "numcodecs.no-such-codec"})


def test_adapters_hash_compare_and_pickle() -> None:
    a = codec_from_json({"name": "numcodecs.zlib", "configuration": {"level": 3}})
    b = codec_from_json({"name": "numcodecs.zlib", "configuration": {"level": 3}})
    c = codec_from_json({"name": "numcodecs.bz2", "configuration": {"level": 3}})
    assert a == b
    assert hash(a) == hash(b)
    assert a != c
    assert pickle.loads(pickle.dumps(a)) == a
    a.validate(ArraySpec((1,), np.dtype("u1")))  # builds the cached numcodecs codec
    assert pickle.loads(pickle.dumps(a)) == a


# -- zarr-python's names: zarr.codecs.numcodecs.Delta(dtype=...) and friends -------------

PEER_CLASS_NAMES = [
    "BZ2", "CRC32", "CRC32C", "LZ4", "LZMA", "ZFPY", "Adler32", "AsType", "BitRound",
    "Blosc", "Delta", "FixedScaleOffset", "Fletcher32", "GZip", "JenkinsLookup3", "PCodec",
    "PackBits", "Quantize", "Shuffle", "Zlib", "Zstd",
]  # fmt: skip


@pytest.mark.parametrize("name", PEER_CLASS_NAMES)
def test_peer_names_build_the_same_metadata_entry(name: str) -> None:
    import zarr.codecs.numcodecs as peer

    import zarrdist.codecs
    import zarrdist.codecs.numcodecs as ours

    assert getattr(zarrdist.codecs, name) is getattr(ours, name)
    config = {"Delta": {"dtype": "<f8"}, "BitRound": {"keepbits": 6}}.get(name, {})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = getattr(peer, name)(**config).to_dict()
    assert getattr(ours, name)(**config).to_json() == expected


def test_arrays_with_peer_names_cross_read_with_zarr_python(tmp_path: Any) -> None:
    import zarr
    import zarr.codecs.numcodecs as peer

    import zarrdist
    from zarrdist.codecs import numcodecs as ours

    data = _field()
    z = zarrdist.create_array(
        str(tmp_path / "ours"),
        shape=data.shape,
        chunks=(5, 4),
        dtype=data.dtype,
        filters=[ours.FixedScaleOffset(offset=0, scale=100, dtype="<f8", astype="<i4")],
        compressors=[ours.Zstd(level=3)],
    )
    z[...] = data
    with warnings.catch_warnings():
        # zarr-python warns that numcodecs codecs are outside the v3 specification.
        warnings.simplefilter("ignore")
        back = zarr.open_array(str(tmp_path / "ours"))[...]
        np.testing.assert_array_equal(back, np.round(data * 100) / 100)
        w = zarr.create_array(
            str(tmp_path / "theirs"),
            shape=data.shape,
            chunks=(5, 4),
            dtype=data.dtype,
            filters=[peer.Delta(dtype="<f8")],
            compressors=[peer.Zstd(level=3)],
        )
        w[...] = data
        # Delta on floats rounds in its running sum: the peer's own read is the truth.
        expected = w[...]
    theirs = zarrdist.open_array(str(tmp_path / "theirs"))
    np.testing.assert_allclose(expected, data, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(theirs[...], expected)
    assert theirs.filters == (ours.Delta(dtype="<f8"),)
    assert theirs.compressors == (ours.Zstd(level=3),)


def test_codec_objects_of_numcodecs_zarr3_are_accepted() -> None:
    import zarrdist
    from zarrdist.codecs import numcodecs as ours
    from zarrdist.stores import MemoryStore

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import numcodecs.zarr3 as n3

        filters, compressors = [n3.Delta(dtype="<i8")], [n3.Zlib(level=2)]
    z = zarrdist.create_array(
        MemoryStore(),
        shape=(9,),
        chunks=(4,),
        dtype="<i8",
        filters=filters,
        compressors=compressors,
    )
    z[...] = np.arange(9) ** 2
    np.testing.assert_array_equal(z[...], np.arange(9) ** 2)
    assert z.filters == (ours.Delta(dtype="<i8"),)
    assert z.compressors == (ours.Zlib(level=2),)


def test_configuration_as_dict_or_keywords_not_both() -> None:
    from zarrdist.codecs.numcodecs import Quantize

    assert Quantize(digits=3) == Quantize(configuration={"digits": 3})
    assert hash(Quantize(digits=3)) == hash(Quantize(configuration={"digits": 3}))
    with pytest.raises(TypeError, match="not both"):
        Quantize(configuration={"digits": 3}, dtype="<f4")


@pytest.mark.parametrize("name", ["LZ4", "Delta", "PackBits"])
def test_construction_warns_as_zarr_python_does(name: str) -> None:
    import zarr.codecs.numcodecs as peer_names

    from zarrdist.codecs import numcodecs as our_names
    from zarrdist.errors import ZarrUserWarning

    kwargs: dict[str, Any] = {"dtype": "<i4"} if name == "Delta" else {}
    with warnings.catch_warnings(record=True) as ours:
        warnings.simplefilter("always")
        codec = getattr(our_names, name)(**kwargs)
    with warnings.catch_warnings(record=True) as theirs:
        warnings.simplefilter("always")
        getattr(peer_names, name)(**kwargs)
    assert [str(w.message) for w in ours] == [str(w.message) for w in theirs]
    assert [w.category for w in ours] == [ZarrUserWarning]
    assert ours[0].filename == __file__  # attributed to the caller's line
    assert codec.codec_name == f"numcodecs.{name.lower()}" == getattr(peer_names, name).codec_name
    assert "See [numcodecs." in (type(codec).__doc__ or "")


def test_classes_carry_zarr_pythons_names_and_pickle() -> None:
    import zarr.codecs.numcodecs as peer_names

    from zarrdist.codecs import numcodecs as our_names

    for name in our_names.__all__:
        assert getattr(our_names, name).__name__ == getattr(peer_names, name).__name__ == name
    codec = our_names.LZ4(level=3)
    assert pickle.loads(pickle.dumps(codec)) == codec
