"""Zarr v2 metadata: ``.zarray``, ``.zgroup`` and ``.zattrs``.

Spec: https://zarr-specs.readthedocs.io/en/latest/v2/v2.0.html#metadata

``.zarray`` members are written in zarr-python 3.1.5's order (``shape``, ``chunks``,
``dtype``, ``fill_value``, ``order``, ``filters``, ``dimension_separator``,
``compressor``, ``zarr_format``), codecs as numcodecs ``get_config()`` with
zarr-python's one quirk (a ``zstd`` compressor omits ``checksum`` when false).
Attributes live in ``.zattrs``, which is always written. As in zarr-python,
unknown ``.zarray`` members are ignored.

>>> from zarrdist.metadata.v2 import ArrayMetadataV2
>>> meta = ArrayMetadataV2(shape=(4, 4), data_type="<f8", chunk_shape=(2, 2))
>>> meta.chunk_key((1, 0)), sorted(meta.to_documents())
('1.0', ['.zarray', '.zattrs'])
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from numcodecs.abc import Codec as Numcodec

from zarrdist.chunking.grid import V2ChunkKeyEncoding
from zarrdist.codecs import CodecChain, V2Codec
from zarrdist.codecs.v2 import OBJECT_CODEC_IDS
from zarrdist.dtype.datatypes import DataType, parse_data_type
from zarrdist.errors import CodecError, MetadataError, UnknownCodecError, ZarrUserWarning
from zarrdist.metadata._common import (
    ArrayMetadataBase,
    NodeMetadataBase,
    Problems,
    check_attributes,
    check_shape,
    dump_json,
)

__all__ = ["ArrayMetadataV2", "GroupMetadataV2", "object_codec_id"]

_REQUIRED = ("zarr_format", "shape", "chunks", "dtype", "compressor", "fill_value", "order")


def object_codec_id(filters: Any, compressor: Any) -> str | None:
    """The id of the first object codec among the filters and the compressor, if any."""
    candidates = [*(filters or ()), compressor]
    for codec in candidates:
        if isinstance(codec, Mapping) and codec.get("id") in OBJECT_CODEC_IDS:
            return str(codec["id"])
    return None


def _config(codec: Any, member: str) -> dict[str, Any]:
    """A numcodecs codec's config (given as the codec or its config)."""
    if isinstance(codec, Numcodec):
        return dict(codec.get_config())
    if isinstance(codec, Mapping) and "id" in codec:
        return dict(codec)
    raise MetadataError(
        f"invalid {member}: expected a numcodecs codec or its config (a dict with an 'id'), "
        f"got {codec!r}"
    )


