"""The golden stores: manifest cases, expected arrays and peer readers.

``tests/data/manifest.json`` lists one case per golden array (see
``tests/data/PROVENANCE.md``).  This module turns it into :class:`Case` objects and
gives the helpers every interop test needs::

    from tests.interop._cases import assert_arrays_identical, cases

    for case in cases(writer="tensorstore"):
        actual = read_somehow(case.array_path)
        assert_arrays_identical(actual, case.expected())

:func:`write_spec` gives the ``create_array`` keyword arguments that describe a case,
so a writer under test can write the same array and :func:`compare_stores_bytes` can
compare its bytes with the golden store.

Nothing here imports zarrdist: the generator uses these helpers too.
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import hashlib
import json
import types
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from tests.interop import _recipes
from tests.interop._compare import (
    METADATA_KEYS,
    StoreDiff,
    assert_arrays_identical,
    compare_metadata,
    compare_stores_bytes,
    store_files,
)

__all__ = [
    "DATA_DIR",
    "MANIFEST_PATH",
    "METADATA_KEYS",
    "Case",
    "Hierarchy",
    "StoreDiff",
    "assert_arrays_identical",
    "cases",
    "compare_metadata",
    "compare_stores_bytes",
    "expected_array",
    "get_case",
    "golden_tree_hash",
    "hierarchies",
    "load_manifest",
    "pinned_gzip_mtime",
    "read_with_tensorstore",
    "read_with_zarr_python",
    "store_files",
    "write_spec",
    "write_with_zarr_python",
]

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
"""The folder that holds the golden stores, the manifest and the generator."""

MANIFEST_PATH = DATA_DIR / "manifest.json"
"""The case list written by ``tests/data/generate.py``."""

# v3 codecs that map arrays to arrays; everything after the first other codec in a
# chain is the serializer and then the compressors.
_ARRAY_ARRAY_CODECS = frozenset({"transpose"})


@dataclass(frozen=True)
class Case:
    """One golden array, as the manifest describes it."""

    name: str
    """Unique case name, also the pytest id."""
    writer: str
    """``"zarr_python"`` or ``"tensorstore"``."""
    path: str
    """The store root, relative to :data:`DATA_DIR` (POSIX separators)."""
    node: str
    """The array's path inside the store; ``""`` when the array is the root."""
    zarr_format: int
    """2 or 3."""
    dtype: Any
    """The data type as the metadata document spells it (v3 ``data_type``, v2 ``dtype``)."""
    shape: tuple[int, ...]
    """Array shape."""
    chunks: tuple[int, ...]
    """Chunk shape (the inner chunk shape of a sharded array)."""
    shards: tuple[int, ...] | None
    """Shard shape, or ``None`` when the array is not sharded."""
    codecs: str
    """Short human description of the codec chain."""
    fill_value: Any
    """The fill value as the metadata document spells it."""
    chunk_key_encoding: dict[str, Any]
    """``{"name": "default" | "v2", "separator": "/" | "."}``."""
    recipe: dict[str, Any]
    """The recipe :func:`expected_array` turns into values."""
    peers: dict[str, str] = field(default_factory=dict)
    """Per peer (``zarr_python``, ``tensorstore``): ``"ok"`` or why it cannot read it."""
    notes: str = ""
    """Anything surprising about the case."""

    @property
    def store_path(self) -> Path:
        """Absolute path of the store root."""
        return DATA_DIR / self.path

    @property
    def array_path(self) -> Path:
        """Absolute path of the array's own folder (the store root for most cases)."""
        return self.store_path / self.node if self.node else self.store_path

    def expected(self) -> np.ndarray[Any, Any]:
        """Return the array a reader must return (a fresh copy each call)."""
        return expected_array(self)

    def written_region(self) -> tuple[slice, ...]:
        """Return the box the writer wrote; elsewhere the array is the fill value."""
        return _recipes.written_region(self.recipe)

    def written_values(self) -> np.ndarray[Any, Any]:
        """Return the values the writer wrote into :meth:`written_region`."""
        return _recipes.written_values(self.recipe)

    def metadata_document(self) -> dict[str, Any]:
        """Return the array metadata as stored: ``zarr.json``, or ``.zarray`` with
        ``"attributes"`` taken from ``.zattrs`` for format 2."""
        if self.zarr_format == 3:
            return _read_json(self.array_path / "zarr.json")
        doc = _read_json(self.array_path / ".zarray")
        attrs_path = self.array_path / ".zattrs"
        doc["attributes"] = _read_json(attrs_path) if attrs_path.exists() else {}
        return doc

    def peer_reads(self, peer: str) -> bool:
        """Whether the manifest says ``peer`` reads this case back equal."""
        return self.peers.get(peer) == "ok"


