"""``python -m zarrdist``: the ``zarrdist`` command."""

from __future__ import annotations

import sys

from zarrdist.cli.main import main

__all__: list[str] = []

if __name__ == "__main__":
    sys.exit(main())
