"""What v2 and v3 metadata share: JSON reading and writing, problem collection,
and the array interface the chunk-I/O layer relies on.

Documents are written exactly as zarr-python 3.1.5 writes them:
``json.dumps(doc, indent=2, allow_nan=True)`` (ASCII-escaped), UTF-8 encoded, no
trailing newline. Equal metadata therefore gives equal bytes.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, ClassVar, Literal, NoReturn, Self

from zarrdist.chunking.grid import as_int
from zarrdist.chunkio.buffers import NDBufferPrototype, cpu_prototype
from zarrdist.codecs._base import json_lists, json_tuples
from zarrdist.config import config
from zarrdist.errors import FillValueError, MetadataError, Problem, UnknownDataTypeError

if TYPE_CHECKING:
    from zarrdist.chunking.grid import ChunkGrid, ChunkKeyEncoding
    from zarrdist.codecs import ArraySpec, CodecChain
    from zarrdist.dtype.datatypes import DataType

__all__ = [
    "ArrayMetadataBase",
    "NodeMetadataBase",
    "Problems",
    "check_attributes",
    "check_shape",
    "dump_json",
    "load_json",
]


_CONFIGURED: Any = object()


def dump_json(document: Any, *, indent: int | None = _CONFIGURED) -> bytes:
    """``document`` as zarr-python writes it: indented by config ``json_indent`` (2)
    unless ``indent`` is given (``None``: one line, as ``.zmetadata`` is)."""
    if indent is _CONFIGURED:
        indent = config.get("json_indent")
    return json.dumps(document, indent=indent, allow_nan=True).encode("utf-8")


def load_json(raw: bytes | bytearray | memoryview | str, key: str) -> Any:
    """Parse a stored JSON document.

    Raises
    ------
    MetadataError
        Naming ``key``, if the bytes are not UTF-8 JSON, are nested too deeply, or are
        larger than the config's ``metadata.max_document_bytes``.
    """
    limit = config.get("metadata.max_document_bytes")
    size = len(raw) if isinstance(raw, str) else memoryview(raw).nbytes
    if limit is not None and size > int(limit):
        raise MetadataError(
            f"the document is {size:,} bytes, over the limit of {int(limit):,} "
            "(config key metadata.max_document_bytes; raise it to read this store)",
            key=key,
        )
    try:
        text = raw if isinstance(raw, str) else bytes(raw).decode("utf-8")
        return json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MetadataError(f"not a valid JSON document: {exc}", key=key) from exc
    except RecursionError:
        raise MetadataError("the JSON document is nested too deeply to parse", key=key) from None


def load_json_object(raw: bytes | bytearray | memoryview | str, key: str) -> dict[str, Any]:
    """Parse a stored JSON document that must be an object.

    Raises
    ------
    MetadataError
        Naming ``key``, if it is not JSON or not a JSON object.
    """
    document = load_json(raw, key)
    if not isinstance(document, dict):
        kind = type(document).__name__
        raise MetadataError(f"the document must be a JSON object, got a JSON {kind}", key=key)
    return document


@dataclass
class Problems:
    """Collects every problem of one document, then raises them together."""

    key: str | None = None
    items: list[Problem] = field(default_factory=list)
    unknown_data_type: bool = False
    bad_fill_value: bool = False

    def add(self, loc: str, message: str, kind: str = "value") -> None:
        """Record a problem at ``loc``."""
        self.items.append(Problem(loc, message, kind))

    def add_error(self, loc: str, error: Exception, kind: str = "value") -> None:
        """Record an exception's message as a problem at ``loc``."""
        if isinstance(error, UnknownDataTypeError):
            self.unknown_data_type = True
            kind = "data_type"
        self.bad_fill_value |= isinstance(error, FillValueError)
        message = str(error.args[0]) if error.args else str(error)
        if isinstance(error, MetadataError) and error.problems:
            for p in error.problems:
                self.items.append(Problem(_join(loc, p.loc), p.message, p.kind))
            return
        self.items.append(Problem(loc, message.split("\n")[0], kind))

    def extend(self, loc: str, problems: Sequence[Problem]) -> None:
        """Record problems found inside ``loc``."""
        self.items.extend(Problem(_join(loc, p.loc), p.message, p.kind) for p in problems)

    def raise_if_any(self, message: str) -> None:
        """Raise one MetadataError (UnknownDataTypeError for bad data types) listing all."""
        if self.items:
            self.fail(message)

    def fail(self, message: str) -> NoReturn:
        """Raise now with everything collected."""
        cls: type[MetadataError] = MetadataError
        if self.unknown_data_type:
            cls = UnknownDataTypeError
        elif self.bad_fill_value:
            cls = FillValueError  # also a TypeError, as zarr-python raises for a bad fill
        raise cls(message, key=self.key, problems=self.items)


