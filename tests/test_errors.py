"""The exception hierarchy: builtins callers catch, messages that name things, pickling."""

from __future__ import annotations

import inspect
import pickle

import pytest

from zarrdist import errors

ERROR_CLASSES = [
    obj
    for obj in vars(errors).values()
    if inspect.isclass(obj) and issubclass(obj, errors.ZarrdistError)
]

CONTEXT = {
    "store": "s3://bucket/x.zarr",
    "key": "a/c/0/1",
    "path": "a/b",
    "codec": "zstd",
    "projected": 10,
    "allowed": 5,
    "problems": [errors.Problem("codecs.0", "bad", "value")],
}


def _make(cls: type[errors.ZarrdistError]) -> errors.ZarrdistError:
    params = inspect.signature(cls.__init__).parameters
    kwargs = {name: CONTEXT[name] for name in params if name in CONTEXT}
    return cls("something failed", **kwargs)


@pytest.mark.parametrize("cls", ERROR_CLASSES, ids=lambda c: c.__name__)
def test_pickle_keeps_message_and_attributes(cls: type[errors.ZarrdistError]) -> None:
    error = _make(cls)
    clone = pickle.loads(pickle.dumps(error))
    assert type(clone) is cls
    assert str(clone) == str(error)
    assert vars(clone) == vars(error)


@pytest.mark.parametrize(
    ("cls", "builtin"),
    [
        (errors.ReadOnlyStoreError, PermissionError),
        (errors.ByteRangeError, ValueError),
        (errors.NodeNotFoundError, FileNotFoundError),
        (errors.ArrayNotFoundError, FileNotFoundError),
        (errors.ContainsNodeError, FileExistsError),
        (errors.ContainsNodeError, ValueError),
        (errors.NodeNotFoundError, ValueError),
        (errors.MetadataError, ValueError),
        (errors.UnknownCodecError, ValueError),
        (errors.ChecksumError, ValueError),
        (errors.SelectionError, IndexError),
        (errors.ValueShapeError, ValueError),
        (errors.ValueShapeError, IndexError),
        (errors.GraphError, ValueError),
        (errors.MemoryBudgetError, MemoryError),
    ],
)
def test_errors_are_the_builtins_callers_catch(
    cls: type[errors.ZarrdistError], builtin: type[BaseException]
) -> None:
    assert issubclass(cls, builtin)
    assert issubclass(cls, errors.ZarrdistError)


def test_message_names_store_and_key() -> None:
    error = errors.StoreError("could not read", store="s3://b/x.zarr", key="a/c/0/1")
    assert str(error) == "could not read (store='s3://b/x.zarr', key='a/c/0/1')"
    assert error.store == "s3://b/x.zarr"
    assert error.key == "a/c/0/1"


def test_metadata_error_lists_every_problem() -> None:
    problems = [errors.Problem("shape", "must be a list"), errors.Problem("dtype", "unknown")]
    error = errors.MetadataError("invalid array metadata", key="zarr.json", problems=problems)
    text = str(error)
    assert "shape: must be a list" in text
    assert "dtype: unknown" in text
    assert text.endswith("(key='zarr.json')")
