"""Field checks (``zarrdist.metadata.fields``, zarr-python's ``zarr.core.common`` parse
functions): the same values accepted and the same exception types raised as
zarr-python 3.1.5's functions of the same names."""

from __future__ import annotations

from typing import Any, get_args

import pytest
import zarr.core.common as peer
import zarr.core.config as peer_config

from zarrdist.metadata import fields
from zarrdist.stores import ACCESS_MODES

SHAPES = [
    3, 0, -1, range(4), [0, 1, 2], (3, 4, 5), (), "shape", ("0", 1), {"0": "0"},
    ((1, 2), (2, 2)), (4.0, 2), (1, -1), (-10,), slice(None), None, 2.5,
]  # fmt: skip


def _outcome(fn: Any, *args: Any) -> Any:
    try:
        return fn(*args)
    except (TypeError, ValueError) as exc:
        return type(exc)


@pytest.mark.parametrize("data", SHAPES, ids=repr)
def test_parse_shapelike_as_zarr_python(data: Any) -> None:
    assert _outcome(fields.parse_shapelike, data) == _outcome(peer.parse_shapelike, data)


@pytest.mark.parametrize(
    ("data", "expected"), [("foo", "foo"), ("foo", "bar"), (10, "10"), ("x", None)]
)
def test_parse_name_as_zarr_python(data: Any, expected: Any) -> None:
    assert _outcome(fields.parse_name, data, expected) == _outcome(peer.parse_name, data, expected)


@pytest.mark.parametrize("data", ["C", "F", "c", 0, None, "hello"])
def test_parse_indexing_order_as_zarr_python(data: Any) -> None:
    ours = _outcome(fields.parse_indexing_order, data)
    assert ours == _outcome(peer_config.parse_indexing_order, data)


def test_product_and_access_modes() -> None:
    assert fields.product((2, 3, 4)) == peer.product((2, 3, 4)) == 24
    assert fields.product(()) == 1
    assert set(get_args(fields.AccessModeLiteral)) == set(ACCESS_MODES) == set(peer.ANY_ACCESS_MODE)


def test_errors_name_the_value() -> None:
    with pytest.raises(ValueError, match=r"shape \(1, -1\)"):
        fields.parse_shapelike((1, -1))
    with pytest.raises(ValueError, match="'X'"):
        fields.parse_indexing_order("X")


@pytest.mark.parametrize(("a", "b"), [(0, 0), (0, 5), (10, 3), (9, 3), (1, 7), (7.5, 2)])
def test_ceildiv_as_zarr_python(a: float, b: float) -> None:
    assert fields.ceildiv(a, b) == peer.ceildiv(a, b)