@dataclass(frozen=True, eq=False)
class ArrayMetadataV2(ArrayMetadataBase):
    """A v2 array: ``.zarray`` plus ``.zattrs``.

    Attributes
    ----------
    shape : tuple of int
    data_type : DataType
        Any dtype-like is accepted; the byte order is kept (``>i4`` stays big-endian
        in memory, as zarr-python reads it).
    chunk_shape : tuple of int
        ``chunks`` in ``.zarray``.
    fill_value : Any
        None means the data type's default.
    order : {"C", "F"}
    filters : tuple of numcodecs codecs, or None
        Given as codecs or their configs; held as codecs, as zarr-python holds them.
        An object data type gets its object codec (``vlen-utf8``, ``vlen-bytes``)
        prepended when none is present.
    compressor : numcodecs codec or None
        Given as a codec or its config; held as a codec.
    dimension_separator : {".", "/"}
    attributes : dict
        The ``.zattrs`` document.
    fill_value_null : bool
        ``.zarray`` has ``"fill_value": null``: written back as null, while reads
        use ``fill_value`` (the type's default), as zarr-python and TensorStore do.
    """

    shape: tuple[int, ...]
    data_type: DataType
    chunk_shape: tuple[int, ...]
    fill_value: Any = None
    order: Literal["C", "F"] = "C"
    filters: tuple[Numcodec, ...] | None = None
    compressor: Numcodec | None = None
    dimension_separator: Literal[".", "/"] = "."
    attributes: dict[str, Any] = field(default_factory=dict)
    fill_value_null: bool = False
    _codec: V2Codec = field(init=False, repr=False)

    zarr_format: ClassVar[Literal[2]] = 2

    def __init__(
        self,
        *,
        shape: Sequence[int],
        data_type: Any = None,
        chunk_shape: Sequence[int] | None = None,
        fill_value: Any = None,
        order: Literal["C", "F"] = "C",
        filters: Iterable[Numcodec | Mapping[str, Any]] | Numcodec | None = None,
        compressor: Numcodec | Mapping[str, Any] | None = None,
        dimension_separator: Literal[".", "/"] = ".",
        attributes: Mapping[str, Any] | None = None,
        fill_value_null: bool | None = None,
        dtype: Any = None,
        chunks: Sequence[int] | None = None,
    ) -> None:
        """Keyword-only. zarr-python's keywords name two fields differently:
        ``dtype`` is ``data_type`` and ``chunks`` is ``chunk_shape``. Given its
        ``dtype`` form, a None ``fill_value`` is ``null`` in ``.zarray``, as zarr-python
        writes it; given ``data_type``, None means the data type's default unless
        ``fill_value_null`` says otherwise."""
        if (data_type is None) == (dtype is None):
            raise TypeError("ArrayMetadataV2 takes one of data_type= and dtype=")
        if (chunk_shape is None) == (chunks is None):
            raise TypeError("ArrayMetadataV2 takes one of chunk_shape= and chunks=")
        if fill_value_null is None:
            fill_value_null = dtype is not None and fill_value is None
        if filters is not None and not isinstance(filters, Iterable):
            filters = (filters,)  # one codec, as zarr-python accepts it
        for name, value in (
            ("shape", shape),
            ("data_type", dtype if data_type is None else data_type),
            ("chunk_shape", chunks if chunk_shape is None else chunk_shape),
            ("fill_value", fill_value),
            ("order", order),
            ("filters", None if filters is None else tuple(filters)),
            ("compressor", compressor),
            ("dimension_separator", dimension_separator),
            ("attributes", {} if attributes is None else attributes),
            ("fill_value_null", fill_value_null),
        ):
            object.__setattr__(self, name, value)
        self.__post_init__()

    def __post_init__(self) -> None:
        problems = Problems()
        shape = check_shape(self.shape, "shape", problems, minimum=0)
        chunks = check_shape(self.chunk_shape, "chunks", problems, minimum=1)
        if len(shape) != len(chunks) and not problems.items:
            problems.add("chunks", f"chunks {chunks} do not match shape {shape}")
        if self.order not in ("C", "F"):
            problems.add("order", f"must be 'C' or 'F', got {self.order!r}")
        if self.dimension_separator not in (".", "/"):
            problems.add(
                "dimension_separator", f"must be '.' or '/', got {self.dimension_separator!r}"
            )
        attributes = check_attributes(self.attributes, "attributes", problems)
        problems.raise_if_any("invalid array metadata")
        data_type = parse_data_type(self.data_type, 2)
        fill = (
            data_type.default_fill_value()
            if self.fill_value is None
            else data_type.cast_fill_value(self.fill_value)
        )
        filters = tuple(_config(f, "filters") for f in self.filters) if self.filters else None
        compressor = None if self.compressor is None else _config(self.compressor, "compressor")
        needed = data_type.object_codec_id
        if needed is not None and object_codec_id(filters, compressor) != needed:
            filters = ({"id": needed}, *(filters or ()))
        codec = V2Codec(filters=filters, compressor=compressor, order=self.order)
        for name, value in (
            ("shape", shape),
            ("chunk_shape", chunks),
            ("data_type", data_type),
            ("fill_value", fill),
            ("filters", codec.numcodecs_filters or None),
            ("compressor", codec.numcodecs_compressor),
            ("attributes", attributes),
            ("_codec", codec),
        ):
            object.__setattr__(self, name, value)

    @property
    def codec_chain(self) -> CodecChain:
        """``CodecChain((), V2Codec(filters, compressor, order), ())``."""
        return CodecChain((), self._codec, ())

    @property
    def chunk_key_encoding(self) -> V2ChunkKeyEncoding:
        """``0.1`` (or ``0/1`` with ``dimension_separator: "/"``)."""
        return V2ChunkKeyEncoding(self.dimension_separator)

    @property
    def dimension_names(self) -> None:
        """v2 has no dimension names."""
        return None

    def to_json(self) -> dict[str, Any]:
        """The ``.zarray`` document."""
        fill = None if self.fill_value_null else self.fill_value
        return {
            "shape": list(self.shape),
            "chunks": list(self.chunk_shape),
            "dtype": self.data_type.metadata_json(2),
            "fill_value": self.data_type.fill_value_to_json(fill, 2),
            "order": self.order,
            "filters": self._codec.filters_json(),
            "dimension_separator": self.dimension_separator,
            "compressor": self._codec.compressor_json(),
            "zarr_format": 2,
        }

    def to_documents(self) -> dict[str, bytes]:
        """``{".zarray": bytes, ".zattrs": bytes}``."""
        return {".zarray": dump_json(self.to_json()), ".zattrs": dump_json(self.attributes)}

    @classmethod
    def from_json(
        cls,
        zarray: Any,
        zattrs: Any = None,
        *,
        key: str = ".zarray",
    ) -> ArrayMetadataV2:
        """Parse ``.zarray`` (and ``.zattrs``), reporting every problem at once.

        Raises
        ------
        MetadataError
            Listing every problem, naming ``key``.
        UnknownDataTypeError
            If ``dtype`` is unknown (listing the other problems too).
        UnknownCodecError
            If a filter or the compressor is not installed, naming it and ``key``.
        """
        problems = Problems(key)
        if not isinstance(zarray, Mapping):
            problems.fail(f"the document must be a JSON object, got {type(zarray).__name__}")
        for name in _REQUIRED:
            if name not in zarray:
                problems.add(name, "required member is missing", "missing")
        if zarray.get("zarr_format", 2) != 2:
            problems.add("zarr_format", f"must be 2, got {zarray.get('zarr_format')!r}")
        out: dict[str, Any] = {
            "shape": check_shape(zarray.get("shape", []), "shape", problems, minimum=0),
            "chunk_shape": check_shape(zarray.get("chunks", []), "chunks", problems, minimum=1),
            "order": zarray.get("order", "C"),
            "dimension_separator": zarray.get("dimension_separator", "."),
            "attributes": check_attributes(zattrs, "attributes (.zattrs)", problems),
        }
        if len(out["shape"]) != len(out["chunk_shape"]):
            problems.add("chunks", f"chunks {out['chunk_shape']} do not match {out['shape']}")
        for name, allowed in (("order", ("C", "F")), ("dimension_separator", (".", "/"))):
            if out[name] not in allowed:
                problems.add(name, f"must be one of {allowed}, got {out[name]!r}")
        _parse_codecs(zarray, out, problems)
        _parse_dtype_and_fill(zarray, out, problems)
        problems.raise_if_any("invalid array metadata")
        try:
            return cls(**out)
        except UnknownCodecError as exc:
            raise UnknownCodecError(str(exc.args[0]), codec=exc.codec, key=key) from exc
        except CodecError as exc:
            problems.add_error("filters/compressor", exc)
            problems.fail("invalid array metadata")


