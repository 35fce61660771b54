"""``zarr.core._info``'s GroupInfo and human_readable_size, checked against zarr-python."""

from __future__ import annotations

import pytest
from zarr.core import _info as peer

from zarrdist.api.arrays.describe import human_readable_size
from zarrdist.api.hierarchy.describe import GroupInfo


@pytest.mark.parametrize(
    "counts", [{}, {"_count_members": 5, "_count_arrays": 2, "_count_groups": 3}]
)
@pytest.mark.parametrize("zarr_format", [2, 3])
def test_group_info_as_zarr_python(zarr_format: int, counts: dict[str, int]) -> None:
    fields = {"_name": "g/h", "_store_type": "LocalStore", "_read_only": True}
    ours = GroupInfo(_zarr_format=zarr_format, **fields, **counts)  # type: ignore[arg-type]
    theirs = peer.GroupInfo(_zarr_format=zarr_format, **fields, **counts)  # type: ignore[arg-type]
    assert repr(ours) == repr(theirs)


@pytest.mark.parametrize("size", [0, 1, 1023, 1024, 1536, 10**6, 2**30, 2**40, 2**50, 2**53])
def test_human_readable_size_as_zarr_python(size: int) -> None:
    assert human_readable_size(size) == peer.human_readable_size(size)
