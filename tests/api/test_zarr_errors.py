"""zarr-python's exception and warning names: each exists in ``zarrdist.errors``, is
the builtin zarr-python's is, and is raised where zarr-python raises it, so
``except zarr.errors.X`` and warning filters run unchanged under ``import zarrdist
as zarr``. What the failed operation left in the store is asserted too."""

from __future__ import annotations

import builtins
import json
import pickle
import warnings

import numpy as np
import pytest
import zarr.errors as peer_errors

import zarrdist
from zarrdist import errors
from zarrdist.stores import MemoryStore

PEER_NAMES = [name for name in peer_errors.__all__ if name.endswith(("Error", "Warning"))]


def _builtin_bases(cls: type) -> set[type]:
    return {c for c in cls.__mro__ if getattr(builtins, c.__name__, None) is c}


@pytest.mark.parametrize("name", PEER_NAMES)
def test_every_peer_name_exists_and_is_what_callers_catch(name: str) -> None:
    ours, theirs = getattr(errors, name), getattr(peer_errors, name)
    assert name in errors.__all__
    if name == "BaseZarrError":
        # Ours is the base of every zarrdist error, store errors (OSError) and
        # selection errors (IndexError) too, so it cannot be a ValueError; every
        # concrete class zarr-python has is checked on its own.
        assert ours is errors.ZarrdistError
        return
    # An except clause for zarr-python's class catches ours: every builtin it is, ours is.
    assert _builtin_bases(theirs) <= _builtin_bases(ours)


def test_peer_names_reach_through_the_top_level_module() -> None:
    assert zarrdist.errors.BoundsCheckError is errors.BoundsCheckError
    assert errors.BaseZarrError is errors.ZarrdistError
    assert errors.MetadataValidationError is errors.MetadataError
    assert issubclass(errors.UnstableSpecificationWarning, errors.ZarrFutureWarning)


@pytest.mark.parametrize(
    "cls", [errors.BoundsCheckError, errors.ContainsArrayAndGroupError, errors.NegativeStepError]
)
def test_new_errors_pickle(cls: type[errors.ZarrdistError]) -> None:
    error = cls("failed")
    assert str(pickle.loads(pickle.dumps(error))) == "failed"


@pytest.fixture
def array() -> zarrdist.Array:
    z = zarrdist.create_array(MemoryStore(), shape=(6, 4), chunks=(2, 2), dtype="i4")
    z[...] = np.arange(24).reshape(6, 4)
    return z


BEFORE = np.arange(24).reshape(6, 4)


@pytest.mark.parametrize(
    "read",
    [
        lambda z: z[6, 0],
        lambda z: z[0, -5],
        lambda z: z.oindex[[0, 9], :],
        lambda z: z.vindex[[0, 1], [0, 4]],
        lambda z: z.blocks[3, 0],
        lambda z: z.get_block_selection((0, -3)),
    ],
)
def test_out_of_bounds_is_bounds_check_error(array: zarrdist.Array, read) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(errors.BoundsCheckError, match="out of bounds") as info:
        read(array)
    assert isinstance(info.value, IndexError)


def test_out_of_bounds_write_changes_nothing(array: zarrdist.Array) -> None:
    with pytest.raises(IndexError):
        array.vindex[[0, 6], [0, 0]] = [1, 2]
    with pytest.raises(errors.BoundsCheckError):
        array[6, 0] = 1
    np.testing.assert_array_equal(array[...], BEFORE)


def test_unsupported_vindex_selection(array: zarrdist.Array) -> None:
    with pytest.raises(errors.VindexInvalidSelectionError, match="one integer array"):
        array.vindex[0:2, [0, 1]]
    with pytest.raises(errors.VindexInvalidSelectionError, match="needs 2 index arrays"):
        array.vindex[[0, 1],]
    with pytest.raises(errors.VindexInvalidSelectionError):
        array.vindex[0:2, [0, 1]] = 5
    np.testing.assert_array_equal(array[...], BEFORE)


def test_block_selection_with_an_index_array(array: zarrdist.Array) -> None:
    with pytest.raises(errors.ArrayIndexError, match="block selection"):
        array.blocks[[0, 1], 0]


def test_negative_steps_do_not_raise_negative_step_error(array: zarrdist.Array) -> None:
    np.testing.assert_array_equal(array[::-2, ::-1], BEFORE[::-2, ::-1])


