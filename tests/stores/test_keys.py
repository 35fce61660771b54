"""Store key checks: ``normalize_keys`` accepts and refuses exactly what
``normalize_key`` does, key by key."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from zarrdist.errors import ByteRangeError
from zarrdist.stores import LocalStore, normalize_key, normalize_keys

GOOD = ["c/0/1", "a/b/c/0", "zarr.json", "g/.zattrs", "x:y", ":", "", "c", "a/b", "x.y/z"]
BAD = ["/abs", "a\\b", "a\x00b", "C:/x", "a:", "a//b", "../up", "a/./b", "a/..", ".", "a\nb"]


def _outcome(check: Any, keys: list[Any]) -> Any:
    try:
        return ("ok", check(keys))
    except ByteRangeError as error:
        return ("refused", error.key, str(error))


def _one_by_one(keys: list[Any]) -> list[str]:
    return [normalize_key(k, store="memory://") for k in keys]


def _batch(keys: list[Any]) -> list[str]:
    return normalize_keys(keys, store="memory://")


@pytest.mark.parametrize("pair", list(itertools.product(GOOD + BAD, repeat=2)))
def test_normalize_keys_matches_normalize_key_key_by_key(pair: tuple[str, str]) -> None:
    keys = list(pair)
    assert _outcome(_batch, keys) == _outcome(_one_by_one, keys)


@pytest.mark.parametrize("keys", [[], ["c/0"], ["c/0", 3], [b"c/0"], ["c/0", "c/1", "/c/2"]])
def test_normalize_keys_edge_cases(keys: list[Any]) -> None:
    assert _outcome(_batch, keys) == _outcome(_one_by_one, keys)


def test_get_many_refuses_a_bad_key_and_reads_nothing(tmp_path: Any) -> None:
    store = LocalStore(str(tmp_path))
    store.set("c/0", b"kept")
    with pytest.raises(ByteRangeError) as info:
        store.get_many(["c/0", "../outside"])
    assert info.value.key == "../outside"
    assert store.get_many(["c/0", "c/1"]) == [b"kept", None]
    assert (tmp_path / "c" / "0").read_bytes() == b"kept"  # the refused call changed nothing