def _join(prefix: str, loc: str) -> str:
    return f"{prefix}.{loc}" if prefix and loc else prefix or loc


def check_shape(value: Any, loc: str, problems: Problems, *, minimum: int) -> tuple[int, ...]:
    """``value`` as a shape, recording a problem (and returning ``()``) if it is not one."""
    ints = [as_int(v) for v in value] if isinstance(value, list | tuple) else [None]
    if any(n is None or n < minimum for n in ints):
        problems.add(loc, f"must be a list of integers >= {minimum}, got {value!r}", "type")
        return ()
    return tuple(n for n in ints if n is not None)


def check_attributes(value: Any, loc: str, problems: Problems) -> dict[str, Any]:
    """``value`` as an attributes object (string keys, JSON-serialisable)."""
    if value is None:
        return {}
    if not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value):
        problems.add(loc, f"must be a JSON object, got {type(value).__name__}", "type")
        return {}
    try:
        json.dumps(value, allow_nan=True)
    except (TypeError, ValueError) as exc:
        problems.add(loc, f"not JSON-serialisable: {exc}", "type")
        return {}
    return dict(value)


class NodeMetadataBase:
    """Equality and hashing by canonical JSON (so fill values compare by bytes)."""

    zarr_format: ClassVar[Literal[2, 3]]

    def to_json(self) -> dict[str, Any]:
        """The main metadata document (``zarr.json``, ``.zarray`` or ``.zgroup``)."""
        raise NotImplementedError

    def to_documents(self) -> dict[str, bytes]:
        """Relative store key -> document bytes, exactly as zarr-python writes them."""
        raise NotImplementedError

    def to_buffer_dict(self, prototype: Any) -> dict[str, Any]:
        """:meth:`to_documents` as zarr-python's ``to_buffer_dict`` gives them: each
        document's bytes in a buffer of ``prototype`` (``prototype.buffer.from_bytes``)."""
        return {k: prototype.buffer.from_bytes(v) for k, v in self.to_documents().items()}

    def to_dict(self) -> dict[str, Any]:
        """The metadata as zarr-python's ``to_dict`` gives it: the main document with
        the attributes, JSON arrays as tuples (the attributes as they are)."""
        document = self.to_json()
        doc = {k: json_tuples(v) for k, v in document.items() if k != "attributes"}
        doc["attributes"] = dict(getattr(self, "attributes", {}))
        if self.zarr_format == 2 and "shape" not in doc:
            doc["node_type"] = "group"  # zarr-python's v2 group dict says so
        if self.zarr_format == 2 and doc.get("filters") is not None:
            doc["filters"] = document["filters"]  # zarr-python keeps v2 filters a list
        return doc

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Any:
        """Metadata from zarr-python's ``to_dict`` form (or the JSON document)."""
        doc = json_lists(dict(data))
        attributes = doc.pop("attributes", None) or {}
        if cls.zarr_format == 2:
            doc.pop("node_type", None)
            return cls.from_json(doc, attributes)  # type: ignore[attr-defined]
        return cls.from_json({**doc, "attributes": attributes})  # type: ignore[attr-defined]

    def _identity(self) -> str:
        docs = {k: json.loads(v) for k, v in self.to_documents().items()}
        return json.dumps(docs, sort_keys=True, allow_nan=True)

    def __eq__(self, other: object) -> bool:
        if type(self) is not type(other):
            return NotImplemented
        assert isinstance(other, NodeMetadataBase)
        return self._identity() == other._identity()

    def __hash__(self) -> int:
        return hash((type(self).__name__, self._identity()))

    def __dask_tokenize__(self) -> tuple[str, str]:
        # Graph keys name the metadata by its documents: deterministic across processes.
        return (type(self).__name__, self._identity())


