"""zarr-python's ``zarr.storage._utils`` path: path helpers (re-exports) and the
``(start, stop)`` slice bounds of a byte request."""

from __future__ import annotations

from typing import Any

from zarrdist.stores import OffsetByteRequest, RangeByteRequest, SuffixByteRequest
from zarrdist.stores.node_paths import join_paths as _join_paths
from zarrdist.stores.node_paths import normalize_path
from zarrdist.stores.node_paths import normalize_path_keys as _normalize_path_keys
from zarrdist.stores.node_paths import normalize_paths as _normalize_paths
from zarrdist.stores.node_paths import relative_path as _relativize_path

__all__ = [
    "_join_paths",
    "_normalize_byte_range_index",
    "_normalize_path_keys",
    "_normalize_paths",
    "_relativize_path",
    "normalize_path",
]


def _normalize_byte_range_index(data: Any, byte_range: Any) -> tuple[int, int]:
    """``(start, stop)`` such that ``data[start:stop]`` is what ``byte_range`` asks for.

    Raises
    ------
    ValueError
        If ``byte_range`` is not a byte request.
    """
    size = len(data)
    if byte_range is None:
        return 0, size + 1
    if isinstance(byte_range, RangeByteRequest):
        return byte_range.start, byte_range.end
    if isinstance(byte_range, OffsetByteRequest):
        return byte_range.offset, size + 1
    if isinstance(byte_range, SuffixByteRequest):
        return size - byte_range.suffix, size + 1
    raise ValueError(f"Unexpected byte_range, got {byte_range}.")
