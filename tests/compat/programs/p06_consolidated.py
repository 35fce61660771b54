"""Consolidated metadata: consolidate, then open with and without it."""

import zarr

for fmt in (2, 3):
    path = f"cons{fmt}.zarr"
    root = zarr.create_group(path, zarr_format=fmt, attributes={"fmt": fmt})
    for i in range(5):
        root.create_array(f"array_{i}", shape=(10,), dtype="f4", attributes={"i": i})
    root.create_group("sub").create_array("deep", shape=(2, 2), dtype="u1")
    consolidated = zarr.consolidate_metadata(path)
    print(sorted(k for k, _ in consolidated.members(max_depth=None)))
    reopened = zarr.open_consolidated(path, mode="r")
    print(reopened["array_3"].attrs["i"], reopened["sub/deep"].shape, dict(reopened.attrs))
    plain = zarr.open_group(path, mode="r", use_consolidated=False)
    print(sorted(plain), len(plain))
    print(reopened.info)
