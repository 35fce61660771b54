"""The warnings zarr-python 3.1.5 gives for keywords that do nothing, with its texts and
categories, so that warning filters written for zarr-python match zarrdist's."""

from __future__ import annotations

import warnings

from zarrdist.errors import ZarrDeprecationWarning, ZarrRuntimeWarning, ZarrUserWarning

__all__ = [
    "warn_compressor_v3",
    "warn_consolidated_v3",
    "warn_group_method_deprecated",
    "warn_not_implemented",
    "warn_order_kwarg",
    "warn_sharding_combined",
    "warn_write_empty_chunks_kwarg",
]


def warn_order_kwarg(stacklevel: int = 3) -> None:
    """``order=`` given for a Zarr v3 array, whose stored layout has no order."""
    warnings.warn(
        "The `order` keyword argument has no effect for Zarr format 3 arrays. To control "
        "the memory layout of the array, either use the `config` keyword argument, as in "
        "`config={'order': 'C'}`, or change the global 'array.order' configuration variable.",
        ZarrRuntimeWarning,
        stacklevel=stacklevel,
    )


def warn_write_empty_chunks_kwarg(stacklevel: int = 3) -> None:
    """``write_empty_chunks=`` as a keyword (zarrdist still honours it, via the config)."""
    warnings.warn(
        "The `write_empty_chunks` keyword argument is deprecated and will be removed in "
        "future versions. To control whether empty chunks are written to storage, either "
        "use the `config` keyword argument, as in `config={'write_empty_chunks': True}`, "
        "or change the global 'array.write_empty_chunks' configuration variable.",
        ZarrRuntimeWarning,
        stacklevel=stacklevel,
    )


def warn_not_implemented(name: str, stacklevel: int = 3) -> None:
    """A zarr-python 2 keyword (``synchronizer``, ``chunk_store``...) that has no effect."""
    warnings.warn(f"{name} is not yet implemented", ZarrRuntimeWarning, stacklevel=stacklevel)


def warn_consolidated_v3(stacklevel: int = 3) -> None:
    """Consolidating Zarr v3 metadata, which the v3 specification does not define yet."""
    warnings.warn(
        "Consolidated metadata is currently not part in the Zarr format 3 specification: "
        "zarrdist writes it where zarr-python does (the group's zarr.json), but other "
        "implementations may ignore it, and its form may still change.",
        ZarrUserWarning,
        stacklevel=stacklevel,
    )


def warn_group_method_deprecated(name: str, stacklevel: int = 3) -> None:
    """``Group.create_dataset`` and ``Group.array``, which zarr-python deprecates (they
    still work: they are ``create_array``)."""
    warnings.warn(
        f"Group.{name} is deprecated. Use Group.create_array instead.",
        ZarrDeprecationWarning,
        stacklevel=stacklevel,
    )


def warn_compressor_v3(stacklevel: int = 4) -> None:
    """``compressor=`` (one compressor, Zarr v2's keyword) for a Zarr v3 array: zarrdist
    honours it as ``compressors=[compressor]``; zarr-python deprecates it."""
    warnings.warn(
        "The `compressor` argument is deprecated. Use `compressors` instead. (zarrdist "
        "takes it as compressors=[compressor].)",
        ZarrUserWarning,
        stacklevel=stacklevel,
    )


def warn_sharding_combined(stacklevel: int = 4) -> None:
    """A ``sharding_indexed`` codec with other codecs in the same chain: a shard is then
    one compressed (or transposed) whole, so no read or write can take part of it."""
    warnings.warn(
        "Combining a `sharding_indexed` codec disables partial reads and writes, which may "
        "lead to inefficient performance. (zarrdist reads and writes such shards whole.)",
        ZarrUserWarning,
        stacklevel=stacklevel,
    )
