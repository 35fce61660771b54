"""create_hierarchy with group and array metadata from zarr.core.group."""

import zarr
from zarr.core.group import GroupMetadata

root = zarr.open_group("hier.zarr", mode="w")
nodes = {
    "a": GroupMetadata(attributes={"level": 1}),
    "a/b": GroupMetadata(),
}
created = dict(root.create_hierarchy(nodes))
print(sorted(created), sorted(type(v).__name__ for v in created.values()))
print(dict(zarr.open_group("hier.zarr/a", mode="r").attrs))