@dataclass(frozen=True)
class Hierarchy:
    """A golden store holding groups and arrays, with consolidated metadata."""

    name: str
    writer: str
    path: str
    zarr_format: int
    groups: dict[str, dict[str, Any]]
    """Group path (``""`` for the root) to its attributes."""
    arrays: tuple[str, ...]
    """Names of the cases stored in this hierarchy."""
    consolidated: bool

    @property
    def store_path(self) -> Path:
        """Absolute path of the store root."""
        return DATA_DIR / self.path


def _read_json(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as f:
        out: dict[str, Any] = json.load(f)
    return out


@functools.cache
def load_manifest() -> dict[str, Any]:
    """Return the parsed ``tests/data/manifest.json`` (cached; do not mutate)."""
    return _read_json(MANIFEST_PATH)


def _case_from_json(entry: Mapping[str, Any]) -> Case:
    shards = entry.get("shards")
    return Case(
        name=entry["name"],
        writer=entry["writer"],
        path=entry["path"],
        node=entry.get("node", ""),
        zarr_format=int(entry["zarr_format"]),
        dtype=entry["dtype"],
        shape=tuple(entry["shape"]),
        chunks=tuple(entry["chunks"]),
        shards=None if shards is None else tuple(shards),
        codecs=entry["codecs"],
        fill_value=entry.get("fill_value"),
        chunk_key_encoding=dict(entry["chunk_key_encoding"]),
        recipe=dict(entry["recipe"]),
        peers=dict(entry.get("peers", {})),
        notes=entry.get("notes", ""),
    )


def cases(writer: str | None = None, format: int | None = None) -> list[Case]:
    """Return the manifest cases, optionally only one writer's or one format's.

    Parameters
    ----------
    writer : {"zarr_python", "tensorstore"}, optional
        Keep only cases written by this library.
    format : {2, 3}, optional
        Keep only cases of this Zarr format.

    Returns
    -------
    list of Case
        In manifest order; use ``ids=lambda c: c.name`` when parametrising.
    """
    out = [_case_from_json(e) for e in load_manifest()["cases"]]
    if writer is not None:
        out = [c for c in out if c.writer == writer]
    if format is not None:
        out = [c for c in out if c.zarr_format == format]
    return out


def get_case(name: str) -> Case:
    """Return the case called ``name``.

    Raises
    ------
    KeyError
        If the manifest has no such case.
    """
    for entry in load_manifest()["cases"]:
        if entry["name"] == name:
            return _case_from_json(entry)
    raise KeyError(f"no golden case named {name!r} in {MANIFEST_PATH}")


def hierarchies() -> list[Hierarchy]:
    """Return the golden hierarchies (groups, arrays, consolidated metadata)."""
    return [
        Hierarchy(
            name=h["name"],
            writer=h["writer"],
            path=h["path"],
            zarr_format=int(h["zarr_format"]),
            groups={k: dict(v) for k, v in h["groups"].items()},
            arrays=tuple(h["arrays"]),
            consolidated=bool(h["consolidated"]),
        )
        for h in load_manifest()["hierarchies"]
    ]


def expected_array(case: Case | Mapping[str, Any]) -> np.ndarray[Any, Any]:
    """Return the array a reader must return for ``case``.

    Parameters
    ----------
    case : Case or Mapping
        A case, a manifest entry, or a bare recipe.

    Returns
    -------
    numpy.ndarray
        Values regenerated from the recipe; variable-length strings and bytes are
        ``object`` arrays.
    """
    if isinstance(case, Case):
        recipe: Mapping[str, Any] = case.recipe
    else:
        recipe = case.get("recipe", case)
    return _recipes.expected_array(recipe)


@contextlib.contextmanager
def _quiet_zarr() -> Iterator[None]:
    """Silence the two warnings zarr-python gives about golden cases by design.

    v3 dtypes without a spec yet (U, S, V), and a codec in front of sharding (which
    costs it partial reads) are what those cases are there to test.
    """
    from zarr.errors import UnstableSpecificationWarning, ZarrUserWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnstableSpecificationWarning)
        warnings.filterwarnings("ignore", "Combining a `sharding_indexed` codec", ZarrUserWarning)
        yield


