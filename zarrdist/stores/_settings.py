"""Runtime knobs the stores read: ``io.fsync``, ``io.max_concurrency``, ``async.timeout``,
``io.lock_timeout`` and ``threading.max_workers`` (the reader pool's size).

Stores are the leaf layer and import nothing of the format core, ``zarrdist.config``
included. The config module is still the one source of truth for these knobs:
whenever a program has loaded it (any use of arrays, or ``config.set(...)``), its
values are read here through ``sys.modules``. A program that uses the stores alone,
without ever loading the config, gets the documented defaults.
"""

from __future__ import annotations

import sys
from typing import Any

__all__ = ["DEFAULTS", "setting"]

#: Defaults used when ``zarrdist.config`` has not been loaded; they mirror its table.
DEFAULTS: dict[str, Any] = {
    "io.fsync": False,
    "io.max_concurrency": 32,
    "async.timeout": None,
    "io.lock_timeout": 600.0,
    "threading.max_workers": None,
}


def setting(key: str) -> Any:
    """The current value of a store knob (a key of :data:`DEFAULTS`)."""
    module = sys.modules.get("zarrdist.config")
    if module is None:
        return DEFAULTS[key]
    value = module.config.get(key)
    return DEFAULTS[key] if value is None else value
