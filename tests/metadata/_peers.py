"""zarr-python 3.1.5 as the reference: the documents it writes for a given array."""

from __future__ import annotations

import json
import warnings
from typing import Any

import numpy as np

__all__ = ["ZARR_DTYPE_CASES", "pad_bytes_fill", "zarr_documents", "zarr_read_dtype"]

#: dtype-likes zarr-python 3.1.5 accepts, in both formats.
ZARR_DTYPE_CASES: list[Any] = [
    "bool",
    "int8",
    "int16",
    "int32",
    "int64",
    "uint8",
    "uint16",
    "uint32",
    "uint64",
    "float16",
    "float32",
    "float64",
    ">f4",
    ">i8",
    "complex64",
    "complex128",
    ">c16",
    str,
    "U5",
    ">U3",
    "S5",
    "V4",
    "M8[ns]",
    "M8[D]",
    ">m8[10s]",
    "m8[ms]",
    np.dtype([("a", "<i4"), ("b", ">f8")]),
    np.dtype([("x", "u1"), ("y", "S3"), ("z", "<M8[s]")]),
]


def zarr_documents(
    dtype: Any, zarr_format: int, fill_value: Any = None, **kwargs: Any
) -> dict[str, Any]:
    """The parsed documents zarr-python writes for a (3,)-shaped array of ``dtype``."""
    import zarr
    from zarr.storage import MemoryStore

    store = MemoryStore()
    if fill_value is not None:
        kwargs["fill_value"] = fill_value
    with warnings.catch_warnings():
        # zarr-python warns that several v3 data types are unstable; that is its concern.
        warnings.simplefilter("ignore")
        zarr.create_array(
            store,
            shape=kwargs.pop("shape", (3,)),
            chunks=kwargs.pop("chunks", (2,)),
            dtype=dtype,
            zarr_format=zarr_format,
            **kwargs,
        )
    out = {}
    for key, value in store._store_dict.items():
        out[key] = json.loads(value.to_bytes())
        out[key + ":bytes"] = value.to_bytes()
    return out


def zarr_read_dtype(documents: dict[str, Any], zarr_format: int) -> np.dtype[Any]:
    """The in-memory dtype zarr-python gives when it opens these documents."""
    import zarr
    from zarr.core.buffer import default_buffer_prototype
    from zarr.storage import MemoryStore

    store = MemoryStore()
    proto = default_buffer_prototype()
    for key, value in documents.items():
        if key.endswith(":bytes"):
            store._store_dict[key[: -len(":bytes")]] = proto.buffer.from_bytes(value)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        array = zarr.open_array(store, mode="r", zarr_format=zarr_format)
        return np.dtype(array.dtype)


def pad_bytes_fill(raw: bytes) -> bytes:
    """A zarr-python document as zarrdist writes it: fixed-length bytes fill values padded.

    zarr-python 3.1.5 strips the null padding from the base64 fill value of ``S``
    arrays, which TensorStore refuses; zarrdist keeps it (the seed asks for fill
    values other implementations can read). Everything else is unchanged.
    """
    import base64
    import re

    document = json.loads(raw)
    if not isinstance(document, dict) or not isinstance(document.get("fill_value"), str):
        return raw
    dtype = document.get("data_type", document.get("dtype"))
    if isinstance(dtype, dict) and dtype.get("name") == "null_terminated_bytes":
        length = dtype["configuration"]["length_bytes"]
    elif isinstance(dtype, str) and re.fullmatch(r"\|S\d+", dtype):
        length = int(dtype[2:])
    else:
        return raw
    value = base64.b64decode(document["fill_value"]).ljust(length, b"\0")
    document["fill_value"] = base64.b64encode(value).decode("ascii")
    return json.dumps(document, indent=2, allow_nan=True).encode()
