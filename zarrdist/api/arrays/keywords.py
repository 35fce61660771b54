"""Turning ``create_array`` keywords into v2 or v3 array metadata.

Accepts zarr-python 3.1.5's keywords (``filters``, ``serializer``, ``compressors``)
and the seed's (``codecs`` for a whole v3 chain, ``compressor`` for one
compressor). Codecs may be zarrdist codec objects, their JSON dicts, or numcodecs
codec objects.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

import numcodecs
from numcodecs.abc import Codec as NumcodecsBase

from zarrdist.api.arrays.keyword_warnings import (
    warn_compressor_v3,
    warn_order_kwarg,
    warn_sharding_combined,
)
from zarrdist.chunking.grid import (
    DefaultChunkKeyEncoding,
    V2ChunkKeyEncoding,
    auto_shards,
    chunk_key_encoding_from_json,
    normalize_chunks,
    rectilinear_from_user,
)
from zarrdist.codecs import (
    ArrayArrayCodec,
    ArrayBytesCodec,
    BytesBytesCodec,
    Codec,
    ShardingCodec,
    ZstdCodec,
    codec_from_json,
)
from zarrdist.config import config
from zarrdist.dtype.datatypes import parse_data_type
from zarrdist.errors import CodecError
from zarrdist.metadata import ArrayMetadataV2, ArrayMetadataV3, default_codecs

__all__ = [
    "DEFAULT_FILL_VALUE",
    "array_metadata",
    "as_v3_codec",
    "chunk_key_encoding_for",
    "default_filters_v2",
    "v2_chunk_encoding",
    "v3_chunk_encoding",
]

_AUTO = "auto"


class _DefaultFillValue:
    """The fill value a caller did not choose: the data type's default.

    Distinct from None, which a Zarr v2 array records as ``"fill_value": null``.
    """

    def __repr__(self) -> str:
        return "DEFAULT_FILL_VALUE"


#: Sentinel for "no fill value given" (zarr-python's ``DEFAULT_FILL_VALUE``).
DEFAULT_FILL_VALUE: Any = _DefaultFillValue()
#: zarr-python 3.1.5's v2 default compressor.
V2_DEFAULT_COMPRESSOR = {"id": "zstd", "level": 0, "checksum": False}


def as_v3_codec(codec: Any) -> Codec:
    """A zarrdist codec from a codec object (zarrdist's, or another library's v3 codec with a
    ``to_dict()``), its JSON entry, or a numcodecs codec."""
    if isinstance(codec, Codec):
        return codec
    if isinstance(codec, NumcodecsBase):
        conf = dict(codec.get_config())
        codec_id = conf.pop("id")
        native = {"zstd", "gzip", "blosc", "crc32c"}
        if codec_id in native:
            return codec_from_json({"name": codec_id, "configuration": conf})
        return codec_from_json({"name": f"numcodecs.{codec_id}", "configuration": conf})
    if isinstance(codec, Mapping | str):
        return codec_from_json(codec if isinstance(codec, str) else dict(codec))
    # A v3 codec object of another library (numcodecs.zarr3, zarr-python): its
    # metadata entry says everything a zarrdist codec needs.
    to_dict = getattr(codec, "to_dict", None)
    entry = to_dict() if callable(to_dict) else None
    if isinstance(entry, Mapping) and isinstance(entry.get("name"), str):
        return codec_from_json(dict(entry))
    raise CodecError(f"not a codec: {codec!r}")


def _as_numcodec(codec: Any) -> NumcodecsBase:
    """A numcodecs codec from itself, its config, or the zarrdist codec of the same id."""
    if isinstance(codec, NumcodecsBase):
        return codec
    return numcodecs.get_codec(_as_v2_config(codec))


def default_filters_v2(dtype: Any) -> tuple[NumcodecsBase, ...] | None:
    """The filters a v2 array of ``dtype`` gets by default: its object codec
    (``VLenUTF8``, ``VLenBytes``) for variable-length types, else None.

    Raises
    ------
    ValueError
        If the type names an object codec numcodecs does not have.
    """
    needed = parse_data_type(dtype, 2).object_codec_id
    if needed is None:
        return None
    try:
        return (numcodecs.get_codec({"id": needed}),)
    except (ValueError, KeyError) as exc:
        raise ValueError(
            f"Data type {dtype} requires an unknown object codec: {needed!r}."
        ) from exc


def v2_chunk_encoding(
    *, compressor: Any, filters: Any, dtype: Any
) -> tuple[tuple[NumcodecsBase, ...] | None, NumcodecsBase | None]:
    """The ``(filters, compressor)`` numcodecs codecs that ``create_array`` gives a v2
    array of ``dtype`` for these keywords ("auto" for the defaults; codecs may be
    numcodecs objects, their configs or zarrdist codecs).

    Raises
    ------
    ValueError
        If ``dtype`` is variable-length and neither the filters nor the compressor
        hold its object codec (``.zarray`` could not say how to store the objects).
    CodecError
        If more than one compressor is given, or a codec is unknown.
    """
    data_type = parse_data_type(dtype, 2)
    if isinstance(compressor, str) and compressor == _AUTO:
        chosen: NumcodecsBase | None = numcodecs.get_codec(dict(V2_DEFAULT_COMPRESSOR))
    else:
        listed = _listify(compressor)
        if len(listed) > 1:
            raise CodecError(f"zarr_format=2 takes one compressor, got {len(listed)}")
        chosen = _as_numcodec(listed[0]) if listed else None
    if isinstance(filters, str) and filters == _AUTO:
        kept = default_filters_v2(data_type)
    else:
        kept = tuple(_as_numcodec(f) for f in _listify(filters)) or None
    needed = data_type.object_codec_id
    present = {c.codec_id for c in (*(kept or ()), chosen) if c is not None}
    if needed is not None and needed not in present:
        codec = {"vlen-utf8": "numcodecs.VLenUTF8", "vlen-bytes": "numcodecs.VLenBytes"}.get(needed)
        wanted = f"the {codec} codec" if codec else f"an unknown object codec with id {needed!r}"
        raise ValueError(
            f"Data type {dtype} requires {wanted}, but no such codec was specified in the "
            "filters or compressor parameters for this array. "
        )
    return kept, chosen


def _as_v2_config(codec: Any) -> dict[str, Any]:
    if isinstance(codec, NumcodecsBase):
        return dict(codec.get_config())
    if isinstance(codec, Mapping):
        conf = dict(codec)
        if "id" not in conf:
            raise CodecError(f"a v2 codec config needs an 'id': {conf!r}")
        numcodecs.get_codec(dict(conf))  # fails early, naming the codec, if unknown
        return conf
    if isinstance(codec, Codec):
        conf = codec.to_json()
        name = conf["name"].removeprefix("numcodecs.")
        return {"id": name, **(conf.get("configuration") or {})}
    raise CodecError(f"not a v2 codec: {codec!r}")


def _listify(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, Iterable) and not isinstance(value, str | Mapping):
        return list(value)
    return [value]


def _v3_chain(
    data_type: Any, filters: Any, serializer: Any, compressors: Any, codecs: Any
) -> list[Codec]:
    if codecs is not None:
        return [as_v3_codec(c) for c in _listify(codecs)]
    chain: list[Codec] = (
        [] if filters in (None, _AUTO) else [as_v3_codec(c) for c in _listify(filters)]
    )
    if serializer in (None, _AUTO):
        chain += list(default_codecs(data_type))
    else:
        chain.append(as_v3_codec(serializer))
    if compressors == _AUTO:
        chain.append(ZstdCodec(level=0, checksum=False))
    else:
        chain += [as_v3_codec(c) for c in _listify(compressors)]
    kinds = (ArrayArrayCodec, ArrayBytesCodec, BytesBytesCodec)
    for codec in chain:
        if not isinstance(codec, kinds):
            raise CodecError(f"not a codec: {codec!r}")
    return chain


def v3_chunk_encoding(
    *, filters: Any, compressors: Any, serializer: Any, dtype: Any
) -> tuple[tuple[Codec, ...], Codec, tuple[Codec, ...]]:
    """The ``(filters, serializer, compressors)`` codecs that ``create_array`` gives a v3
    array of ``dtype`` for these keywords ("auto" or None for the defaults).

    Raises
    ------
    CodecError
        If a codec is unknown or sits in the wrong place (a compressor as a filter...).
    """
    chain = _v3_chain(parse_data_type(dtype, 3), filters, serializer, compressors, None)
    middle = next(i for i, c in enumerate(chain) if isinstance(c, ArrayBytesCodec))
    before, after = tuple(chain[:middle]), tuple(chain[middle + 1 :])
    if not all(isinstance(c, ArrayArrayCodec) for c in before):
        raise CodecError(f"filters must be array-to-array codecs, got {before!r}")
    if not all(isinstance(c, BytesBytesCodec) for c in after):
        raise CodecError(f"compressors must be bytes-to-bytes codecs, got {after!r}")
    return before, chain[middle], after


def array_metadata(
    *,
    shape: Sequence[int] | int,
    dtype: Any = "float64",
    chunks: Any = _AUTO,
    shards: Any = None,
    filters: Any = _AUTO,
    compressors: Any = _AUTO,
    serializer: Any = _AUTO,
    codecs: Any = None,
    compressor: Any = _AUTO,
    fill_value: Any = DEFAULT_FILL_VALUE,
    order: Any = None,
    zarr_format: int | None = None,
    attributes: Mapping[str, Any] | None = None,
    chunk_key_encoding: Any = None,
    dimension_names: Sequence[str | None] | None = None,
    dimension_separator: str | None = None,
) -> ArrayMetadataV2 | ArrayMetadataV3:
    """Metadata for a new array from ``create_array``'s keywords.

    ``fill_value`` left at :data:`DEFAULT_FILL_VALUE` gives the data type's
    default; None gives the default too, except in Zarr v2, which records it as
    ``null`` (as zarr-python does).
    """
    zarr_format = _check_format(zarr_format or config.get("default_zarr_format"))
    shape_t = (shape,) if isinstance(shape, int) else tuple(int(s) for s in shape)
    data_type = parse_data_type(dtype, zarr_format)
    itemsize = data_type.item_size or 16
    compressors = _compressors(zarr_format, compressor, compressors)
    _check_layout(zarr_format, shards, order, serializer, dimension_names)
    if isinstance(shards, Mapping):
        shards = shards.get("shape")
    rectilinear = _rectilinear_chunks(chunks, shape_t, zarr_format, shards)
    chunk_shape = normalize_chunks(chunks, shape_t, itemsize) if rectilinear is None else ()
    if zarr_format == 2:
        null_fill = fill_value is None
        fill_value = None if fill_value is DEFAULT_FILL_VALUE else fill_value
        return _v2_metadata(
            shape_t,
            data_type,
            chunk_shape,
            filters,
            compressors,
            fill_value,
            order,
            attributes,
            dimension_separator,
            chunk_key_encoding,
            null_fill,
        )
    if fill_value is DEFAULT_FILL_VALUE:
        fill_value = None
    chain = _v3_chain(data_type, filters, serializer, compressors, codecs)
    outer = chunk_shape
    if shards is not None and shards != _AUTO:
        enabled = bool(config.get("array.rectilinear_chunks"))
        rectilinear = rectilinear_from_user(shards, shape_t, enabled=enabled)
    if shards is not None and rectilinear is None:
        outer = (
            auto_shards(shape_t, chunk_shape, itemsize)
            if shards == _AUTO
            else normalize_chunks(shards, shape_t, itemsize)
        )
    chain = _outer_chain(chain, chunk_shape, sharded=shards is not None)
    return ArrayMetadataV3(
        shape=shape_t,
        data_type=data_type,
        chunk_shape=outer,
        codecs=tuple(chain),
        fill_value=fill_value,
        chunk_key_encoding=chunk_key_encoding_for(chunk_key_encoding, 3, dimension_separator),
        attributes=dict(attributes or {}),
        dimension_names=None if dimension_names is None else tuple(dimension_names),
        rectilinear=rectilinear,
    )


def _outer_chain(chain: list[Codec], chunk_shape: Any, *, sharded: bool) -> list[Codec]:
    """The array's chain: ``chain`` inside a sharding codec when sharded; warns as
    zarr-python does of a sharding codec beside other codecs."""
    if sharded:
        chain = [ShardingCodec(chunk_shape=chunk_shape, codecs=tuple(chain))]
    if _sharding_combined(chain):
        warn_sharding_combined(stacklevel=5)
    return chain


def _sharding_combined(chain: Sequence[Codec]) -> bool:
    """Whether a chain, or a sharding codec's chain within it, holds a sharding codec
    beside other codecs (zarr-python warns of each such chain)."""
    shardings = [c for c in chain if isinstance(c, ShardingCodec)]
    if shardings and len(chain) > 1:
        return True
    return any(_sharding_combined(tuple(c.codecs)) for c in shardings)


def _compressors(zarr_format: int, compressor: Any, compressors: Any) -> Any:
    """``compressors``, or the one deprecated ``compressor`` (warned of in v3), as
    zarr-python takes them; both given is its ValueError."""
    if compressor == _AUTO:
        return compressors
    if compressors != _AUTO:
        raise ValueError("Cannot specify both `compressor` and `compressors`.")
    if zarr_format == 3:
        warn_compressor_v3(stacklevel=5)
    return None if compressor is None else [compressor]


def _check_layout(
    zarr_format: int, shards: Any, order: Any, serializer: Any, dimension_names: Any
) -> None:
    """Refuse shards, a serializer and dimension names in Zarr v2; warn of ``order=`` on
    a v3 array, as zarr-python does."""
    if zarr_format == 2 and serializer != _AUTO:
        raise ValueError("Zarr format 2 arrays do not support `serializer`.")
    if zarr_format == 2 and dimension_names is not None:
        raise ValueError("Zarr format 2 arrays do not support dimension names.")
    if shards is not None and zarr_format == 2:
        shown = tuple(shards) if isinstance(shards, list) else shards
        raise ValueError(
            "Zarr format 2 arrays can only be created with `shard_shape` set to `None`. "
            f"Got `shard_shape={shown}` instead. (Sharding needs zarr_format=3.)"
        )
    if zarr_format == 3 and order is not None:
        warn_order_kwarg(stacklevel=5)


def _rectilinear_chunks(chunks: Any, shape: tuple[int, ...], zarr_format: int, shards: Any) -> Any:
    """The rectilinear grid ``chunks`` asks for (zarr-python's flag on), or None."""
    enabled = bool(config.get("array.rectilinear_chunks"))
    rectilinear = rectilinear_from_user(chunks, shape, enabled=enabled)
    if rectilinear is not None and (zarr_format == 2 or shards is not None):
        raise ValueError(
            "a rectilinear chunk grid needs zarr_format=3 and no shards= (give the shard "
            "edges as shards= with regular chunks= instead)"
        )
    return rectilinear


def _check_format(value: Any) -> Literal[2, 3]:
    if value in (2, 3) and not isinstance(value, bool):
        return 2 if int(value) == 2 else 3
    raise ValueError(f"zarr_format must be 2 or 3, got {value!r}")


def chunk_key_encoding_for(
    value: Any, zarr_format: int, separator: Any = None
) -> DefaultChunkKeyEncoding | V2ChunkKeyEncoding:
    """The chunk key encoding ``create_array``'s ``chunk_key_encoding`` asks for: an
    encoding object, its JSON entry or ``{"name": ..., "separator": ...}``; None gives
    the format's default (with ``separator``, the old ``dimension_separator``).

    Raises
    ------
    ValueError
        For an unknown encoding or separator, or a v2 array given another encoding
        than ``v2`` (v2 keys have no ``c/`` prefix).
    """
    if value is None:
        if zarr_format == 2:
            return V2ChunkKeyEncoding(separator or ".")
        return DefaultChunkKeyEncoding(separator or "/")
    encoding = (
        value
        if isinstance(value, DefaultChunkKeyEncoding | V2ChunkKeyEncoding)
        else chunk_key_encoding_from_json(value)
    )
    if zarr_format == 2 and encoding.name != "v2":
        raise ValueError(
            "Invalid chunk key encoding. For Zarr format 2 arrays, the `name` field of the "
            f"chunk key encoding must be 'v2'. Got `name` = {encoding.name} instead."
        )
    return encoding


def _v2_metadata(
    shape: tuple[int, ...],
    data_type: Any,
    chunk_shape: tuple[int, ...],
    filters: Any,
    compressors: Any,
    fill_value: Any,
    order: Any,
    attributes: Mapping[str, Any] | None,
    dimension_separator: Any,
    chunk_key_encoding: Any,
    null_fill: bool = False,
) -> ArrayMetadataV2:
    filter_codecs, compressor = v2_chunk_encoding(
        compressor=compressors, filters=filters, dtype=data_type
    )
    separator = dimension_separator
    if separator is None and chunk_key_encoding is not None:
        separator = chunk_key_encoding_for(chunk_key_encoding, 2).separator
    return ArrayMetadataV2(
        shape=shape,
        data_type=data_type,
        chunk_shape=chunk_shape,
        fill_value=fill_value,
        order=order or config.get("array.order"),
        filters=filter_codecs,
        compressor=compressor,
        dimension_separator=separator or ".",
        attributes=dict(attributes or {}),
        fill_value_null=null_fill,
    )
