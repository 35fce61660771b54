"""``ArrayConfig``: the runtime settings of one Array view (zarr-python's
``zarr.core.array.ArrayConfig``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from zarrdist.config import config

__all__ = ["ArrayConfig"]


@dataclass(frozen=True)
class ArrayConfig:
    """Runtime settings of one Array view (not stored in metadata).

    Attributes
    ----------
    order : {"C", "F"}
        Memory order of arrays returned by reads.
    write_empty_chunks : bool
        Store units whose every element equals the fill value.
    read_missing_chunks : bool
        Read a chunk that is not stored as the fill value; False raises
        :class:`~zarrdist.errors.ChunkNotFoundError` (zarr-python 3.4).
    """

    order: Literal["C", "F"]
    write_empty_chunks: bool
    read_missing_chunks: bool = True

    @classmethod
    def resolve(
        cls, given: Mapping[str, Any] | ArrayConfig | None = None, *, order: str | None = None
    ) -> ArrayConfig:
        """Settings from ``given``, falling back to ``order`` (a v2 array's stored order,
        which zarr-python reads into) and then to the global config."""
        if isinstance(given, ArrayConfig):
            return given
        given = dict(given or {})
        unknown = set(given) - {"order", "write_empty_chunks", "read_missing_chunks"}
        if unknown:
            raise ValueError(f"unknown array config keys {sorted(unknown)}")
        return cls(
            order=given.get("order", order or config.get("array.order")),
            write_empty_chunks=bool(
                given.get("write_empty_chunks", config.get("array.write_empty_chunks"))
            ),
            read_missing_chunks=bool(
                given.get("read_missing_chunks", config.get("array.read_missing_chunks"))
            ),
        )