def read_with_zarr_python(path: str | Path) -> np.ndarray[Any, Any]:
    """Read the whole array stored at ``path`` with zarr-python, read-only.

    Parameters
    ----------
    path : str or Path
        The array's folder (:attr:`Case.array_path`).

    Returns
    -------
    numpy.ndarray
        What zarr-python returns (0-d arrays come back as 0-d arrays).
    """
    import zarr
    from zarr.storage import LocalStore

    with _quiet_zarr():
        array = zarr.open_array(store=LocalStore(str(path), read_only=True), mode="r")
        return np.asarray(array[...])


def read_with_tensorstore(path: str | Path, zarr_format: int) -> np.ndarray[Any, Any]:
    """Read the whole array stored at ``path`` with TensorStore, read-only.

    Parameters
    ----------
    path : str or Path
        The array's folder.
    zarr_format : {2, 3}
        Picks the ``zarr`` (v2) or ``zarr3`` driver.

    Returns
    -------
    numpy.ndarray
        The array.  A v2 structured array is read one field at a time (TensorStore
        opens fields separately) and reassembled.
    """
    import tensorstore as ts

    path = Path(path)
    driver = "zarr3" if zarr_format == 3 else "zarr"
    spec: dict[str, Any] = {"driver": driver, "kvstore": {"driver": "file", "path": str(path)}}
    if zarr_format == 2:
        dtype = _read_json(path / ".zarray")["dtype"]
        if isinstance(dtype, list):
            numpy_dtype = _recipes.recipe_dtype({"dtype": dtype})
            fields = {}
            for name in numpy_dtype.names or ():
                store = ts.open({**spec, "field": name}, open=True, read=True).result()
                fields[name] = store.read().result()
            shape = next(iter(fields.values())).shape
            out = np.empty(shape, dtype=numpy_dtype)
            for name, values in fields.items():
                out[name] = values
            return out
    store = ts.open(spec, open=True, read=True).result()
    if store.dtype == ts.byte:
        # zarr3 "raw_bytes" opens as TensorStore's "byte" dtype, which the Python
        # binding turns into zero-width NumPy voids: the values never arrive.
        raise TypeError(
            f"TensorStore reads {path.name} as dtype 'byte', which it cannot convert to NumPy"
        )
    return np.asarray(store.read().result())


def _v3_split(chain: list[dict[str, Any]]) -> dict[str, Any]:
    split = next(i for i, c in enumerate(chain) if c["name"] not in _ARRAY_ARRAY_CODECS)
    return {
        "filters": chain[:split],
        "serializer": chain[split],
        "compressors": chain[split + 1 :],
    }


def _fill_scalar(doc: Mapping[str, Any], zarr_format: int, dtype_json: Any) -> Any:
    # zarr-python decodes the JSON fill value: it is the peer that defines the meaning.
    from zarr.dtype import parse_dtype

    with _quiet_zarr():
        zdtype = parse_dtype(dtype_json, zarr_format=zarr_format)  # type: ignore[arg-type]
        if doc["fill_value"] is None:
            return None
        return zdtype.from_json_scalar(doc["fill_value"], zarr_format=zarr_format)  # type: ignore[arg-type]


