"""Groups: hierarchy, nested paths, members, attributes, require, delete."""

import zarr

root = zarr.group("groups.zarr", attributes={"title": "root"})
temps = root.create_group("measurements/temperature", attributes={"units": "K"})
arr = temps.create_array("daily", shape=(365, 24), chunks=(30, 24), dtype="float32")
arr[:31] = 1.5
root.create_array("index", shape=(10,), dtype="int64")
print(sorted(root.keys()))
print(sorted(k for k, _ in root.members(max_depth=None)))
print(root["measurements/temperature/daily"].shape, root["measurements"]["temperature"].path)
print(root["measurements/temperature"].name, root["measurements/temperature"].basename)
print("index" in root, "nothing" in root, "measurements/temperature" in root)
print(sorted(root.array_keys()), sorted(root.group_keys()), len(root))
print(dict(root.attrs), dict(temps.attrs))
root.attrs["version"] = 2
root.update_attributes({"more": [1, 2]})
print(sorted(zarr.open_group("groups.zarr", mode="r").attrs.items()))
g = root.require_group("measurements")
print(g.path, sorted(g))
print(root.require_groups("a", "b")[1].path)
del root["a"]
print(sorted(root))
try:
    root.create_group("measurements")
except Exception as e:  # noqa: BLE001 - a user printing what went wrong
    print("exists:", type(e).__name__)
try:
    root["missing"]
except KeyError:
    print("KeyError")
print(root.nmembers(max_depth=None))
print(root.info)
print(float(root["measurements/temperature/daily"][:].sum()))
