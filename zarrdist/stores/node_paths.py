"""Node paths as zarr-python spells them: ``normalize_path`` and its helpers.

A node path is ``/``-separated with no leading, trailing or doubled slashes; a
backslash counts as a slash (a Windows path), and ``.``/``..`` segments are refused
because a node path never leaves its store's root.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import PurePath
from typing import Any, TypeVar

__all__ = [
    "join_paths",
    "normalize_path",
    "normalize_path_keys",
    "normalize_paths",
    "relative_path",
]

T = TypeVar("T")


def normalize_path(path: str | bytes | PurePath | Any | None) -> str:
    """``path`` as a node path (``""`` for None, the root).

    Raises
    ------
    TypeError
        If ``path`` is not a str, bytes, path object or None.
    ValueError
        If a segment is ``.`` or ``..``.
    """
    if path is None:
        return ""
    if isinstance(path, bytes):
        text = path.decode("ascii")
    elif isinstance(path, str | PurePath) or hasattr(path, "__fspath__"):
        text = str(path)
    else:
        raise TypeError(f'Object {path!r} has an invalid type for "path": {type(path).__name__}')
    segments = [s for s in text.replace("\\", "/").split("/") if s]
    if any(s in (".", "..") for s in segments):
        raise ValueError(f"The path {path!r} is invalid: it has a '.' or '..' segment")
    return "/".join(segments)


def join_paths(paths: Iterable[str]) -> str:
    """The non-empty ``paths`` joined by ``/``."""
    return "/".join(p for p in paths if p != "")


def relative_path(*, path: str, prefix: str) -> str:
    """``path`` below ``prefix`` (``path`` itself when ``prefix`` is the root "").

    Raises
    ------
    ValueError
        If ``path`` is not below ``prefix``.
    """
    if prefix == "":
        return path
    if not path.startswith(prefix + "/"):
        raise ValueError(f"The first component of {path} does not start with {prefix}.")
    return path[len(prefix) + 1 :]


def normalize_paths(paths: Iterable[str]) -> tuple[str, ...]:
    """Each of ``paths`` normalized.

    Raises
    ------
    ValueError
        If two of them normalize to the same path.
    """
    seen: dict[str, str] = {}
    for path in paths:
        normal = normalize_path(path)
        if normal in seen:
            first = seen[normal]
            raise ValueError(
                f"After normalization, the value '{path}' collides with '{first}'. "
                f"Both '{path}' and '{first}' normalize to the same value: '{normal}'. "
                f"You should use either '{path}' or '{first}', but not both."
            )
        seen[normal] = path
    return tuple(seen)


def normalize_path_keys(data: Mapping[str, T]) -> dict[str, T]:
    """``data`` with its keys normalized (ValueError if two keys collide)."""
    return dict(zip(normalize_paths(data), data.values(), strict=True))
