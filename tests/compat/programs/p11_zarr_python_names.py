"""zarr-python's names beyond arrays and groups: its errors and warning categories,
StorePath, the numcodecs codecs, config keys, v2 order and null fill values."""

import warnings

import numpy as np
import zarr
import zarr.errors
import zarr.storage

# Filters naming zarr-python's categories, as user code writes them.
warnings.filterwarnings("ignore", category=zarr.errors.ZarrUserWarning)
warnings.filterwarnings("ignore", category=zarr.errors.UnstableSpecificationWarning)
warnings.filterwarnings("ignore", category=zarr.errors.ZarrDeprecationWarning)

z = zarr.create_array("a.zarr", shape=(6,), chunks=(3,), dtype="i4", fill_value=-1)
z[:4] = np.arange(4)
try:
    z[6]
except zarr.errors.BoundsCheckError:
    print("z[6]: BoundsCheckError")
try:
    zarr.create_array("a.zarr", shape=(1,), dtype="i1")
except zarr.errors.ContainsArrayError:
    print("exists: ContainsArrayError")
try:
    zarr.open_array("missing.zarr", mode="r")
except FileNotFoundError:
    print("missing: FileNotFoundError")
try:
    zarr.open_array("a.zarr", mode="r")[0] = 5
except ValueError:
    print("read-only write: ValueError")
print(z[:].tolist())

root = zarr.storage.StorePath(zarr.storage.LocalStore("tree.zarr"), "project")
t = zarr.create_array(root / "t", shape=(4,), chunks=(2,), dtype="f8", fill_value=0.5)
t[1:3] = [1.0, 2.0]
print(t.path, t.name, zarr.open_array(root / "t")[:].tolist())
print(sorted(zarr.open_group("tree.zarr", path="project").array_keys()))

d = zarr.create_array(
    "delta.zarr",
    shape=(8,),
    chunks=(4,),
    dtype="<i8",
    filters=[zarr.codecs.numcodecs.Delta(dtype="<i8")],
    compressors=[zarr.codecs.numcodecs.Zlib(level=1)],
)
d[:] = np.arange(8) ** 2
print(d[:].tolist(), [type(f).__name__.removeprefix("Numcodecs") for f in d.filters])

with zarr.config.set({"json_indent": 4}):
    zarr.create_group("indented.zarr", attributes={"k": [1, 2]})
with open("indented.zarr/zarr.json") as document:
    print(document.read().splitlines()[1])

f = zarr.create_array(
    "fortran.zarr", shape=(2, 3), chunks=(2, 3), dtype="i2", zarr_format=2, order="F",
    fill_value=None,
)  # fmt: skip
f[:1] = [[1, 2, 3]]
g = zarr.open_array("fortran.zarr")
print(g.order, g.fill_value, g[:].flags.f_contiguous, g[:].tolist())
print(type(g.compressor).__name__, g.compressor.get_config()["id"])
