"""Graphs: lowering of array operations to dask task graphs."""

from __future__ import annotations

__all__: list[str] = []
