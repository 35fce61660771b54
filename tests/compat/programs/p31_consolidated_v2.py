"""Consolidated metadata in a Zarr v2 hierarchy."""

import zarr

root = zarr.open_group("cons2.zarr", mode="w", zarr_format=2)
root.attrs["title"] = "v2"
root.create_array("a", shape=(3,), dtype="i4", chunks=(2,))
root.create_group("g").create_array("b", shape=(2, 2), dtype="f4")
zarr.consolidate_metadata("cons2.zarr")
c = zarr.open_consolidated("cons2.zarr", mode="r")
print(sorted(name for name, _ in c.members(max_depth=None)))
print(c.attrs["title"], c["g/b"].shape, c["a"].dtype)
