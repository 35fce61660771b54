"""The one exception hierarchy of zarrdist.

Every class also subclasses the builtin a caller already catches
(``FileNotFoundError``, ``ValueError``, ``PermissionError``, ...), so code written
against zarr-python keeps working. zarr-python's own names are here too
(``BoundsCheckError``, ``MetadataValidationError``, ``ZarrUserWarning``, ...), so an
``except zarr.errors.X`` clause or a warnings filter naming one still works under
``import zarrdist as zarr``.

Errors cross dask workers, so they must survive pickling. The rule that makes
that work: the only positional argument is the *finished* message; context is
keyword-only and stored as attributes. ``BaseException.__reduce__`` then rebuilds
the instance from ``args`` and restores ``__dict__``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = [
    "ArrayIndexError",
    "AttributeTypeError",
    "BaseZarrError",
    "BoundsCheckError",
    "ByteRangeError",
    "ChecksumError",
    "ChunkNotFoundError",
    "CodecError",
    "DecodeError",
    "FillValueError",
    "ZARR_PYTHON_BUILTINS",
    "ContainsArrayAndGroupError",
    "ContainsArrayError",
    "ContainsGroupError",
    "ContainsNodeError",
    "GraphError",
    "MemoryBudgetError",
    "MetadataError",
    "MetadataTypeError",
    "MetadataValidationError",
    "NegativeStepError",
    "NodeTypeValidationError",
    "NodeNotFoundError",
    "ArrayNotFoundError",
    "GroupNotFoundError",
    "Problem",
    "ReadOnlyStoreError",
    "SelectionError",
    "StoreError",
    "UnknownCodecError",
    "UnknownDataTypeError",
    "UnstableSpecificationWarning",
    "ValueShapeError",
    "VindexInvalidSelectionError",
    "ZarrDeprecationWarning",
    "ZarrFutureWarning",
    "ZarrRuntimeWarning",
    "ZarrUserWarning",
    "ZarrdistError",
]


def _context(**fields: Any) -> str:
    """Render ``(store='...', key='...')`` from the fields that are set."""
    parts = [f"{name}={value!r}" for name, value in fields.items() if value is not None]
    return f" ({', '.join(parts)})" if parts else ""


class ZarrdistError(Exception):
    """Base class of every error zarrdist raises on purpose."""


#: zarr-python's name for the base of its errors.
BaseZarrError = ZarrdistError


class StoreError(ZarrdistError):
    """A store could not do what was asked of it.

    Attributes
    ----------
    store : str or None
        The store, as a URL or a short description.
    key : str or None
        The store key involved.
    """

    def __init__(self, message: str, *, store: str | None = None, key: str | None = None):
        super().__init__(message + _context(store=store, key=key))
        self.store = store
        self.key = key

    def __reduce__(self) -> tuple[Any, ...]:
        # Rebuild from the finished message alone; attributes come back through __dict__.
        return (_rebuild, (type(self), self.args), self.__dict__)


class ReadOnlyStoreError(StoreError, PermissionError, ValueError):
    """A write was attempted on a store opened read-only (also a ValueError, as in
    zarr-python)."""


class ByteRangeError(StoreError, ValueError):
    """A byte-range request is invalid, or a key was refused (for example ``..``)."""


class ChunkNotFoundError(ZarrdistError, ValueError):
    """A chunk the read needs is not stored, and the array's ``read_missing_chunks``
    config is False (zarr-python 3.4's error; a ValueError there too)."""


class _NodeError(ZarrdistError):
    #: The message of zarr-python's positional form ``Error(store, path)``.
    _store_path_message = "{!r}: {!r}"

    def __init__(
        self, message: Any, *legacy: Any, store: str | None = None, path: str | None = None
    ):
        if len(legacy) == 1 and store is None and path is None:
            # zarr-python's (deprecated) positional form, still used: Error(store, path).
            store, path = message, legacy[0]
            super().__init__(self._store_path_message.format(store, path))
        elif legacy:
            raise TypeError(f"{type(self).__name__} takes a message, or a store and a path")
        else:
            super().__init__(message + _context(store=store, path=path))
        self.store = store
        self.path = path

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (type(self), self.args), self.__dict__)


class NodeNotFoundError(_NodeError, FileNotFoundError, ValueError):
    """No array or group exists at the path (also a ValueError, as in zarr-python)."""


class ArrayNotFoundError(NodeNotFoundError):
    """No array exists at the path."""

    _store_path_message = "No array found in store {!r} at path {!r}"


class GroupNotFoundError(NodeNotFoundError):
    """No group exists at the path."""

    _store_path_message = "No group found in store {!r} at path {!r}"


