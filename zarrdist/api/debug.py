"""``print_debug_info``, ``set_log_level`` and ``set_format``: as zarr-python's.

zarrdist logs under the ``zarrdist`` logger; these attach one stream handler to
it the first time they are called (never at import).
"""

from __future__ import annotations

import functools
import logging
import platform
from importlib.metadata import PackageNotFoundError, version
from typing import Literal

__all__ = ["print_debug_info", "set_format", "set_log_level"]

_logger = logging.getLogger("zarrdist")

REQUIRED = ("numpy", "numcodecs", "dask", "distributed", "donfig", "fsspec", "google-crc32c")
OPTIONAL = ("zarr", "tensorstore", "s3fs", "gcsfs", "cupy-cuda12x", "rich")


def _print_packages(packages: tuple[str, ...]) -> None:
    missing = []
    for package in packages:
        try:
            print(f"{package}: {version(package)}")
        except PackageNotFoundError:
            missing.append(package)
    if missing:
        print("\n**Not Installed:**")
        for package in missing:
            print(package)


def print_debug_info() -> None:
    """Print the platform, Python and package versions, for bug reports."""
    print(f"platform: {platform.platform()}")
    print(f"python: {platform.python_version()}")
    print(f"zarrdist: {version('zarrdist')}\n")
    print("**Required dependencies:**")
    _print_packages(REQUIRED)
    print("\n**Optional dependencies:**")
    _print_packages(OPTIONAL)


@functools.cache
def _handler() -> logging.Handler:
    # One handler, attached on first use, shared by set_log_level and set_format.
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter(logging.BASIC_FORMAT))
    _logger.addHandler(handler)
    return handler


def set_log_level(
    level: Literal["NOTSET", "DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"],
) -> None:
    """Set the level of the ``zarrdist`` logger and of its stream handler."""
    _logger.setLevel(level)
    _handler().setLevel(level)


def set_format(log_format: str) -> None:
    """Set the format (``logging.Formatter`` syntax) of the ``zarrdist`` log handler."""
    _handler().setFormatter(logging.Formatter(fmt=log_format))
