"""Attributes of arrays and groups, and deleting members."""

import zarr

root = zarr.open_group("attrs.zarr", mode="w")
a = root.create_array("a", shape=(2,), dtype="i1", attributes={"x": 1})
a.attrs["nested"] = {"k": [1, 2.5, None, "s"]}
a.attrs.update({"y": True})
del a.attrs["x"]
print(sorted(a.attrs.items()))
print(sorted(zarr.open_array("attrs.zarr", path="a").attrs.asdict().items()))
root.create_group("g/h")
root.create_array("g/h/arr", shape=(1,), dtype="f4")
print(sorted(k for k, _ in root.members(max_depth=None)))
del root["g/h"]
print(sorted(k for k, _ in root.members(max_depth=None)))
print(sorted(root.group_keys()), sorted(root.array_keys()))
