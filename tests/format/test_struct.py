"""The zarr-extensions ``struct`` data type (zarr-python 3.4) beside zarr-python 3.1.5's
``structured``: both read; each is written back under its own name."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import zarrdist as zarr
from zarrdist.dtype.datatypes import parse_data_type
from zarrdist.errors import MetadataError

STRUCT = {
    "name": "struct",
    "configuration": {
        "fields": [{"name": "a", "data_type": "int32"}, {"name": "b", "data_type": "float64"}]
    },
}
NUMPY = np.dtype([("a", "<i4"), ("b", "<f8")])


def test_struct_parses_to_the_numpy_record_and_keeps_its_name() -> None:
    dt = parse_data_type(STRUCT)
    assert dt.to_native() == NUMPY
    assert dt.metadata_json(3) == STRUCT
    # The same fields under the older name compare equal and write the older form.
    older = parse_data_type(NUMPY)
    assert older == dt
    assert older.metadata_json(3) == {
        "name": "structured",
        "configuration": {"fields": [["a", "int32"], ["b", "float64"]]},
    }


def test_struct_fill_value_is_an_object_of_fields(tmp_path: Path) -> None:
    z = zarr.create_array(
        str(tmp_path / "s"), shape=(3,), chunks=(2,), dtype=STRUCT, fill_value=(4, 0.25)
    )
    doc = json.loads((tmp_path / "s" / "zarr.json").read_text())
    assert doc["fill_value"] == {"a": 4, "b": 0.25}
    assert doc["codecs"][0] == {"name": "bytes", "configuration": {"endian": "little"}}
    z[0] = (1, 1.5)
    z["b", 2] = 9.0
    expected = np.array([(1, 1.5), (4, 0.25), (4, 9.0)], dtype=NUMPY)
    np.testing.assert_array_equal(z[...], expected)
    np.testing.assert_array_equal(zarr.open_array(str(tmp_path / "s"))["a"], expected["a"])


def test_struct_fill_value_with_an_unknown_field_is_refused() -> None:
    dt = parse_data_type(STRUCT)
    assert dt.fill_value_from_json({"a": 2}, 3) == np.array((2, 0.0), dtype=NUMPY)[()]
    with pytest.raises(MetadataError, match="unknown fields"):
        dt.fill_value_from_json({"c": 1}, 3)
