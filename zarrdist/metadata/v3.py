"""Zarr v3 metadata: the ``zarr.json`` of arrays and groups.

Spec: https://zarr-specs.readthedocs.io/en/latest/v3/core/index.html#metadata

Members are written in zarr-python 3.1.5's order, with ``storage_transformers``
always present (and required to be empty) and ``dimension_names`` only when set.
Unknown members are kept and written back when they are objects with
``"must_understand": false``; any other unknown member is an error.

>>> from zarrdist.metadata.v3 import ArrayMetadataV3
>>> meta = ArrayMetadataV3(shape=(10,), data_type="int16", chunk_shape=(5,))
>>> meta.chunk_key((1,)), meta.to_json()["codecs"]
('c/1', [{'name': 'bytes', 'configuration': {'endian': 'little'}}])
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar, Literal

import numpy as np

from zarrdist.chunking.grid import (
    ChunkGrid,
    ChunkKeyEncoding,
    DefaultChunkKeyEncoding,
    RectilinearChunkGrid,
    RegularChunkGrid,
    chunk_grid_from_json,
    chunk_key_encoding_from_json,
)
from zarrdist.codecs import (
    ArraySpec,
    BytesCodec,
    Codec,
    CodecChain,
    ShardingCodec,
    codec_from_json,
)
from zarrdist.dtype.datatypes import NATIVE_ENDIANNESS, DataType, parse_data_type
from zarrdist.errors import (
    CodecError,
    MetadataError,
    UnknownCodecError,
)
from zarrdist.metadata._common import (
    ArrayMetadataBase,
    Problems,
    check_attributes,
    check_shape,
    dump_json,
)

__all__ = [
    "ARRAY_KEYS",
    "ArrayMetadataV3",
    "check_extra_fields",
    "default_codecs",
    "default_serializer",
    "extra_fields_of",
    "parse_codecs",
]

#: Members of an array's zarr.json that zarrdist understands.
ARRAY_KEYS = (
    "shape",
    "data_type",
    "chunk_grid",
    "chunk_key_encoding",
    "fill_value",
    "codecs",
    "attributes",
    "dimension_names",
    "zarr_format",
    "node_type",
    "storage_transformers",
)
_REQUIRED = (*ARRAY_KEYS[:6], "zarr_format", "node_type")


def default_serializer(data_type: DataType) -> Codec:
    """The array->bytes codec a new array of ``data_type`` gets: ``vlen-utf8`` or
    ``vlen-bytes`` for variable-length types, else ``bytes`` (little-endian where the
    type has a byte order, as zarr-python chooses it).

    Raises
    ------
    ValueError
        If the type asks for an object codec that has no v3 serializer.
    """
    if data_type.is_variable_length:
        codec_id = data_type.object_codec_id or "vlen-utf8"
        if codec_id not in ("vlen-utf8", "vlen-bytes"):
            raise ValueError(
                f"Data type {data_type} requires an unknown object codec: {codec_id!r}."
            )
        return codec_from_json({"name": codec_id})
    return BytesCodec(endian="little" if data_type.endianness is not None else None)


def default_codecs(data_type: DataType) -> tuple[Codec, ...]:
    """The serializer alone (:func:`default_serializer`)."""
    return (default_serializer(data_type),)


def extra_fields_of(
    document: Mapping[str, Any], known: Sequence[str], problems: Problems
) -> dict[str, Any]:
    """Unknown members: kept if they say ``must_understand: false``, else a problem each."""
    extra: dict[str, Any] = {}
    for name in document:
        if name in known:
            continue
        value = document[name]
        if isinstance(value, Mapping) and value.get("must_understand") is False:
            extra[name] = value
        else:
            problems.add(
                name,
                'unknown member; extensions must be objects with "must_understand": false',
                "unknown",
            )
    return extra


def check_extra_fields(extra_fields: Mapping[str, Any], known: Sequence[str]) -> None:
    problems = Problems()
    for name, value in extra_fields.items():
        if name in known:
            problems.add(name, "collides with a member zarrdist writes itself", "unknown")
        elif not (isinstance(value, Mapping) and value.get("must_understand") is False):
            problems.add(name, 'extension members need "must_understand": false', "unknown")
    colliding = sorted(name for name in extra_fields if name in known)
    if colliding:  # zarr-python's words, which callers match
        problems.raise_if_any(
            f"Invalid extra fields. The following keys: {colliding} are invalid because they "
            "collide with keys reserved for use by the array metadata document."
        )
    problems.raise_if_any("invalid extra fields")


def _check_dimension_names(
    value: Any, ndim: int | None, problems: Problems
) -> tuple[str | None, ...] | None:
    if value is None:
        return None
    if not isinstance(value, list | tuple) or not all(
        v is None or isinstance(v, str) for v in value
    ):
        problems.add("dimension_names", "must be a list of strings or nulls", "type")
        return None
    if ndim is not None and len(value) != ndim:
        problems.add("dimension_names", f"has {len(value)} names for {ndim} dimensions")
    return tuple(value)


@dataclass(frozen=True, eq=False)
class ArrayMetadataV3(ArrayMetadataBase):
    """The ``zarr.json`` of a v3 array.

    Attributes
    ----------
    shape : tuple of int
    data_type : DataType
        Any dtype-like is accepted and parsed; byte order is native (it belongs
        to the ``bytes`` codec in v3).
    chunk_shape : tuple of int
        The regular grid's chunk shape: the shard shape of sharded arrays. With a
        rectilinear grid, one entry per axis: the int step, or a
        :class:`~zarrdist.chunking.VaryingAxis` (set from ``rectilinear``).
    codecs : tuple of Codec
        Codec objects or their JSON entries; empty means the data type's serializer
        alone. Array-dependent settings (``bytes`` endian, ``blosc`` typesize) are
        filled in as zarr-python does.
    fill_value : Any
        None means the data type's default.
    chunk_key_encoding : ChunkKeyEncoding
    attributes : dict
    dimension_names : tuple of (str or None), or None
    extra_fields : dict
        Extension members with ``"must_understand": false``, written back as found.
    rectilinear : RectilinearChunkGrid or None
        A rectilinear chunk grid (zarr-python 3.4's variable-size chunks); then
        ``chunk_shape`` is derived from it and may be passed as ``()``.
    """

    shape: tuple[int, ...]
    data_type: DataType
    chunk_shape: tuple[int, ...]
    codecs: tuple[Codec, ...] = ()
    fill_value: Any = None
    chunk_key_encoding: ChunkKeyEncoding = field(default_factory=DefaultChunkKeyEncoding)
    attributes: dict[str, Any] = field(default_factory=dict)
    dimension_names: tuple[str | None, ...] | None = None
    extra_fields: dict[str, Any] = field(default_factory=dict)
    rectilinear: RectilinearChunkGrid | None = None
    _chain: CodecChain = field(init=False, repr=False)

    zarr_format: ClassVar[Literal[3]] = 3
    node_type: ClassVar[str] = "array"

    def __init__(
        self,
        *,
        shape: Sequence[int],
        data_type: Any,
        chunk_shape: Sequence[Any] | None = None,
        codecs: Any = (),
        fill_value: Any = None,
        chunk_key_encoding: Any = None,
        attributes: Mapping[str, Any] | None = None,
        dimension_names: Sequence[str | None] | None = None,
        extra_fields: Mapping[str, Any] | None = None,
        rectilinear: RectilinearChunkGrid | None = None,
        chunk_grid: Any = None,
        storage_transformers: Sequence[Any] | None = None,
    ) -> None:
        """Keyword-only, as zarr-python's: ``chunk_grid`` (a grid object or its JSON
        entry) may stand for ``chunk_shape``/``rectilinear``; ``chunk_key_encoding``
        may be an encoding object or its JSON entry; ``storage_transformers`` must be
        empty, as in every array zarrdist (and zarr-python 3.1.5) reads."""
        if chunk_grid is not None:
            if chunk_shape is not None or rectilinear is not None:
                raise TypeError("give chunk_grid or chunk_shape/rectilinear, not both")
            chunk_shape, rectilinear = _grid_members(chunk_grid)
        if chunk_shape is None:
            raise TypeError("ArrayMetadataV3 needs chunk_grid or chunk_shape")
        if storage_transformers:
            raise MetadataError(
                f"storage transformers are not supported, got {list(storage_transformers)!r}"
            )
        if chunk_key_encoding is None:
            chunk_key_encoding = DefaultChunkKeyEncoding()
        elif not isinstance(chunk_key_encoding, ChunkKeyEncoding):
            chunk_key_encoding = chunk_key_encoding_from_json(chunk_key_encoding)
        for name, value in (
            ("shape", shape),
            ("data_type", data_type),
            ("chunk_shape", chunk_shape),
            ("codecs", codecs),
            ("fill_value", fill_value),
            ("chunk_key_encoding", chunk_key_encoding),
            ("attributes", {} if attributes is None else attributes),
            ("dimension_names", dimension_names),
            ("extra_fields", {} if extra_fields is None else extra_fields),
            ("rectilinear", rectilinear),
        ):
            object.__setattr__(self, name, value)
        self.__post_init__()

    @property
    def storage_transformers(self) -> tuple[Any, ...]:
        """Always ``()`` (zarr-python's attribute; zarrdist reads no transformers)."""
        return ()

    def __post_init__(self) -> None:
        problems = Problems()
        shape = check_shape(self.shape, "shape", problems, minimum=0)
        grid = self.rectilinear
        if grid is None:
            chunk_shape: tuple[Any, ...] = check_shape(
                self.chunk_shape, "chunk_grid.chunk_shape", problems, minimum=1
            )
            codec_shape = chunk_shape
        else:
            chunk_shape, codec_shape = grid.axes, grid.max_chunk_shape
            if not problems.items:
                for problem in grid.check_covers(shape):
                    problems.add(problem.loc, problem.message)
        if len(shape) != len(chunk_shape) and not problems.items:
            problems.add("chunk_grid", f"chunk shape {chunk_shape} does not match shape {shape}")
        attributes = check_attributes(self.attributes, "attributes", problems)
        names = _check_dimension_names(self.dimension_names, len(shape), problems)
        problems.raise_if_any("invalid array metadata")
        check_extra_fields(self.extra_fields, ARRAY_KEYS)
        data_type = parse_data_type(self.data_type, 3).with_endianness(NATIVE_ENDIANNESS)
        fill = (
            data_type.default_fill_value()
            if self.fill_value is None
            else data_type.cast_fill_value(self.fill_value)
        )
        if not isinstance(self.chunk_key_encoding, ChunkKeyEncoding):
            raise MetadataError(f"not a chunk key encoding: {self.chunk_key_encoding!r}")
        chain = _build_chain(self.codecs, data_type, codec_shape, fill)
        if grid is not None:
            _check_shards_divide(grid, chain)
        for name, value in (
            ("shape", shape),
            ("chunk_shape", chunk_shape),
            ("data_type", data_type),
            ("fill_value", fill),
            ("attributes", attributes),
            ("dimension_names", names),
            ("extra_fields", dict(self.extra_fields)),
            ("codecs", chain.codecs),
            ("_chain", chain),
        ):
            object.__setattr__(self, name, value)

    @property
    def codec_chain(self) -> CodecChain:
        """The validated, array-evolved codec chain of one storage unit."""
        return self._chain

    @property
    def chunk_grid(self) -> ChunkGrid:
        """The grid of storage units: rectilinear when the document says so."""
        if self.rectilinear is not None:
            return self.rectilinear
        return RegularChunkGrid(self.chunk_shape)

    @property
    def is_rectilinear(self) -> bool:
        """Whether the storage units have different sizes along some axis."""
        return self.rectilinear is not None

    @property
    def chunks(self) -> tuple[int, ...]:
        """zarr-python's ``chunks``: the inner chunk shape; refused for a rectilinear
        grid's varying chunks (use :attr:`read_chunk_sizes`), as zarr-python 3.4 does."""
        if self.rectilinear is not None and self.sharding_codec is None:
            raise NotImplementedError(
                "The `chunks` attribute is only defined for arrays using regular chunk grids. "
                "This array has a rectilinear chunk grid. Use `read_chunk_sizes` for general "
                "access."
            )
        return self.inner_chunk_shape

    @property
    def shards(self) -> tuple[int, ...] | None:
        """zarr-python's ``shards``; refused for rectilinear shards (use
        :attr:`write_chunk_sizes`)."""
        if self.rectilinear is not None and self.is_sharded:
            raise NotImplementedError(
                "The `shards` attribute is only defined for arrays using regular chunk grids. "
                "This array has a rectilinear chunk grid. Use `write_chunk_sizes` for general "
                "access."
            )
        return self.chunk_shape if self.is_sharded else None

    def with_shape(self, shape: Sequence[int]) -> ArrayMetadataV3:
        """The same metadata for another shape; a rectilinear axis that outgrows its
        edges gains one chunk covering the rest, as zarr-python 3.4 does."""
        new_shape = tuple(int(s) for s in shape)
        if self.rectilinear is None:
            return replace(self, shape=new_shape)
        return replace(self, shape=new_shape, rectilinear=self.rectilinear.resized(new_shape))

    @property
    def order(self) -> Literal["C", "F"]:
        """Always ``"C"``: v3 expresses other layouts with the ``transpose`` codec."""
        return "C"

    @property
    def is_sharded(self) -> bool:
        """Whether the array->bytes codec is ``sharding_indexed``."""
        return isinstance(self._chain.array_bytes, ShardingCodec)

    @property
    def sharding_codec(self) -> ShardingCodec | None:
        """The sharding codec, if the array is sharded."""
        codec = self._chain.array_bytes
        return codec if isinstance(codec, ShardingCodec) else None

    @property
    def inner_chunk_shape(self) -> tuple[int, ...]:
        """The sharding codec's chunk shape, when it sits alone at the array's level.

        With array->array codecs before it (``transpose``) the inner chunks live
        in the transformed space, so the shard stays the read/write granularity.
        """
        codec = self.sharding_codec
        if codec is None or self._chain.array_array:
            return self.chunk_shape
        return tuple(codec.chunk_shape)

    def to_json(self) -> dict[str, Any]:
        """The ``zarr.json`` document, members in zarr-python's order."""
        document: dict[str, Any] = {
            "shape": list(self.shape),
            "data_type": self.data_type.metadata_json(3),
            "chunk_grid": self.chunk_grid.to_json(),
            "chunk_key_encoding": self.chunk_key_encoding.to_json(),
            "fill_value": self.data_type.fill_value_to_json(self.fill_value, 3),
            "codecs": self._chain.to_json(),
            "attributes": self.attributes,
        }
        if self.dimension_names is not None:
            document["dimension_names"] = list(self.dimension_names)
        document.update(zarr_format=3, node_type="array", storage_transformers=[])
        document.update(self.extra_fields)
        return document

    def to_documents(self) -> dict[str, bytes]:
        """``{"zarr.json": bytes}``."""
        return {"zarr.json": dump_json(self.to_json())}

    @classmethod
    def from_json(cls, document: Any, *, key: str = "zarr.json") -> ArrayMetadataV3:
        """Parse and validate an array's ``zarr.json``, reporting every problem at once.

        Raises
        ------
        MetadataError
            Listing every problem found, naming ``key``.
        UnknownDataTypeError
            If ``data_type`` is unknown (a MetadataError, listing the rest too).
        UnknownCodecError
            If a codec is not installed, naming it and ``key``.
        """
        problems = Problems(key)
        if not isinstance(document, Mapping):
            problems.fail(f"the document must be a JSON object, got {type(document).__name__}")
        for name in _REQUIRED:
            if name not in document:
                problems.add(name, "required member is missing", "missing")
        if "zarr_format" in document and document["zarr_format"] != 3:
            problems.add("zarr_format", f"must be 3, got {document['zarr_format']!r}")
        if "node_type" in document and document["node_type"] != "array":
            problems.add("node_type", f"must be 'array', got {document['node_type']!r}")
        parsed = _parse_members(document, problems)
        parsed["extra_fields"] = extra_fields_of(document, ARRAY_KEYS, problems)
        transformers = document.get("storage_transformers") or []
        if transformers:
            problems.add(
                "storage_transformers",
                "storage transformers are not supported (zarrdist cannot read this array)",
                "unsupported",
            )
        extra = [p.loc for p in problems.items if p.kind == "unknown"]
        headline = (
            f"Got a Zarr V3 metadata document with disallowed extra fields: {extra}"
            if extra
            else "invalid array metadata"
        )
        unknown = parsed.pop("unknown_codec", None)
        if unknown is not None:
            name, loc = unknown
            detail = "".join(f"\n  - {p}" for p in problems.items)
            raise UnknownCodecError(f"unknown codec at {loc}{detail}", codec=name, key=key)
        problems.raise_if_any(headline)
        return cls(**parsed)


def parse_codecs(data: Any) -> tuple[Codec, ...]:
    """Codecs from codec objects, their JSON entries or names (one or a sequence), as
    zarr-python's ``parse_codecs`` takes them.

    Raises
    ------
    UnknownCodecError
        If a named codec is not installed.
    """
    items = (data,) if isinstance(data, Codec | Mapping | str) else tuple(data)
    return tuple(c if isinstance(c, Codec) else codec_from_json(c) for c in items)


def _grid_members(chunk_grid: Any) -> tuple[tuple[Any, ...], RectilinearChunkGrid | None]:
    """``(chunk_shape, rectilinear)`` for a chunk grid object or its JSON entry."""
    grid = chunk_grid
    if not isinstance(grid, ChunkGrid):
        to_dict = getattr(grid, "to_dict", None)  # another library's grid object
        grid = chunk_grid_from_json(to_dict() if callable(to_dict) else grid)
    if isinstance(grid, RectilinearChunkGrid):
        return (), grid
    return tuple(grid.chunk_shape), None


def _build_chain(
    codecs: Any, data_type: DataType, chunk_shape: tuple[int, ...], fill: Any
) -> CodecChain:
    """Codecs (objects, JSON entries or a chain) as a chain evolved for the array."""
    if isinstance(codecs, CodecChain):
        items: Sequence[Any] = codecs.codecs
    elif isinstance(codecs, Codec | Mapping | str):
        items = (codecs,)
    else:
        items = tuple(codecs or ())
    parsed = [c if isinstance(c, Codec) else codec_from_json(c) for c in items]
    if not parsed:
        parsed = list(default_codecs(data_type))
    spec = ArraySpec(shape=chunk_shape, dtype=data_type.to_native(), fill_value=fill)
    chain = CodecChain.from_codecs(parsed).evolve_from_array_spec(spec)
    return _struct_endian(chain, data_type)


def _struct_endian(chain: CodecChain, data_type: DataType) -> CodecChain:
    """The ``bytes`` codec of a ``struct`` array (zarr-python 3.4's type) with its
    endian, as 3.4 writes it; the older ``structured`` type keeps none (3.1.5)."""
    codec = chain.array_bytes
    multi_byte = data_type.to_native().itemsize > 1 and any(
        np.dtype(field[0]).itemsize > 1 for field in (data_type.to_native().fields or {}).values()
    )
    if (
        getattr(data_type, "name", None) != "struct"
        or not multi_byte
        or not isinstance(codec, BytesCodec)
        or codec.endian is not None
    ):
        return chain
    return CodecChain(chain.array_array, BytesCodec(endian="little"), chain.bytes_bytes)


def _check_shards_divide(grid: RectilinearChunkGrid, chain: CodecChain) -> None:
    """Every shard edge of a rectilinear grid must hold whole inner chunks."""
    codec = chain.array_bytes
    if not isinstance(codec, ShardingCodec):
        return
    for axis, (spec, inner) in enumerate(zip(grid.chunk_shapes, codec.chunk_shape, strict=True)):
        edges = (spec,) if isinstance(spec, int) else spec
        bad = sorted({e for e in edges if e % inner})
        if bad:
            raise MetadataError(
                f"shard edges {bad} along axis {axis} are not multiples of the inner chunk "
                f"length {inner}"
            )


def _parse_members(document: Mapping[str, Any], problems: Problems) -> dict[str, Any]:
    """Every member of an array document that can be parsed, recording problems."""
    out: dict[str, Any] = {}
    before = len(problems.items)
    out["shape"] = check_shape(document.get("shape", []), "shape", problems, minimum=0)
    shape_ok = len(problems.items) == before
    data_type: DataType | None = None
    if "data_type" in document:
        try:
            data_type = DataType.from_json(document["data_type"], 3)
        except MetadataError as exc:
            problems.add_error("data_type", exc)
    out["data_type"] = data_type
    if "chunk_grid" in document:
        try:
            grid = chunk_grid_from_json(document["chunk_grid"])
        except MetadataError as exc:
            problems.add_error("chunk_grid", exc)
        else:
            if isinstance(grid, RectilinearChunkGrid):
                out["rectilinear"] = grid
                out["chunk_shape"] = ()
                out["codec_shape"] = grid.max_chunk_shape
            else:
                out["chunk_shape"] = grid.chunk_shape
    chunk_shape = out.get("codec_shape", out.get("chunk_shape"))
    if shape_ok and chunk_shape is not None and len(chunk_shape) != len(out["shape"]):
        problems.add("chunk_grid", f"chunk shape {chunk_shape} does not match shape {out['shape']}")
    if "chunk_key_encoding" in document:
        try:
            out["chunk_key_encoding"] = chunk_key_encoding_from_json(document["chunk_key_encoding"])
        except MetadataError as exc:
            problems.add_error("chunk_key_encoding", exc)
    if data_type is not None and "fill_value" in document:
        try:
            out["fill_value"] = data_type.fill_value_from_json(document["fill_value"], 3)
        except MetadataError as exc:
            problems.add_error("fill_value", exc)
    out["attributes"] = check_attributes(document.get("attributes"), "attributes", problems)
    ndim = len(out["shape"]) if shape_ok else None
    out["dimension_names"] = _check_dimension_names(document.get("dimension_names"), ndim, problems)
    _parse_codecs(document.get("codecs"), out, problems)
    return out


def _parse_codecs(entries: Any, out: dict[str, Any], problems: Problems) -> None:
    if entries is None:
        return
    if not isinstance(entries, list) or not entries:
        problems.add("codecs", "must be a non-empty list of codecs", "type")
        return
    codecs = []
    for i, entry in enumerate(entries):
        try:
            # Codec objects too: zarr-python's from_dict takes them.
            codecs.append(entry if isinstance(entry, Codec) else codec_from_json(entry))
        except UnknownCodecError as exc:
            name = entry.get("name") if isinstance(entry, Mapping) else entry
            out.setdefault("unknown_codec", (exc.codec or str(name), f"codecs.{i}"))
        except CodecError as exc:
            problems.add_error(f"codecs.{i}", exc)
    data_type = out.get("data_type")
    chunk_shape = out.pop("codec_shape", out.get("chunk_shape"))
    if len(codecs) != len(entries) or data_type is None or chunk_shape is None:
        return
    try:
        fill = out.get("fill_value", data_type.default_fill_value())
        out["codecs"] = _build_chain(codecs, data_type, chunk_shape, fill).codecs
    except (CodecError, MetadataError) as exc:
        problems.add_error("codecs", exc)
