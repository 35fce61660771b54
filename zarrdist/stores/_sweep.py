"""Removing the temporary files a killed writer left in a LocalStore.

LocalStore writes every value to a hidden ``.<name>.zarrdist-<token>.partial`` file
and renames it over the key, so a reader never sees a torn value. A writer killed
between the two leaves the temporary file behind: listings skip it, but it holds
disk space. :func:`sweep_partial_files` removes those older than ``min_age``
seconds (younger ones may belong to a writer still running); ``zarrdist copy``
sweeps the destination when it resumes an interrupted copy, which owns it.
"""

from __future__ import annotations

import os
import time

from zarrdist.stores._base import Store
from zarrdist.stores._local import TMP_NAME

__all__ = ["sweep_partial_files"]


def sweep_partial_files(store: Store, prefix: str = "", *, min_age: float = 3600.0) -> int:
    """Delete temporary ``.partial`` files under ``prefix`` of a local store; return the count.

    Stores that are not local directories have no such files (0). Symbolic links are
    not followed, so nothing outside the store's root is touched.
    """
    spec = store.spec
    if spec.driver != "local" or store.read_only:
        return 0
    root = str(spec.options["root"])
    top = os.path.join(root, store._dir_prefix(prefix)) if prefix.strip("/") else root
    cutoff = time.time() - min_age
    removed = 0
    for directory, _, files in os.walk(top, followlinks=False):
        for name in files:
            if not TMP_NAME.match(name):
                continue
            path = os.path.join(directory, name)
            try:
                if os.lstat(path).st_mtime <= cutoff:
                    os.unlink(path)
                    removed += 1
            except FileNotFoundError:
                continue  # renamed into place or removed meanwhile
    return removed
