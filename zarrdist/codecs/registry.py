"""The codec registry: a plain dict by v3 name, and one by v2 (numcodecs) id.

Third-party codecs register through the entry-point group ``zarrdist.codecs``,
loaded lazily on the first miss. Codecs that can run code when decoding
(``unsafe = True``, e.g. numcodecs ``pickle``) are refused unless the config
``codecs.allow_pickle`` is set.

The built-in codecs register as their modules load; ``zarrdist.codecs`` imports every
one of them, and Python runs a package's ``__init__`` before any of its modules.
"""

from __future__ import annotations

from importlib.metadata import entry_points
from typing import Any

from zarrdist.codecs._base import Codec
from zarrdist.errors import UnknownCodecError

__all__ = [
    "codec_from_json",
    "get_codec_class",
    "get_v2_codec_class",
    "register_codec",
    "registered_names",
]

_BY_V3_NAME: dict[str, type[Codec]] = {}
_BY_V2_ID: dict[str, type[Codec]] = {}
_entry_points_loaded = False


def register_codec(cls: type[Codec], *aliases: str) -> type[Codec]:
    """Register ``cls`` under its ``v3_name``, any ``aliases`` and its ``v2_ids``."""
    for name in (cls.v3_name, *aliases):
        _BY_V3_NAME[name] = cls
    for v2_id in cls.v2_ids:
        _BY_V2_ID[v2_id] = cls
    return cls


def _load_entry_points() -> None:
    global _entry_points_loaded
    if _entry_points_loaded:
        return
    _entry_points_loaded = True
    for ep in entry_points(group="zarrdist.codecs"):
        cls = ep.load()
        if isinstance(cls, type) and issubclass(cls, Codec):
            register_codec(cls, ep.name)


def _lookup(table: dict[str, type[Codec]], name: str) -> type[Codec] | None:
    if name not in table:
        _load_entry_points()
    return table.get(name)


def _check_allowed(cls: type[Codec], name: str) -> None:
    if getattr(cls, "unsafe", False):
        from zarrdist.config import config

        if not config.get("codecs.allow_pickle"):
            raise UnknownCodecError(
                "codec can execute arbitrary code when decoding untrusted data; enable it "
                "with zarrdist.config.set({'codecs.allow_pickle': True}) if you trust the store",
                codec=name,
            )


def get_codec_class(name: str) -> type[Codec]:
    """The codec class registered under v3 name ``name``.

    Raises
    ------
    UnknownCodecError
        If no installed codec has that name, or it is refused as unsafe.
    """
    cls = _lookup(_BY_V3_NAME, name)
    if cls is None:
        raise UnknownCodecError("codec is not installed", codec=name)
    _check_allowed(cls, name)
    return cls


def get_v2_codec_class(codec_id: str) -> type[Codec]:
    """The codec class registered under numcodecs id ``codec_id``.

    Raises
    ------
    UnknownCodecError
        If no installed codec has that id, or it is refused as unsafe.
    """
    cls = _lookup(_BY_V2_ID, codec_id)
    if cls is None:
        raise UnknownCodecError("codec is not installed", codec=codec_id)
    _check_allowed(cls, codec_id)
    return cls


def codec_from_json(entry: str | dict[str, Any]) -> Codec:
    """Build a codec from a v3 metadata entry (``{"name", "configuration"}`` or a name).

    Raises
    ------
    UnknownCodecError
        If the codec is not installed.
    """
    if isinstance(entry, str):
        name, configuration = entry, {}
    else:
        given = entry.get("name")
        if not isinstance(given, str):
            raise UnknownCodecError(f"codec entry has no name: {entry!r}")
        name = given
        configuration = dict(entry.get("configuration") or {})
    return get_codec_class(name).from_json(configuration)


def registered_names() -> list[str]:
    """Every registered v3 codec name, sorted."""
    return sorted(_BY_V3_NAME)
