"""Walking a hierarchy: members, keys, arrays, groups, depth limits."""

import zarr

root = zarr.open_group("tree.zarr", mode="w")
a = root.create_group("a")
a.create_array("x", shape=(1,), dtype="i1")
b = a.create_group("b")
b.create_array("y", shape=(2,), dtype="f4")
root.create_array("z", shape=(3,), dtype="u1")
print(sorted(root.keys()))
print(sorted(name for name, _ in root.members(max_depth=None)))
print(sorted(root.array_keys()), sorted(root.group_keys()))
print(root.nmembers(max_depth=None), len(root))
print(sorted(k for k, _ in a.arrays()), sorted(k for k, _ in a.groups()))
print("b" in a, "a/b/y" in root, "q" in root)
