"""The table of zarrdist errors and the builtins zarr-python raises in the same
situation (``zarrdist.errors.ZARR_PYTHON_BUILTINS``): every class is each builtin of
its row, and where the situation can be reproduced, zarr-python 3.1.5 raises one of
those builtins there and zarrdist raises the class, leaving the stored bytes as they
were."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import zarr
import zarr.codecs

import zarrdist
import zarrdist.codecs
from zarrdist import errors

TABLE = errors.ZARR_PYTHON_BUILTINS


@pytest.mark.parametrize("cls", list(TABLE), ids=lambda c: c.__name__)
def test_every_class_is_the_builtins_of_its_row(cls: type[BaseException]) -> None:
    builtins_, situation = TABLE[cls]
    assert situation
    for builtin in builtins_:
        assert issubclass(cls, builtin), (cls, builtin)
    assert cls.__name__ in errors.__all__


def _corrupt_chunk(impl: Any, root: Path, compressor: str) -> tuple[Any, Path]:
    codec = {"zstd": impl.codecs.ZstdCodec(), "gzip": impl.codecs.GzipCodec(),
             "blosc": impl.codecs.BloscCodec()}[compressor]  # fmt: skip
    path = root / f"{impl.__name__}-{compressor}.zarr"
    z = impl.create_array(str(path), shape=(4,), chunks=(2,), dtype="i4", compressors=codec)
    z[...] = np.arange(4)
    (path / "c" / "0").write_bytes(b"not a compressed chunk")
    return impl.open_array(str(path), mode="r"), path


@pytest.mark.parametrize("compressor", ["zstd", "gzip", "blosc"])
def test_corrupt_chunk_is_caught_as_zarr_python_s_error_is(tmp_path: Path, compressor: str) -> None:
    theirs, _ = _corrupt_chunk(zarr, tmp_path, compressor)
    with pytest.raises(Exception) as peer:
        theirs[...]
    ours, path = _corrupt_chunk(zarrdist, tmp_path, compressor)
    with pytest.raises(errors.DecodeError, match="'c/0'") as mine:
        ours[...]
    # Whatever builtin zarr-python raised here, zarrdist's error is one too.
    peer_builtins = [c for c in type(peer.value).__mro__ if c.__module__ == "builtins"]
    assert isinstance(mine.value, peer_builtins[0]), (type(peer.value), peer_builtins)
    assert (path / "c" / "0").read_bytes() == b"not a compressed chunk"
    np.testing.assert_array_equal(ours[2:], [2, 3])  # the other chunk still reads


def _layout(impl: Any) -> Callable[[], Any]:
    return lambda: impl.create_array({}, shape=(8,), chunks=(3,), shards=(4,), dtype="i1")


def test_shard_shape_not_dividing_by_chunks_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        _layout(zarr)()
    with pytest.raises(errors.CodecError, match="multiple") as mine:
        _layout(zarrdist)()
    assert isinstance(mine.value, ValueError)


def test_checksum_mismatch_is_a_value_error_in_both(tmp_path: Path) -> None:
    for impl in (zarr, zarrdist):
        path = tmp_path / f"{impl.__name__}.zarr"
        z = impl.create_array(str(path), shape=(4,), chunks=(2,), shards=(4,), dtype="i4")
        z[...] = 1
        raw = bytearray((path / "c" / "0").read_bytes())
        raw[-1] ^= 0xFF
        (path / "c" / "0").write_bytes(bytes(raw))
        opened = impl.open_array(str(path), mode="r")
        with warnings.catch_warnings(), pytest.raises(ValueError):
            opened[...]


def test_selection_errors_are_index_errors_in_both() -> None:
    for impl in (zarr, zarrdist):
        z = impl.create_array({}, shape=(4,), chunks=(2,), dtype="i1")
        with pytest.raises(IndexError):
            z[7]
        with pytest.raises(IndexError):
            z.get_block_selection(5)


RO_CASES: dict[str, Callable[[Any, Any], Any]] = {
    "create_array over an array": lambda m, s: m.create_array(s, name="a", shape=(2,), dtype="i1"),
    "create_array": lambda m, s: m.create_array(s, name="b", shape=(2,), dtype="i1"),
    "create_group over an array": lambda m, s: m.create_group(s, path="a"),
    "open_array mode w": lambda m, s: m.open_array(s, path="a", mode="w", shape=(2,), dtype="i1"),
    "setitem": lambda m, s: m.open_array(s, path="a", mode="r").__setitem__(0, 1),
    "resize": lambda m, s: m.open_array(s, path="a", mode="r").resize((3,)),
    "delitem": lambda m, s: m.open_group(s, mode="r").__delitem__("a"),
}


@pytest.mark.parametrize("case", sorted(RO_CASES))
def test_read_only_is_reported_first_as_in_zarr_python(tmp_path: Path, case: str) -> None:
    for impl, store_cls in (
        (zarr, zarr.storage.LocalStore),
        (zarrdist, zarrdist.storage.LocalStore),
    ):
        root = tmp_path / impl.__name__
        g = impl.open_group(str(root), mode="w")
        g.create_array("a", shape=(2,), dtype="i1")
        before = sorted(p.relative_to(root) for p in root.rglob("*"))
        with pytest.raises(ValueError, match=r"(?i)read.only") as caught:
            RO_CASES[case](impl, store_cls(str(root), read_only=True))
        assert sorted(p.relative_to(root) for p in root.rglob("*")) == before
        if impl is zarrdist:
            assert isinstance(caught.value, errors.ReadOnlyStoreError)