def write_spec(case: Case, *, codecs: str = "split") -> dict[str, Any]:
    """Return the ``create_array`` keyword arguments that describe ``case``.

    Everything but the fill value (a NumPy scalar, or ``str``/``bytes``) is JSON.

    Parameters
    ----------
    case : Case
        The golden case.
    codecs : {"split", "chain"}
        ``"split"`` (zarr-python 3.1.5's keywords): v3 codecs as ``filters``,
        ``serializer`` and ``compressors``, the grid chunks as ``chunks`` and
        ``shards=None`` (a sharded array has ``serializer`` = its
        ``sharding_indexed`` JSON).  ``"chain"``: the whole v3 chain as
        ``codecs=[...]`` (the seed's spelling).  v2 cases give ``filters`` (a list of
        numcodecs configs or ``None``) and ``compressors`` (one config or ``None``)
        either way.

    Returns
    -------
    dict
        Keys ``shape``, ``dtype``, ``chunks``, ``fill_value``, ``zarr_format``,
        ``chunk_key_encoding``, ``attributes``, and for v3 ``shards``,
        ``dimension_names`` and the codec keys, for v2 ``order``, ``filters`` and
        ``compressors``.  The dtype is the metadata JSON; for v2 ``"|O"`` it is the
        ``{"name": "|O", "object_codec_id": ...}`` form zarr-python accepts.
    """
    doc = case.metadata_document()
    spec: dict[str, Any] = {"shape": tuple(doc["shape"]), "zarr_format": case.zarr_format}
    if case.zarr_format == 3:
        spec["dtype"] = doc["data_type"]
        spec["chunks"] = tuple(doc["chunk_grid"]["configuration"]["chunk_shape"])
        spec["shards"] = None
        if codecs == "chain":
            spec["codecs"] = doc["codecs"]
        else:
            spec.update(_v3_split(doc["codecs"]))
        cke = doc["chunk_key_encoding"]
        spec["chunk_key_encoding"] = {
            "name": cke["name"],
            "separator": cke.get("configuration", {}).get(
                "separator", "/" if cke["name"] == "default" else "."
            ),
        }
        spec["dimension_names"] = doc.get("dimension_names")
    else:
        object_ids = {"vlen-utf8", "vlen-bytes", "vlen-array", "json2", "pickle", "msgpack2"}
        object_codec = next((f["id"] for f in doc["filters"] or () if f["id"] in object_ids), None)
        spec["dtype"] = (
            {"name": doc["dtype"], "object_codec_id": object_codec}
            if doc["dtype"] == "|O"
            else doc["dtype"]
        )
        spec["chunks"] = tuple(doc["chunks"])
        spec["order"] = doc["order"]
        spec["filters"] = doc["filters"]
        spec["compressors"] = doc["compressor"]
        spec["chunk_key_encoding"] = {
            "name": "v2",
            "separator": doc.get("dimension_separator", "."),
        }
    spec["fill_value"] = _fill_scalar(doc, case.zarr_format, spec["dtype"])
    spec["attributes"] = doc.get("attributes", {})
    return spec


@contextlib.contextmanager
def pinned_gzip_mtime() -> Iterator[None]:
    """Write gzip headers with mtime 0, so gzip chunks are reproducible.

    numcodecs' ``GZip`` lets :class:`gzip.GzipFile` stamp the wall clock into every
    header; the golden stores were written under this context, and a writer compared
    byte for byte with them must be too (or write mtime 0 itself, as zarrdist may).
    """
    # Only the gzip module's own reference to ``time`` is replaced.
    original = gzip.time  # type: ignore[attr-defined]
    gzip.time = types.SimpleNamespace(time=lambda: 0.0)  # type: ignore[attr-defined]
    try:
        yield
    finally:
        gzip.time = original  # type: ignore[attr-defined]


def _zarr_python_kwargs(case: Case) -> dict[str, Any]:
    import numcodecs

    spec = write_spec(case)
    if case.zarr_format == 2:
        # zarr-python 3.1.5 takes v2 filters only as numcodecs objects, not configs.
        if spec["filters"] is not None:
            spec["filters"] = [numcodecs.get_codec(dict(f)) for f in spec["filters"]]
        if spec["compressors"] is not None:
            spec["compressors"] = numcodecs.get_codec(dict(spec["compressors"]))
    return spec


def write_with_zarr_python(case: Case, dest: str | Path) -> Path:
    """Write ``case``'s values with zarr-python from :func:`write_spec`, into ``dest``.

    Only :meth:`Case.written_region` is written, as the golden writer did.

    Returns
    -------
    Path
        ``dest``, the new array's folder.
    """
    import zarr

    dest = Path(dest)
    with _quiet_zarr(), pinned_gzip_mtime():
        array = zarr.create_array(store=str(dest), **_zarr_python_kwargs(case))
        array[case.written_region()] = case.written_values()
    return dest


def golden_tree_hash() -> str:
    """Return one SHA-256 over every golden store file and the manifest.

    ``tests/data/PROVENANCE.md`` records the value the generator produced, so a test
    can tell when a golden byte changed without the generator being rerun.
    """
    digest = hashlib.sha256()
    files = {
        f"{top}/{k}": p
        for top in ("zarr_python", "tensorstore")
        for k, p in store_files(DATA_DIR / top).items()
    }
    files["manifest.json"] = MANIFEST_PATH
    for key in sorted(files):
        digest.update(key.encode() + b"\0" + hashlib.sha256(files[key].read_bytes()).digest())
    return digest.hexdigest()
