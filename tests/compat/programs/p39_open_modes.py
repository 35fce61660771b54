"""open_array and open_group with each mode on existing and missing nodes."""

import zarr
from zarr.errors import ArrayNotFoundError, ContainsArrayError, GroupNotFoundError

zarr.create_array("m.zarr", shape=(2,), dtype="i1")
for mode in ["r", "r+", "a"]:
    print(mode, zarr.open_array("m.zarr", mode=mode).read_only)
try:
    zarr.open_array("missing.zarr", mode="r")
except (ArrayNotFoundError, FileNotFoundError) as exc:
    print("missing:", isinstance(exc, FileNotFoundError))
try:
    zarr.create_array("m.zarr", shape=(2,), dtype="i1")
except ContainsArrayError:
    print("exists")
try:
    zarr.open_group("nogroup.zarr", mode="r")
except (GroupNotFoundError, FileNotFoundError) as exc:
    print("no group:", isinstance(exc, FileNotFoundError))
print(zarr.open_group("newgroup.zarr", mode="a").path == "")
