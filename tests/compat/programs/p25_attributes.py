"""Attributes: nested JSON, update, delete, and reopen."""

import zarr

g = zarr.open_group("attrs.zarr", mode="w")
g.attrs["nested"] = {"a": [1, 2, {"b": None}], "c": 1.5}
g.attrs.update({"title": "survey", "n": 3})
a = g.create_array("x", shape=(2,), dtype="i1", attributes={"units": "m"})
a.attrs["scale"] = 0.5
del g.attrs["n"]
print(sorted(g.attrs.items()))
print(dict(zarr.open_group("attrs.zarr", mode="r")["x"].attrs))
a.update_attributes({"offset": 2})
print(sorted(zarr.open_array("attrs.zarr/x", mode="r").attrs.asdict().items()))