class ContainsNodeError(_NodeError, FileExistsError, ValueError):
    """A node already exists where one was to be created (also a ValueError, as in zarr-python)."""


class ContainsArrayError(ContainsNodeError):
    """An array already exists at the path."""

    _store_path_message = "An array exists in store {!r} at path {!r}."


class ContainsGroupError(ContainsNodeError):
    """A group already exists at the path."""

    _store_path_message = "A group exists in store {!r} at path {!r}."


class ContainsArrayAndGroupError(ContainsNodeError):
    """Both array and group metadata (``.zarray`` and ``.zgroup``) exist at one path,
    so what the node is cannot be told."""

    _store_path_message = (
        "Array and group metadata documents (.zarray and .zgroup) were both found in store "
        "{!r} at path {!r}. Only one of these files may be present in a given directory / "
        "prefix. Remove the .zarray file, or the .zgroup file, or both."
    )


@dataclass(frozen=True)
class Problem:
    """One problem found while validating a metadata document.

    Attributes
    ----------
    loc : str
        Where in the document, as a dotted path (``codecs.1.configuration.level``).
    message : str
        What is wrong.
    kind : str
        A short machine-readable category (``missing``, ``type``, ``value``, ...).
    """

    loc: str
    message: str
    kind: str = "value"

    def __str__(self) -> str:
        return f"{self.loc}: {self.message}" if self.loc else self.message


class MetadataError(ZarrdistError, ValueError):
    """A metadata document is missing, malformed, or describes something invalid.

    Attributes
    ----------
    key : str or None
        The store key of the document (``zarr.json``, ``a/b/.zarray``).
    store : str or None
        The store it was read from.
    problems : list of Problem
        Every problem found, not only the first.
    """

    def __init__(
        self,
        message: Any,
        *legacy: Any,
        key: str | None = None,
        store: str | None = None,
        problems: list[Problem] | tuple[Problem, ...] = (),
    ):
        if len(legacy) == 2:
            # zarr-python's (deprecated) positional form: Error(name, expected, got).
            message = "Invalid value for '{}'. Expected '{}'. Got '{}'.".format(message, *legacy)
        elif legacy:
            raise TypeError(f"{type(self).__name__} takes a message, or name, expected and got")
        detail = "".join(f"\n  - {p}" for p in problems)
        super().__init__(message + detail + _context(store=store, key=key))
        self.key = key
        self.store = store
        self.problems = list(problems)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (type(self), self.args), self.__dict__)


#: zarr-python's name for an invalid metadata document.
MetadataValidationError = MetadataError


class NodeTypeValidationError(MetadataError):
    """A metadata document's ``node_type`` is neither ``array`` nor ``group``."""


class AttributeTypeError(MetadataError, TypeError):
    """An attribute value is not JSON-serialisable (also a TypeError, which ``json``
    and zarr-python raise for it)."""


class MetadataTypeError(MetadataError, TypeError):
    """A metadata member whose JSON type is wrong (an entry of consolidated metadata that
    is not an object...); also a TypeError, which zarr-python raises for it."""


class FillValueError(MetadataError, TypeError):
    """A fill value its data type cannot hold, in metadata or given by the caller (also
    a TypeError, which zarr-python raises for it)."""


class UnknownDataTypeError(MetadataError):
    """A data type is not known to zarrdist."""


class CodecError(ZarrdistError, ValueError):
    """A codec failed to encode or decode, or is misconfigured (also a ValueError,
    which zarr-python raises for a misconfigured codec or chunk layout).

    Attributes
    ----------
    codec : str or None
        The codec's name (``zstd``, ``numcodecs.blosc``, ``sharding_indexed``).
    key : str or None
        The store key of the chunk or shard being processed.
    store : str or None
        The store it came from.
    """

    def __init__(
        self,
        message: str,
        *,
        codec: str | None = None,
        key: str | None = None,
        store: str | None = None,
    ):
        super().__init__(message + _context(codec=codec, store=store, key=key))
        self.codec = codec
        self.key = key
        self.store = store

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (type(self), self.args), self.__dict__)


class DecodeError(OSError, CodecError, RuntimeError):
    """A stored chunk could not be decoded (corrupt or truncated bytes). Also the
    RuntimeError zarr-python's zstd and blosc codecs raise and the OSError its gzip
    codec raises (``BadGzipFile``), so either ``except`` clause catches it.

    OSError comes first: it is the one base with its own instance layout, so its
    ``__new__`` must be the one that builds the instance.
    """

    __init__ = CodecError.__init__

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (type(self), self.args), self.__dict__)


class UnknownCodecError(CodecError, ValueError):
    """A codec named in metadata is not installed or not allowed."""