def _parse_codecs(zarray: Mapping[str, Any], out: dict[str, Any], problems: Problems) -> None:
    filters = zarray.get("filters")
    if filters is not None and not (
        isinstance(filters, list) and all(isinstance(f, Mapping) and "id" in f for f in filters)
    ):
        problems.add("filters", "must be null or a list of codec objects with an 'id'", "type")
        filters = None
    compressor = zarray.get("compressor")
    if compressor is not None and not (isinstance(compressor, Mapping) and "id" in compressor):
        problems.add("compressor", "must be null or a codec object with an 'id'", "type")
        compressor = None
    if filters is not None and not filters:
        # Not valid v2; zarr-python reads it as null and warns in these words.
        warnings.warn(
            "Found an empty list of filters in the array metadata document. The Zarr v2 "
            "specification asks for null instead; zarrdist reads it as null.",
            ZarrUserWarning,
            stacklevel=4,
        )
    out["filters"] = tuple(filters) if filters else None
    out["compressor"] = compressor


def _parse_dtype_and_fill(
    zarray: Mapping[str, Any], out: dict[str, Any], problems: Problems
) -> None:
    if "dtype" not in zarray:
        return
    codec_id = object_codec_id(out["filters"], out["compressor"])
    try:
        data_type = DataType.from_json(zarray["dtype"], 2, object_codec_id=codec_id)
    except MetadataError as exc:
        problems.add_error("dtype", exc)
        return
    out["data_type"] = data_type
    try:
        fill = data_type.fill_value_from_json(zarray.get("fill_value"), 2)
    except MetadataError as exc:
        problems.add_error("fill_value", exc)
        return
    out["fill_value"] = fill
    out["fill_value_null"] = fill is None


@dataclass(frozen=True, eq=False)
class GroupMetadataV2(NodeMetadataBase):
    """A v2 group: ``.zgroup`` plus ``.zattrs``.

    Attributes
    ----------
    attributes : dict
    """

    attributes: dict[str, Any] = field(default_factory=dict)

    zarr_format: ClassVar[Literal[2]] = 2
    node_type: ClassVar[str] = "group"

    def __post_init__(self) -> None:
        problems = Problems()
        attributes = check_attributes(self.attributes, "attributes", problems)
        problems.raise_if_any("invalid group metadata")
        object.__setattr__(self, "attributes", attributes)

    def with_attributes(self, attributes: Mapping[str, Any]) -> GroupMetadataV2:
        """The same group with other attributes.

        Raises
        ------
        MetadataError
            If ``attributes`` is not a JSON object.
        """
        return GroupMetadataV2(dict(attributes))

    def to_json(self) -> dict[str, Any]:
        """The ``.zgroup`` document."""
        return {"zarr_format": 2}

    def to_documents(self) -> dict[str, bytes]:
        """``{".zgroup": bytes, ".zattrs": bytes}``."""
        return {".zgroup": dump_json(self.to_json()), ".zattrs": dump_json(self.attributes)}

    @classmethod
    def from_json(cls, zgroup: Any, zattrs: Any = None, *, key: str = ".zgroup") -> GroupMetadataV2:
        """Parse ``.zgroup`` (and ``.zattrs``).

        Raises
        ------
        MetadataError
            Listing every problem, naming ``key``.
        """
        problems = Problems(key)
        if not isinstance(zgroup, Mapping):
            problems.fail(f"the document must be a JSON object, got {type(zgroup).__name__}")
        if zgroup.get("zarr_format") != 2:
            problems.add("zarr_format", f"must be 2, got {zgroup.get('zarr_format')!r}")
        attributes = check_attributes(zattrs, "attributes (.zattrs)", problems)
        problems.raise_if_any("invalid group metadata")
        return cls(attributes)