def test_append_of_the_wrong_shape_is_a_value_error(array: zarrdist.Array) -> None:
    with pytest.raises(ValueError, match=r"cannot append data of shape \(3, 3\)"):
        array.append(np.ones((3, 3), "i4"))
    assert array.shape == (6, 4)
    np.testing.assert_array_equal(array[...], BEFORE)


def test_write_to_a_read_only_array_is_a_value_error(array: zarrdist.Array) -> None:
    reader = zarrdist.open_array(array.store.with_read_only(True), mode="r")
    with pytest.raises(ValueError, match="read"):
        reader[0, 0] = 99
    np.testing.assert_array_equal(array[...], BEFORE)


def test_array_and_group_metadata_at_one_path() -> None:
    store = MemoryStore()
    z = zarrdist.create_array(store, name="x", shape=(3,), dtype="i2", zarr_format=2)
    z[...] = [1, 2, 3]
    store.set("x/.zgroup", json.dumps({"zarr_format": 2}).encode())
    with pytest.raises(errors.ContainsArrayAndGroupError, match=r"\.zarray.*\.zgroup") as info:
        zarrdist.open(store, path="x", zarr_format=2)
    assert info.value.path == "x"
    # Nothing was removed: the array's bytes are still there for the user to sort out.
    assert store.get("x/.zarray") is not None
    assert store.get("x/0") is not None


def test_bad_node_type_is_node_type_validation_error() -> None:
    store = MemoryStore()
    store.set("zarr.json", json.dumps({"zarr_format": 3, "node_type": "table"}).encode())
    with pytest.raises(errors.NodeTypeValidationError, match="node_type") as info:
        zarrdist.open(store)
    assert isinstance(info.value, ValueError)
    assert info.value.key == "zarr.json"


def test_warnings_use_zarr_python_categories() -> None:
    with pytest.warns(errors.ZarrDeprecationWarning, match="zarr_version"):
        zarrdist.create(shape=(2,), store=MemoryStore(), zarr_version=3)
    with pytest.warns(errors.ZarrRuntimeWarning, match="synchronizer"):
        zarrdist.create(shape=(2,), store=MemoryStore(), synchronizer=object())
    # A filter naming zarr-python's category silences ours.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.filterwarnings("ignore", category=errors.ZarrRuntimeWarning)
        zarrdist.create(shape=(2,), store=MemoryStore(), synchronizer=object())


def test_deprecated_compressor_property_as_zarr_python() -> None:
    import zarr

    for lib in (zarrdist, zarr):
        v2 = lib.create_array(lib.storage.MemoryStore(), shape=(2,), dtype="i1", zarr_format=2)
        with pytest.warns(errors.ZarrDeprecationWarning if lib is zarrdist else DeprecationWarning):
            compressor = v2.compressor
        assert compressor.get_config() == {"id": "zstd", "level": 0, "checksum": False}
        v3 = lib.create_array(lib.storage.MemoryStore(), shape=(2,), dtype="i1")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with pytest.raises(TypeError, match="not available for Zarr format 3"):
                _ = v3.compressor


@pytest.mark.parametrize(
    "name",
    [
        "ArrayNotFoundError",
        "GroupNotFoundError",
        "ContainsArrayError",
        "ContainsGroupError",
        "ContainsArrayAndGroupError",
    ],
)
def test_store_and_path_form_as_zarr_python(name: str) -> None:
    """zarr-python's positional ``Error(store, path)``: the same message, and the two
    values kept as attributes (the keyword form is zarrdist's own)."""
    ours = getattr(errors, name)("memory://x", "a/b")
    assert str(ours) == str(getattr(peer_errors, name)("memory://x", "a/b"))
    assert (ours.store, ours.path) == ("memory://x", "a/b")
    assert str(pickle.loads(pickle.dumps(ours))) == str(ours)
    with pytest.raises(TypeError, match=name):
        getattr(errors, name)("a", "b", "c")


@pytest.mark.parametrize("name", ["MetadataValidationError", "NodeTypeValidationError"])
def test_name_expected_got_form_as_zarr_python(name: str) -> None:
    ours = getattr(errors, name)("node_type", "array", "banana")
    assert str(ours) == str(getattr(peer_errors, name)("node_type", "array", "banana"))
