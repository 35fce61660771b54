"""Text and HTML descriptions of an Array (``info``, ``info_complete()``, Jupyter)."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from zarrdist.api.arrays.array import Array

__all__ = ["html_repr", "human_readable_size", "info_items", "info_text", "n_human"]


def _codec_names(codecs: Any) -> str:
    names = []
    for codec in codecs:
        if isinstance(codec, dict):
            names.append(str(codec.get("id", codec)))
        else:
            names.append(type(codec).__name__)
    return ", ".join(names) or "-"


def info_items(array: Array, *, complete: bool) -> list[tuple[str, str]]:
    """(label, value) rows describing ``array``; ``complete`` adds stored sizes."""
    rows = [
        ("Type", "Array"),
        ("Zarr format", str(array.zarr_format)),
        ("Data type", str(array.dtype)),
        ("Fill value", repr(array.fill_value)),
        ("Shape", str(array.shape)),
    ]
    meta = array.metadata
    # A rectilinear grid has no one chunk (or shard) shape: "<variable>", as zarr-python 3.4.
    varying = getattr(meta, "is_rectilinear", False)
    sharded = getattr(meta, "is_sharded", False)
    rows.append(("Chunk shape", "<variable>" if varying and not sharded else str(array.chunks)))
    if sharded:
        rows.append(("Shard shape", "<variable>" if varying else str(array.shards)))
    rows += [
        ("Order", array.order),
        ("Read-only", str(array.read_only)),
        ("Store", array.store.url),
        ("Filters", _codec_names(array.filters)),
        ("Serializer", type(array.serializer).__name__ if array.serializer else "-"),
        ("Compressors", _codec_names(array.compressors)),
        ("No. bytes", _size(array.nbytes)),
    ]
    if complete:
        stored = array.nbytes_stored
        rows += [
            ("No. bytes stored", _size(stored)),
            ("Storage ratio", f"{array.nbytes / stored:.1f}" if stored else "-"),
            ("Chunks initialized", f"{array.nchunks_initialized}/{array.nchunks}"),
        ]
    return rows


def _size(n: int) -> str:
    return f"{n}" if n < 1024 else f"{n} ({n_human(n)})"


def info_text(array: Array, *, complete: bool) -> str:
    """The aligned text table of :func:`info_items`."""
    rows = info_items(array, complete=complete)
    width = max(len(label) for label, _ in rows)
    return "\n".join(f"{label:<{width}} : {value}" for label, value in rows)


def html_repr(array: Array) -> str:
    """An HTML table for Jupyter."""
    body = "".join(
        f"<tr><th style='text-align:left'>{html.escape(label)}</th>"
        f"<td style='text-align:left'>{html.escape(value)}</td></tr>"
        for label, value in info_items(array, complete=False)
    )
    title = html.escape(f"zarrdist.Array {array.name}")
    return f"<div><strong>{title}</strong><table>{body}</table></div>"


def human_readable_size(n: int) -> str:
    """A byte count as zarr-python's ``info`` shows it: plain below 1 KiB, else ``1.5M``."""
    return str(n) if n < 1024 else n_human(n)


def n_human(n: float) -> str:
    """A byte count with a binary unit (``1.5M``)."""
    for unit in ("", "K", "M", "G", "T"):
        if abs(n) < 1024:
            return f"{n:.1f}{unit}"
        n /= 1024
    return f"{n:.1f}P"
