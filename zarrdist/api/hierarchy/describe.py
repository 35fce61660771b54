"""How a Group describes itself: ``tree()``, ``info``, ``info_complete()`` and HTML.

``tree()`` draws with rich when it is installed (as zarr-python does) and with the
same box-drawing characters in plain text when it is not, so it always works.
"""

from __future__ import annotations

import html
import io
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from zarrdist.metadata import NodeMetadata

__all__ = ["GroupInfo", "TreeRepr", "build_tree", "group_html"]


@dataclass(frozen=True)
class GroupInfo:
    """Summary of a group, printed as zarr-python prints ``Group.info``.

    The fields carry zarr-python's names (``GroupInfo(_name=..., _zarr_format=...)``).
    """

    _name: str
    _zarr_format: int
    _read_only: bool
    _store_type: str
    _count_members: int | None = None
    _count_arrays: int | None = None
    _count_groups: int | None = None
    _type: str = "Group"

    def rows(self) -> list[tuple[str, str]]:
        """(label, value) pairs, in display order."""
        rows = [
            ("Name", self._name),
            ("Type", self._type),
            ("Zarr format", str(self._zarr_format)),
            ("Read-only", str(self._read_only)),
            ("Store type", self._store_type),
        ]
        for label, value in (
            ("No. members", self._count_members),
            ("No. arrays", self._count_arrays),
            ("No. groups", self._count_groups),
        ):
            if value is not None:
                rows.append((label, str(value)))
        return rows

    def __repr__(self) -> str:
        return "\n".join(f"{label:<11} : {value}" for label, value in self.rows())

    __str__ = __repr__


class TreeRepr:
    """A hierarchy drawn as a tree; ``repr()`` gives the text (rich's, if installed)."""

    def __init__(self, text: str, rich_tree: Any = None) -> None:
        self._text = text
        self._tree = rich_tree

    def __repr__(self) -> str:
        if self._tree is None:
            return self._text
        import rich
        import rich.console

        color_system = os.environ.get("OVERRIDE_COLOR_SYSTEM", rich.get_console().color_system)
        console = rich.console.Console(file=io.StringIO(), color_system=color_system)
        console.print(self._tree)
        return str(console.file.getvalue())

    __str__ = __repr__

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None, **kwargs: Any) -> Any:
        if self._tree is not None:
            return self._tree._repr_mimebundle_(include=include, exclude=exclude, **kwargs)
        return {"text/plain": self._text}


def _label(name: str, metadata: NodeMetadata) -> str:
    if getattr(metadata, "node_type", "group") == "group" and not hasattr(metadata, "shape"):
        return name
    return f"{name} {tuple(metadata.shape)} {metadata.dtype}"  # type: ignore[union-attr]


def build_tree(root_name: str, members: Sequence[tuple[str, NodeMetadata]]) -> TreeRepr:
    """A tree of ``members`` (path relative to the root, metadata), sorted by path."""
    ordered = sorted(members, key=lambda item: item[0])
    children: dict[str, list[tuple[str, NodeMetadata]]] = {}
    for path, metadata in ordered:
        parent = path.rpartition("/")[0]
        children.setdefault(parent, []).append((path, metadata))
    lines = [root_name]

    def draw(parent: str, indent: str) -> None:
        items = children.get(parent, [])
        for i, (path, metadata) in enumerate(items):
            last = i == len(items) - 1
            lines.append(
                indent + ("└── " if last else "├── ") + _label(path.rpartition("/")[2], metadata)
            )
            draw(path, indent + ("    " if last else "│   "))

    draw("", "")
    return TreeRepr("\n".join(lines) + "\n", _rich_tree(root_name, ordered))


def _rich_tree(root_name: str, ordered: Sequence[tuple[str, NodeMetadata]]) -> Any:
    try:
        import rich.tree
    except ImportError:
        return None
    tree = rich.tree.Tree(label=f"[bold]{root_name}[/bold]")
    nodes = {"": tree}
    for path, metadata in ordered:
        parent = nodes[path.rpartition("/")[0]]
        name = path.rpartition("/")[2]
        label = _label(f"[bold]{name}[/bold]", metadata)
        nodes[path] = parent.add(label)
    return tree


def group_html(title: str, info: GroupInfo, members: Sequence[tuple[str, str]]) -> str:
    """An HTML table describing a group and its immediate members, for Jupyter."""
    rows = "".join(
        f"<tr><th style='text-align:left'>{html.escape(label)}</th>"
        f"<td style='text-align:left'>{html.escape(value)}</td></tr>"
        for label, value in info.rows()
    )
    items = "".join(
        f"<li>{html.escape(name)} <em>{html.escape(kind)}</em></li>" for name, kind in members
    )
    listing = f"<ul>{items}</ul>" if items else ""
    return f"<div><strong>{html.escape(title)}</strong><table>{rows}</table>{listing}</div>"