class ArrayMetadataBase(NodeMetadataBase):
    """The array interface both formats implement (the chunk-I/O layer relies on it)."""

    shape: tuple[int, ...]
    data_type: DataType
    chunk_shape: tuple[int, ...]
    fill_value: Any
    attributes: dict[str, Any]

    if TYPE_CHECKING:
        # Each format provides these as fields or properties; declaring them as
        # properties here (for type checkers only) keeps dataclass fields working.
        @property
        def order(self) -> Literal["C", "F"]:
            """Memory order of decoded chunks."""

        @property
        def chunk_key_encoding(self) -> ChunkKeyEncoding:
            """How storage-unit coordinates become store keys."""

        @property
        def dimension_names(self) -> tuple[str | None, ...] | None:
            """Dimension names (v3), or None."""

    @property
    def codec_chain(self) -> CodecChain:
        """The codec chain that encodes one storage unit."""
        raise NotImplementedError

    @property
    def ndim(self) -> int:
        """Number of dimensions."""
        return len(self.shape)

    @property
    def size(self) -> int:
        """Number of elements."""
        return math.prod(self.shape)

    @property
    def dtype(self) -> Any:
        """NumPy dtype of decoded data (v3: native byte order; v2: as stored)."""
        return self.data_type.to_native()

    @property
    def chunk_grid(self) -> ChunkGrid:
        """The grid of storage units (shards, or chunks)."""
        from zarrdist.chunking.grid import RegularChunkGrid

        return RegularChunkGrid(self.chunk_shape)

    @property
    def is_rectilinear(self) -> bool:
        """Whether storage units differ in size along some axis (v3 rectilinear grids)."""
        return False

    @property
    def grid_shape(self) -> tuple[int, ...]:
        """Storage units per dimension."""
        return self.chunk_grid.grid_shape(self.shape)

    @property
    def nchunks(self) -> int:
        """Number of storage units (shards, or chunks) in the grid."""
        return math.prod(self.grid_shape)

    @property
    def is_sharded(self) -> bool:
        """Whether the array->bytes codec is ``sharding_indexed``."""
        return False

    @property
    def inner_chunk_shape(self) -> tuple[int, ...]:
        """Read/write granularity: the sharding codec's chunk shape, else ``chunk_shape``."""
        return self.chunk_shape

    @property
    def chunks(self) -> tuple[int, ...]:
        """zarr-python's ``Array.chunks``: the inner chunk shape."""
        return self.inner_chunk_shape

    @property
    def shards(self) -> tuple[int, ...] | None:
        """zarr-python's ``Array.shards``: the shard shape, or None."""
        return self.chunk_shape if self.is_sharded else None

    @property
    def write_chunk_sizes(self) -> tuple[tuple[int, ...], ...]:
        """Per axis, the data length of each storage unit (clipped to the array)."""
        return self.chunk_grid.chunk_sizes(self.shape)

    @property
    def read_chunk_sizes(self) -> tuple[tuple[int, ...], ...]:
        """Per axis, the data length of each read chunk (inner chunks of a shard)."""
        from zarrdist.chunking.grid import RegularChunkGrid

        inner = self.inner_chunk_shape
        if all(type(c) is int for c in inner):
            return RegularChunkGrid(inner).chunk_sizes(self.shape)
        return self.chunk_grid.chunk_sizes(self.shape)

    def chunk_key(self, coords: Sequence[int]) -> str:
        """Store key (relative to the array) of the storage unit at ``coords``."""
        return self.chunk_key_encoding.encode_chunk_key(tuple(coords))

    def encode_chunk_key(self, chunk_coords: Sequence[int]) -> str:
        """:meth:`chunk_key` under zarr-python's name for it."""
        return self.chunk_key(chunk_coords)

    def chunk_spec(
        self, prototype: NDBufferPrototype = cpu_prototype, coords: Sequence[int] | None = None
    ) -> ArraySpec:
        """The codec spec of one storage unit (shape ``chunk_shape``).

        On a rectilinear grid units differ: ``coords`` picks one (without it, the
        largest unit's shape, a bound).
        """
        from zarrdist.codecs import ArraySpec

        if not self.is_rectilinear:
            # Every unit of a regular grid has the chunk shape, validated when the
            # metadata was made: a point read asks for this spec, so no grid object
            # is built and checked again here.
            shape = tuple(self.chunk_shape)
        elif coords is not None:
            shape = self.chunk_grid.chunk_shape_at(coords)
        else:
            shape = self.chunk_grid.max_chunk_shape
        return ArraySpec(
            shape=shape,
            dtype=self.dtype,
            fill_value=self.fill_value,
            order=self.order,
            prototype=prototype,
        )

    def with_shape(self, shape: Sequence[int]) -> Self:
        """The same metadata for an array of another shape (resize)."""
        return replace(self, shape=tuple(int(s) for s in shape))  # type: ignore[type-var]

    def with_attributes(self, attributes: Mapping[str, Any]) -> Self:
        """The same metadata with other attributes.

        Raises
        ------
        MetadataError
            If ``attributes`` is not a JSON object; nothing changes then.
        """
        problems = Problems()
        checked = check_attributes(attributes, "attributes", problems)
        problems.raise_if_any("invalid attributes")
        return replace(self, attributes=checked)  # type: ignore[type-var]
