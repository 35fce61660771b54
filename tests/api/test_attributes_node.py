"""``Attributes(node)``, zarr-python's constructor form, checked against zarr-python."""

from __future__ import annotations

from typing import Literal

import pytest
import zarr as zarr_python
from zarr.core.attributes import Attributes as PeerAttributes

import zarrdist as zarr
from zarrdist.api.hierarchy.attributes import Attributes
from zarrdist.stores import MemoryStore


@pytest.mark.parametrize("zarr_format", [2, 3])
def test_attributes_of_a_node_as_zarr_python(zarr_format: Literal[2, 3]) -> None:
    ours_node = zarr.group(MemoryStore(), zarr_format=zarr_format, attributes={"a": 1})
    peer_node = zarr_python.group(
        zarr_python.storage.MemoryStore(), zarr_format=zarr_format, attributes={"a": 1}
    )
    ours, peer = Attributes(ours_node), PeerAttributes(peer_node)
    assert ours.asdict() == peer.asdict()
    ours.put({"b": [1, 2]})
    peer.put({"b": [1, 2]})
    assert dict(ours_node.attrs) == dict(peer_node.attrs) == {"b": [1, 2]}


def test_attributes_of_something_else_refused() -> None:
    with pytest.raises(TypeError, match="array or group"):
        Attributes(42)