class ChecksumError(CodecError, ValueError):
    """A checksum (crc32c, zstd content checksum) did not match."""


class SelectionError(ZarrdistError, IndexError):
    """A selection is invalid for the array it indexes."""


class BoundsCheckError(SelectionError):
    """An index (of an element or of a block) lies outside the array."""


class VindexInvalidSelectionError(SelectionError):
    """A selection that is neither a coordinate nor a mask selection was given to
    ``vindex`` or a coordinate selection."""


class ArrayIndexError(SelectionError):
    """An index array where only integers and slices can go (a block selection)."""


class NegativeStepError(SelectionError):
    """zarr-python's error for a slice with a negative step.

    zarrdist reads and writes negative steps as NumPy does and never raises it; it
    is defined so that code catching it runs unchanged.
    """


class ValueShapeError(SelectionError, ValueError):
    """A value to write does not broadcast to the selection's shape.

    Also a ``ValueError``, which is what NumPy raises for the same mistake.
    """


class GraphError(ZarrdistError, ValueError):
    """A task graph is malformed: overlapping write units, misaligned regions."""


class MemoryBudgetError(MemoryError, ZarrdistError):
    """A task would need more memory than ``graph.max_task_bytes`` allows.

    Attributes
    ----------
    projected : int or None
        Projected bytes of the largest task.
    allowed : int or None
        The configured limit.
    """

    def __init__(self, message: str, *, projected: int | None = None, allowed: int | None = None):
        super().__init__(message + _context(projected=projected, allowed=allowed))
        self.projected = projected
        self.allowed = allowed

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (type(self), self.args), self.__dict__)


class ZarrFutureWarning(FutureWarning):
    """A feature users rely on will change."""


class UnstableSpecificationWarning(ZarrFutureWarning):
    """A feature lies outside the Zarr specification, so other readers may not
    understand it."""


class ZarrDeprecationWarning(DeprecationWarning):
    """A feature will be removed."""


class ZarrUserWarning(UserWarning):
    """Something in the caller's input is probably not what was meant."""


class ZarrRuntimeWarning(RuntimeWarning):
    """Dubious behaviour at run time: an argument accepted but not used."""


def _rebuild(cls: type[BaseException], args: tuple[Any, ...]) -> BaseException:
    """Recreate an error from its finished message without re-running ``__init__``."""
    error = cls.__new__(cls, *args)
    error.args = args
    return error


#: Each zarrdist error with the builtins zarr-python 3.1.5 raises in the same situation
#: (an ``except`` clause written for zarr-python catches zarrdist's error), and that
#: situation. tests/test_errors_table.py checks every row, against zarr-python where
#: the situation can be reproduced.
ZARR_PYTHON_BUILTINS: dict[type[BaseException], tuple[tuple[type[BaseException], ...], str]] = {
    DecodeError: ((RuntimeError, OSError, ValueError), "a corrupt or truncated chunk"),
    ChecksumError: ((ValueError,), "a crc32c checksum that does not match"),
    CodecError: ((ValueError,), "a misconfigured codec or chunk layout (shards/chunks)"),
    UnknownCodecError: ((ValueError,), "a codec name nobody registered"),
    MetadataError: ((ValueError,), "a malformed metadata document"),
    UnknownDataTypeError: ((ValueError,), "a data type zarr does not know"),
    AttributeTypeError: ((TypeError,), "an attribute that is not JSON"),
    FillValueError: ((TypeError,), "a fill value the data type cannot hold"),
    MetadataTypeError: ((TypeError,), "a consolidated metadata entry that is not an object"),
    BoundsCheckError: ((IndexError,), "an index outside the array"),
    NegativeStepError: ((IndexError,), "a slice with a negative step"),
    VindexInvalidSelectionError: ((IndexError,), "a vindex selection of neither kind"),
    ArrayIndexError: ((IndexError,), "an index array in a block selection"),
    ValueShapeError: ((ValueError,), "a value that does not broadcast to the selection"),
    ReadOnlyStoreError: ((ValueError, PermissionError), "a write to a read-only store"),
    ArrayNotFoundError: ((FileNotFoundError, ValueError), "opening a missing array"),
    GroupNotFoundError: ((FileNotFoundError, ValueError), "opening a missing group"),
    ContainsArrayError: ((FileExistsError, ValueError), "creating over an array"),
    ContainsGroupError: ((FileExistsError, ValueError), "creating over a group"),
    ByteRangeError: ((ValueError,), "an invalid byte range or key"),
    MemoryBudgetError: ((MemoryError,), "a task over graph.max_task_bytes"),
}
