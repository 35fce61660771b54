"""Target metadata of a copy: the source's, with the format, chunks, shards and
compressors the options ask for.

Codecs carry over between formats: a v2 ``compressor`` becomes the v3 codec of the
same name (``blosc``'s integer shuffle becomes its name), v2 ``filters`` become
``numcodecs.*`` array-to-array codecs, and back. What one format cannot say (two
v3 compressors in v2, a ``transpose`` filter in v2) is refused with the array's
path, before anything is written. The xarray ``_ARRAY_DIMENSIONS`` attribute of a
v2 array becomes v3 ``dimension_names``, and the other way round.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from zarrdist.api.arrays.keywords import array_metadata
from zarrdist.chunking.grid import DefaultChunkKeyEncoding, V2ChunkKeyEncoding
from zarrdist.cli.inspect import dimension_names
from zarrdist.cli.options import ChunkRules, RegionSpec
from zarrdist.codecs import (
    BloscCodec,
    Codec,
    CodecChain,
    Crc32cCodec,
    GzipCodec,
    ShardingCodec,
    ZstdCodec,
    codec_from_json,
)
from zarrdist.errors import UnknownCodecError, ZarrdistError
from zarrdist.metadata import (
    ArrayMetadata,
    ArrayMetadataV2,
    ArrayMetadataV3,
    GroupMetadata,
    GroupMetadataV2,
    GroupMetadataV3,
)

__all__ = [
    "ConvertOptions",
    "SourceCodecs",
    "source_codecs",
    "target_array_metadata",
    "target_group_metadata",
    "v2_config",
    "v3_codec",
]

_SHUFFLE_NAMES = {0: "noshuffle", 1: "shuffle", 2: "bitshuffle"}
_SHUFFLE_INTS = {name: value for value, name in _SHUFFLE_NAMES.items()}
#: v2 filters that encode object arrays; v3 expresses them as the serializer.
_OBJECT_CODECS = frozenset({"vlen-utf8", "vlen-bytes", "vlen-array"})
_DIMS_ATTR = "_ARRAY_DIMENSIONS"


@dataclass(frozen=True)
class ConvertOptions:
    """What ``zarrdist copy`` changes.

    Attributes
    ----------
    zarr_format : int or None
        Target format (None: the source's).
    chunks, shards : ChunkRules
        ``--chunks`` and ``--shards`` rules.
    compressors : tuple of Codec, or None
        ``--compressor`` (None: keep the source's; empty: no compression).
    region : RegionSpec or None
        ``--region``.
    """

    zarr_format: int | None = None
    chunks: ChunkRules = field(default_factory=ChunkRules)
    shards: ChunkRules = field(default_factory=ChunkRules)
    compressors: tuple[Codec, ...] | None = None
    region: RegionSpec | None = None


def v3_codec(config: Mapping[str, Any]) -> Codec:
    """The v3 codec of a v2 (numcodecs) codec config.

    Raises
    ------
    UnknownCodecError
        If no codec of that id is installed.
    """
    conf = dict(config)
    codec_id = conf.pop("id")
    if codec_id == "blosc":
        shuffle = _SHUFFLE_NAMES.get(int(conf.get("shuffle", 1)))
        return BloscCodec(
            cname=conf.get("cname", "lz4"),
            clevel=int(conf.get("clevel", 5)),
            shuffle=shuffle,
            blocksize=int(conf.get("blocksize", 0)),
        )
    if codec_id == "zstd":
        return ZstdCodec(level=int(conf.get("level", 0)), checksum=bool(conf.get("checksum")))
    if codec_id == "gzip":
        return GzipCodec(level=int(conf.get("level", 1)))
    if codec_id == "crc32c":
        return Crc32cCodec()
    return codec_from_json({"name": f"numcodecs.{codec_id}", "configuration": conf})


def v2_config(codec: Codec, *, path: str = "") -> dict[str, Any]:
    """The v2 (numcodecs) config of a v3 codec.

    Raises
    ------
    UnknownCodecError
        If zarr v2 has no equivalent (``transpose``, ``sharding_indexed``, ...).
    """
    document = codec.to_json()
    name = str(document["name"])
    conf = dict(document.get("configuration") or {})
    if name == "blosc":
        conf.pop("typesize", None)
        conf["shuffle"] = _SHUFFLE_INTS[str(conf.get("shuffle", "shuffle"))]
        return {"id": "blosc", **conf}
    if name in ("zstd", "gzip", "crc32c"):
        return {"id": name, **conf}
    if name.startswith("numcodecs."):
        return {"id": name.removeprefix("numcodecs."), **conf}
    raise UnknownCodecError(
        f"codec {name!r} of array {path or '/'!r} has no zarr v2 equivalent; "
        "pass --compressor to choose another",
        codec=name,
    )


@dataclass(frozen=True)
class SourceCodecs:
    """A source array's codecs as v3 objects: filters, serializer and compressors."""

    filters: tuple[Codec, ...]
    serializer: Codec | None
    compressors: tuple[Codec, ...]


def source_codecs(metadata: ArrayMetadata) -> SourceCodecs:
    """The codecs of ``metadata`` (the inner chain of a sharded array)."""
    if isinstance(metadata, ArrayMetadataV2):
        document = metadata.to_json()
        filters = tuple(
            v3_codec(f) for f in document["filters"] or () if f.get("id") not in _OBJECT_CODECS
        )
        compressor = document["compressor"]
        return SourceCodecs(filters, None, (v3_codec(compressor),) if compressor else ())
    chain: CodecChain = metadata.codec_chain
    outer_filters = tuple(chain.array_array)
    if isinstance(chain.array_bytes, ShardingCodec):
        chain = CodecChain.from_codecs(chain.array_bytes.codecs)
    return SourceCodecs(
        outer_filters + tuple(chain.array_array), chain.array_bytes, tuple(chain.bytes_bytes)
    )


def _chunks(meta: ArrayMetadata, path: str, shape: tuple[int, ...], rules: ChunkRules) -> Any:
    rule = rules.find(path, len(shape))
    if rule is None:
        return tuple(meta.chunks)
    if rule.auto:
        return "auto"
    if rule.shape is None:
        raise argparse.ArgumentTypeError(f"--chunks none is not a chunk shape (array {path!r})")
    return rule.resolve(shape)


def _shards(
    meta: ArrayMetadata,
    path: str,
    shape: tuple[int, ...],
    chunks: Any,
    options: ConvertOptions,
    zarr_format: int,
) -> Any:
    rule = options.shards.find(path, len(shape))
    if zarr_format == 2:
        if rule is not None and (rule.shape is not None or rule.auto):
            raise argparse.ArgumentTypeError(f"--shards needs --zarr-format 3 (array {path!r})")
        return None
    if rule is not None:
        return "auto" if rule.auto else rule.resolve(shape)
    shards = meta.shards
    if shards is None or chunks == "auto":
        return None
    # Keep the source's shards where the (new) chunks still tile them.
    return tuple(shards) if all(s % c == 0 for s, c in zip(shards, chunks, strict=True)) else None


def _dims_and_attributes(
    meta: ArrayMetadata, zarr_format: int
) -> tuple[tuple[str | None, ...] | None, dict[str, Any]]:
    attributes = dict(meta.attributes)
    dims = dimension_names(meta)
    if zarr_format == 2:
        if dims is not None and all(isinstance(d, str) for d in dims):
            attributes.setdefault(_DIMS_ATTR, list(dims))
        return None, attributes
    # v3 says it in dimension_names; an _ARRAY_DIMENSIONS attribute left beside it
    # would show in every xarray variable's attributes and be carried into later writes.
    attributes.pop(_DIMS_ATTR, None)
    return dims, attributes


def _codec_keywords(
    meta: ArrayMetadata, path: str, options: ConvertOptions, zarr_format: int
) -> dict[str, Any]:
    codecs = source_codecs(meta)
    compressors = codecs.compressors if options.compressors is None else options.compressors
    if zarr_format == 3:
        return {
            "filters": list(codecs.filters),
            "serializer": codecs.serializer if codecs.serializer is not None else "auto",
            "compressors": list(compressors),
        }
    if len(compressors) > 1:
        names = [c.to_json()["name"] for c in compressors]
        raise UnknownCodecError(
            f"array {path or '/'!r} has compressors {names}; zarr v2 allows one: pass "
            "--compressor to choose it",
            codec=str(names[-1]),
        )
    return {
        "filters": [v2_config(f, path=path) for f in codecs.filters] or None,
        "compressors": [v2_config(c, path=path) for c in compressors],
    }


def target_array_metadata(
    meta: ArrayMetadata,
    path: str,
    options: ConvertOptions,
    region: Sequence[slice] | None = None,
) -> ArrayMetadata:
    """The metadata of the copy of the array at ``path`` (relative to the copied node).

    Raises
    ------
    argparse.ArgumentTypeError
        If the options cannot apply to this array (named in the message).
    """
    zarr_format = options.zarr_format or meta.zarr_format
    shape = tuple(s.stop - s.start for s in region) if region else tuple(meta.shape)
    try:
        chunks = _chunks(meta, path, shape, options.chunks)
        shards = _shards(meta, path, shape, chunks, options, zarr_format)
        dims, attributes = _dims_and_attributes(meta, zarr_format)
        keywords = _codec_keywords(meta, path, options, zarr_format)
        layout: dict[str, Any] = {}
        if zarr_format == 2:
            layout["order"] = meta.order if isinstance(meta, ArrayMetadataV2) else "C"
            layout["dimension_separator"] = _v2_separator(meta)
        else:
            layout["chunk_key_encoding"] = _v3_key_encoding(meta)
            layout["dimension_names"] = dims
        return array_metadata(
            shape=shape,
            dtype=meta.data_type,
            chunks=chunks,
            shards=shards,
            fill_value=meta.fill_value,
            zarr_format=zarr_format,
            attributes=attributes,
            **keywords,
            **layout,
        )
    except (ZarrdistError, ValueError, TypeError) as error:
        if isinstance(error, argparse.ArgumentTypeError):
            raise
        raise argparse.ArgumentTypeError(f"array {path or '/'!r}: {error}") from error


def _v2_separator(meta: ArrayMetadata) -> str:
    if isinstance(meta, ArrayMetadataV2):
        return meta.dimension_separator
    encoding = meta.chunk_key_encoding
    return encoding.separator if isinstance(encoding, V2ChunkKeyEncoding) else "."


def _v3_key_encoding(meta: ArrayMetadata) -> Any:
    if isinstance(meta, ArrayMetadataV3):
        return meta.chunk_key_encoding
    return DefaultChunkKeyEncoding("/")


def target_group_metadata(meta: GroupMetadata, zarr_format: int | None) -> GroupMetadata:
    """The copied group's metadata (attributes kept, consolidated metadata dropped)."""
    if (zarr_format or meta.zarr_format) == 2:
        return GroupMetadataV2(dict(meta.attributes))
    return GroupMetadataV3(dict(meta.attributes))
