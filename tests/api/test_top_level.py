"""The ``zarrdist`` namespace: zarr-python's public names, modules, logging, debug info."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import zarr as zarr_python
import zarr.dtype as peer_dtype

import zarrdist as zarr
from zarrdist.dtype.datatypes import DataType

#: zarr-python's async classes have no counterpart: zarrdist has no async API.
NOT_PROVIDED: set[str] = set()


def test_every_zarr_python_name_exists() -> None:
    missing = sorted(n for n in zarr_python.__all__ if not hasattr(zarr, n))
    assert set(missing) == NOT_PROVIDED
    assert set(zarr.__all__) >= set(zarr_python.__all__) - NOT_PROVIDED
    assert sorted(zarr.__all__) == sorted(dir(zarr))


def test_function_names_survive_submodule_imports() -> None:
    code = (
        "from zarrdist.config import config as c\n"
        "import zarrdist.config, zarrdist.api.arrays.array, zarrdist.api.hierarchy.group\n"
        "import zarrdist as zarr\n"
        "assert callable(zarr.array) and callable(zarr.group), (zarr.array, zarr.group)\n"
        "assert zarr.config is c and hasattr(zarr.config, 'set')\n"
        "assert zarr.array([1, 2])[:].tolist() == [1, 2]\n"
        "from zarrdist.api.arrays.array import Array\n"
        "assert zarr.Array is Array\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd="/")


def test_import_loads_no_dask() -> None:
    code = (
        "import sys, zarrdist, zarrdist.storage, zarrdist.dtype\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in {'dask', 'distributed'})\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd="/")


def test_direct_reads_and_writes_load_no_dask(tmp_path: Path) -> None:
    """Creating, opening and small reads and writes never build a graph, so a fresh
    process that only does those does not import dask (a user's first call pays
    for the graph modules only when a graph is built)."""
    code = (
        "import sys, numpy as np, zarrdist\n"
        f"path = {str(tmp_path / 'a')!r}\n"
        "z = zarrdist.create_array(path, shape=(40, 40), chunks=(10, 10), dtype='i4')\n"
        "z[0] = 1\n"
        "z[5:25, 5:25] = np.arange(400).reshape(20, 20)\n"
        "z[30:] = 7\n"
        "g = zarrdist.open_group(path + '-g', mode='w')\n"
        "g.create_array('x', shape=(4,), dtype='f8')[:] = 2.5\n"
        "a = zarrdist.open_array(path)\n"
        "assert a[0].tolist() == [1] * 40, a[0]\n"
        "assert a[6, 6] == 21 and a[39, 39] == 7\n"
        "assert zarrdist.open_array(path + '-g', path='x')[:].tolist() == [2.5] * 4\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in {'dask', 'distributed'})\n"
        "assert not bad, bad\n"
        "big = zarrdist.zeros((64, 64), chunks=(8, 8))\n"
        "big[...] = 1.0\n"
        "assert big.to_dask().sum().compute() == 64 * 64\n"
        "assert 'dask' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd="/")


def test_storage_names() -> None:
    for name in (
        "LocalStore",
        "MemoryStore",
        "ZipStore",
        "FsspecStore",
        "WrapperStore",
        "LoggingStore",
        "StoreLike",
        "StorePath",
    ):
        assert hasattr(zarr.storage, name), name
        assert hasattr(zarr_python.storage, name), name
    store = zarr.storage.make_store({})
    assert isinstance(store, zarr.storage.MemoryStore)


def test_codecs_names() -> None:
    for name in (
        "BloscCodec",
        "BytesCodec",
        "Crc32cCodec",
        "GzipCodec",
        "ShardingCodec",
        "TransposeCodec",
        "VLenUTF8Codec",
        "VLenBytesCodec",
        "ZstdCodec",
    ):
        assert hasattr(zarr.codecs, name), name


def test_dtype_names_match_zarr_python() -> None:
    for name in (
        "Int8",
        "Int16",
        "Int32",
        "Int64",
        "UInt8",
        "UInt16",
        "UInt32",
        "UInt64",
        "Float16",
        "Float32",
        "Float64",
        "Complex64",
        "Complex128",
        "Bool",
    ):
        ours, theirs = getattr(zarr.dtype, name)(), getattr(peer_dtype, name)()
        assert ours.to_native() == theirs.to_native_dtype(), name
        assert ours.to_json(3) == theirs.to_json(zarr_format=3), name
    assert zarr.dtype.parse_dtype("int32", zarr_format=3) == zarr.dtype.Int32()
    assert zarr.dtype.parse_dtype(zarr.dtype.Int8()) == zarr.dtype.Int8()
    assert zarr.dtype.FixedLengthUTF32(length=5).to_native() == np.dtype("U5")
    assert zarr.dtype.NullTerminatedBytes(length=3).to_native() == np.dtype("S3")
    assert zarr.dtype.RawBytes(length=2).to_native() == np.dtype("V2")
    assert zarr.dtype.DateTime64(unit="ns").to_native() == np.dtype("M8[ns]")
    assert zarr.dtype.TimeDelta64(unit="s", scale_factor=10).to_native() == np.dtype("m8[10s]")
    structured = zarr.dtype.Structured([("a", zarr.dtype.Int16()), ("b", zarr.dtype.Float32())])
    peer = peer_dtype.Structured(fields=(("a", peer_dtype.Int16()), ("b", peer_dtype.Float32())))
    assert (
        structured.to_native() == peer.to_native_dtype() == np.dtype([("a", "<i2"), ("b", "<f4")])
    )
    assert zarr.dtype.VariableLengthUTF8().to_json(3) == "string"
    assert isinstance(zarr.dtype.VariableLengthBytes(), zarr.dtype.ZDType)
    assert zarr.dtype.ZDType is DataType
    with pytest.raises(zarr.dtype.DataTypeValidationError):
        zarr.dtype.parse_dtype("not-a-type")
    z = zarr.create_array({}, shape=(2,), dtype=zarr.dtype.UInt16())
    assert z.dtype == np.dtype("u2")


@pytest.mark.parametrize("indent", [0, 4, None])
def test_json_indent_writes_metadata_as_zarr_python(indent: int | None) -> None:
    ours, theirs = zarr.storage.MemoryStore(), zarr_python.storage.MemoryStore()
    for lib, store in ((zarr, ours), (zarr_python, theirs)):
        with lib.config.set({"json_indent": indent}):
            lib.create_array(store, name="a", shape=(2,), dtype="i1", attributes={"k": [1]})
            lib.create_group(store, path="g", zarr_format=2)
    for key in ("a/zarr.json", "g/.zgroup"):
        assert ours._store_dict[key].to_bytes() == theirs._store_dict[key].to_bytes(), key
    assert zarr.config.get("json_indent") == 2


def test_config_names_and_alias() -> None:
    assert zarr.config.get("default_zarr_format") == 3
    with zarr.config.set({"default_zarr_version": 2}):
        assert zarr.create_array({}, shape=(1,)).zarr_format == 2
        assert zarr.group().zarr_format == 2


def test_print_debug_info(capsys: pytest.CaptureFixture[str]) -> None:
    zarr.print_debug_info()
    out = capsys.readouterr().out
    assert "zarrdist: " in out
    assert "numpy: " in out
    assert "python: " in out


def test_set_log_level_and_format() -> None:
    from zarrdist.api.debug import _handler

    logger = logging.getLogger("zarrdist")
    try:
        zarr.set_log_level("DEBUG")
        zarr.set_format("zd %(levelname)s %(message)s")
        handler = _handler()
        assert logger.level == logging.DEBUG
        assert handler.level == logging.DEBUG
        assert handler in logger.handlers
        assert logger.handlers.count(handler) == 1
        record = logging.LogRecord("zarrdist", logging.DEBUG, "", 0, "hello", None, None)
        assert handler.format(record) == "zd DEBUG hello"
        zarr.set_log_level("ERROR")
        assert handler.level == logging.ERROR
        assert not logger.isEnabledFor(logging.WARNING)
    finally:
        logger.setLevel(logging.NOTSET)
