"""Graphs: lowering of array operations to dask task graphs (installed as ``zarrdist.graphs``)."""

from __future__ import annotations

if __name__ != "zarrdist.graphs":  # pragma: no cover - guards the package-dir mapping
    raise ImportError("import zarrdist.graphs, not the top-level 'graphs' folder")

__all__: list[str] = []
