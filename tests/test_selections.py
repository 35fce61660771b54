"""Fields of structured data types in every selection (``z["a"]``, ``fields=``),
against NumPy, with zarr-python reading back what was written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import zarr as zarr_python
from numpy.lib.recfunctions import repack_fields

import zarrdist
from zarrdist.errors import SelectionError
from zarrdist.stores import LocalStore, MemoryStore

DTYPE = np.dtype([("a", "<i4"), ("b", "<f8"), ("c", "u1")])


def _data(shape: tuple[int, ...] = (6, 4)) -> np.ndarray[Any, Any]:
    out = np.zeros(shape, DTYPE)
    out["a"] = np.arange(out.size).reshape(shape)
    out["b"] = out["a"] / 4
    out["c"] = 7
    return out


@pytest.fixture
def array(tmp_path: Path) -> zarrdist.Array:
    z = zarrdist.create_array(
        LocalStore(tmp_path), shape=(6, 4), chunks=(4, 3), dtype=DTYPE, zarr_format=2
    )
    z[...] = _data()
    return z


@pytest.mark.parametrize(
    ("read", "expected"),
    [
        (lambda z: z["a"], lambda d: d["a"]),
        (lambda z: z[1:5, "b"], lambda d: d[1:5]["b"]),
        (lambda z: z["b", 1:5], lambda d: d[1:5]["b"]),
        (lambda z: z[2, "a"], lambda d: d[2]["a"]),
        (lambda z: z[3, 1, "b"], lambda d: d[3, 1]["b"]),
        (lambda z: z[["a", "c"]], lambda d: d[["a", "c"]]),
        (lambda z: z[::-2, "a", "c"], lambda d: d[::-2][["a", "c"]]),
        (lambda z: z.get_basic_selection(np.s_[1:3], fields="c"), lambda d: d[1:3]["c"]),
        (lambda z: z.oindex[[0, 5], [1, 3], "a"], lambda d: d[np.ix_([0, 5], [1, 3])]["a"]),
        (lambda z: z.vindex[[0, 5], [1, 3], "b"], lambda d: d[[0, 5], [1, 3]]["b"]),
        (lambda z: z.vindex[_data()["a"] % 5 == 0, "a"], lambda d: d[d["a"] % 5 == 0]["a"]),
        (lambda z: z.blocks[1, "b"], lambda d: d[4:6]["b"]),
        (
            lambda z: z.get_coordinate_selection(([1, 2], [0, 0]), fields=["b", "a"]),
            lambda d: d[[1, 2], [0, 0]][["b", "a"]],
        ),
    ],
)
def test_reads_equal_numpy(array: zarrdist.Array, read: Any, expected: Any) -> None:
    got, want = read(array), expected(_data())
    if isinstance(want, np.ndarray):
        want = repack_fields(want)  # several fields come back packed (next test)
    assert np.asarray(got).dtype == np.asarray(want).dtype
    np.testing.assert_array_equal(got, want)


def test_several_fields_come_back_packed(array: zarrdist.Array) -> None:
    got = array[["a", "c"]]
    assert got.dtype == np.dtype([("a", "<i4"), ("c", "u1")])
    assert got.dtype.itemsize == 5


def test_read_into_out(array: zarrdist.Array) -> None:
    out = np.empty((2, 4), "<f8")
    assert array.get_basic_selection(np.s_[0:2], out=out, fields="b") is out
    np.testing.assert_array_equal(out, _data()[0:2]["b"])


@pytest.mark.parametrize(
    ("write", "apply"),
    [
        (lambda z: z.__setitem__("a", -1), lambda d: d.__setitem__("a", -1)),
        (
            lambda z: z.__setitem__((slice(1, 5), "b"), np.arange(4.0)),
            lambda d: d["b"].__setitem__(slice(1, 5), np.arange(4.0)),
        ),
        (
            lambda z: z.set_basic_selection((2, 1), 99, fields="c"),
            lambda d: d["c"].__setitem__((2, 1), 99),
        ),
        (
            lambda z: z.oindex.__setitem__(([0, 5], [1, 3], "a"), [[1, 2], [3, 4]]),
            lambda d: d["a"].__setitem__(np.ix_([0, 5], [1, 3]), [[1, 2], [3, 4]]),
        ),
        (
            lambda z: z.vindex.__setitem__(([0, 5], [1, 3], "b"), [0.5, 0.25]),
            lambda d: d["b"].__setitem__(([0, 5], [1, 3]), [0.5, 0.25]),
        ),
        (
            lambda z: z.blocks.__setitem__((0, 1, "c"), 3),
            lambda d: d["c"].__setitem__((slice(0, 4), slice(3, 4)), 3),
        ),
    ],
)
def test_writes_change_only_their_fields(
    array: zarrdist.Array, tmp_path: Path, write: Any, apply: Any
) -> None:
    expected = _data()
    apply(expected)
    write(array)
    np.testing.assert_array_equal(array[...], expected)
    np.testing.assert_array_equal(zarr_python.open_array(str(tmp_path))[...], expected)


def test_several_fields_written_from_a_structured_value(array: zarrdist.Array) -> None:
    value = np.zeros((2, 4), [("c", "u1"), ("a", "<i4")])
    value["a"], value["c"] = 100, 200
    array[4:6, ["a", "c"]] = value
    expected = _data()
    # As in NumPy, fields are assigned by position: "a" gets the value's "c".
    expected[4:6][["a", "c"]] = value
    assert (expected["a"][4:6] == 200).all()
    np.testing.assert_array_equal(array[...], expected)
    np.testing.assert_array_equal(array[4:6, "a", "c"], repack_fields(expected[4:6][["a", "c"]]))


def test_unknown_fields_and_plain_dtypes_are_refused_and_nothing_changes(
    array: zarrdist.Array,
) -> None:
    with pytest.raises(SelectionError, match=r"no field 'd'.*\['a', 'b', 'c'\]"):
        array["d"]
    with pytest.raises(SelectionError, match="no field 'd'"):
        array[0:2, "d"] = 1
    with pytest.raises(SelectionError, match="no field 'd'"):
        array.set_basic_selection(..., 0, fields=["a", "d"])
    np.testing.assert_array_equal(array[...], _data())
    plain = zarrdist.create_array(MemoryStore(), shape=(3,), dtype="i2")
    with pytest.raises(SelectionError, match="has no fields"):
        plain["a"]
    with pytest.raises(SelectionError, match="has no fields"):
        plain.get_basic_selection(..., fields="a")


def test_resize_takes_new_shape_as_zarr_python(array: zarrdist.Array) -> None:
    array.resize(new_shape=(8, 4))
    assert array.shape == (8, 4)
    array.resize(7, 4)
    assert array.shape == (7, 4)
    with pytest.raises(TypeError, match="not both"):
        array.resize((6, 4), new_shape=(6, 4))
    with pytest.raises(TypeError, match="needs the new shape"):
        array.resize()
    assert array.shape == (7, 4)


@pytest.mark.parametrize("path", ["direct", "graph"])
@pytest.mark.parametrize("sharded", [False, True])
def test_threads_writing_different_fields_of_the_same_elements_lose_nothing(
    tmp_path: Path, path: str, sharded: bool
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from zarrdist.config import config

    fields = [f"f{i}" for i in range(8)]
    z = zarrdist.create_array(
        LocalStore(tmp_path),
        shape=(8, 6),
        chunks=(4, 3),
        shards=(8, 6) if sharded else None,
        dtype=[(f, "<i4") for f in fields],
    )
    settings = {"direct_max_bytes": 1 << 30} if path == "direct" else {"direct_max_bytes": 0}

    def write(i: int) -> None:
        # Each field has one writer, writing the same value again and again while
        # the others write their own fields of the same chunks.
        with config.set(settings):
            for _ in range(4):
                z[:, fields[i]] = i + 1

    with ThreadPoolExecutor(len(fields)) as pool:
        list(pool.map(write, range(len(fields))))
    out = zarrdist.open_array(LocalStore(tmp_path))[...]
    for i, field in enumerate(fields):
        np.testing.assert_array_equal(out[field], np.full((8, 6), i + 1), err_msg=field)


def test_a_field_write_of_a_dask_value_and_a_large_selection(tmp_path: Path) -> None:
    import dask.array as da

    from zarrdist.config import config

    z = zarrdist.create_array(LocalStore(tmp_path), shape=(6, 4), chunks=(2, 2), dtype=DTYPE)
    z[...] = _data()
    with config.set({"direct_max_bytes": 0}):  # the graph path
        z["b"] = da.from_array(np.full((6, 4), -2.5), chunks=(3, 4))
        z.oindex[[0, 5], :, "a"] = -7
    expected = _data()
    expected["b"] = -2.5
    expected["a"][[0, 5]] = -7
    np.testing.assert_array_equal(z[...], expected)
    np.testing.assert_array_equal(zarr_python.open_array(str(tmp_path))[...], expected)
