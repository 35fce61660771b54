"""Regenerate the values of a golden store from its manifest recipe.

The golden stores under ``tests/data`` hold arrays whose values are never stored a
second time: each manifest case carries a *recipe* (a seed, a dtype, a shape, a value
family, a fill value and the region that was written), and :func:`expected_array`
turns it back into the exact NumPy array a reader must return.  The generator
(``tests/data/generate.py``) calls the same function to get the values it writes,
so the two can never drift apart.

This module needs NumPy only, so the generator can load it in a bare environment.

A recipe is a JSON object with these keys:

``values``
    The value family: ``bool``, ``ints``, ``floats``, ``complex``, ``grid``,
    ``utf8``, ``vlen_bytes``, ``fixed_utf32``, ``fixed_bytes``, ``raw_bytes``,
    ``datetime``, ``timedelta`` or ``structured``.
``dtype``
    A NumPy dtype string (byte order included) or, for ``structured``, a list of
    ``[name, dtype]`` pairs.  Variable-length families use ``"|O"``.
``shape``, ``seed``
    The array shape and the seed of :func:`numpy.random.default_rng`.
``fill_value``
    The fill value in the JSON form of :func:`decode_fill_value`; ``null`` only
    where the whole array is written.
``region``
    ``[[start, stop], ...]`` per dimension: only this box was written, the rest
    reads as the fill value.  ``null`` means everything was written.
``specials``
    Floats only: put NaN, +/-Infinity and -0.0 at fixed places.
``low``, ``high``
    Optional inclusive bounds for ``ints``, ``grid`` (the integer numerator),
    ``datetime`` and ``timedelta``.
``scale``, ``offset``
    ``grid`` only: values are ``k / scale + offset`` for random integers ``k``, which
    lossy filters (fixedscaleoffset, quantize, astype) reproduce exactly.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

__all__ = [
    "decode_fill_value",
    "expected_array",
    "recipe_dtype",
    "written_region",
    "written_values",
]

# Characters that exercise UTF-8 widths 1 to 4, plus a tab and a space.
_UTF8_ALPHABET = list("abcXYZ019 \téß€中文🙂")
_VLEN_MAX = 12
_NAT = np.iinfo(np.int64).min


def recipe_dtype(recipe: Mapping[str, Any]) -> np.dtype[Any]:
    """Return the NumPy dtype a recipe describes.

    Parameters
    ----------
    recipe : Mapping
        A manifest recipe.

    Returns
    -------
    numpy.dtype
        The dtype, with its byte order; structured dtypes keep their field order.
    """
    spec = recipe["dtype"]
    if isinstance(spec, list):
        return np.dtype([(str(name), str(sub)) for name, sub in spec])
    return np.dtype(spec)


def _float_from_json(value: Any, dtype: np.dtype[Any]) -> Any:
    """Decode one float in the Zarr JSON form (number, NaN, +/-Infinity, hex bits)."""
    if isinstance(value, str):
        named = {"NaN": np.nan, "Infinity": np.inf, "-Infinity": -np.inf}
        if value in named:
            return dtype.type(named[value])
        if value.startswith("0x"):
            # Hex strings carry the exact bits, big-endian, as the Zarr v3 spec says;
            # going through the bits keeps a NaN payload intact.
            raw = bytes.fromhex(value[2:])
            return np.frombuffer(raw, dtype=dtype.newbyteorder(">"))[0].astype(dtype)
        raise ValueError(f"recipe fill_value {value!r} is not a float encoding")
    return dtype.type(value)


def decode_fill_value(value: Any, dtype: np.dtype[Any]) -> Any:
    """Turn a recipe fill value into a NumPy scalar (or Python object) of ``dtype``.

    Parameters
    ----------
    value : JSON value
        Floats: a number, ``"NaN"``, ``"Infinity"``, ``"-Infinity"`` or ``"0x"``
        followed by the big-endian bits.  Complex: ``[real, imag]`` of those.
        Datetime and timedelta: an integer count or ``"NaT"``.  Fixed-length and
        variable-length bytes, raw bytes and structured values: base64 of the bytes.
        Strings: the string.  ``None`` stays ``None``.
    dtype : numpy.dtype
        The array dtype (``object`` for the variable-length families).

    Returns
    -------
    object
        The scalar to fill with.
    """
    if value is None:
        return None
    kind = dtype.kind
    if kind == "f":
        return _float_from_json(value, dtype)
    if kind == "c":
        part = np.dtype(f"{dtype.byteorder}f{dtype.itemsize // 2}")
        return dtype.type(
            complex(_float_from_json(value[0], part), _float_from_json(value[1], part))
        )
    if kind in "mM":
        count = _NAT if value == "NaT" else int(value)
        return np.array(count, dtype="<i8").view(dtype.newbyteorder("<"))[()]
    if kind in "SV" or (kind == "O" and isinstance(value, dict)):
        raw = base64.b64decode(value["base64"] if isinstance(value, dict) else value)
        if kind == "O":
            return raw
        if kind == "S" and not dtype.names:
            # Shorter fixed-length bytes are NUL-padded, as NumPy does.
            return dtype.type(raw)
        return np.frombuffer(raw, dtype=dtype)[0]
    if kind == "b":
        return np.bool_(value)
    if kind == "O":
        return str(value)
    return dtype.type(value)


def _region_shape(recipe: Mapping[str, Any]) -> tuple[int, ...]:
    region = recipe.get("region")
    if region is None:
        return tuple(int(n) for n in recipe["shape"])
    return tuple(int(stop) - int(start) for start, stop in region)


def _ints(
    rng: np.random.Generator,
    dtype: np.dtype[Any],
    shape: tuple[int, ...],
    recipe: Mapping[str, Any],
) -> np.ndarray[Any, Any]:
    native = dtype.newbyteorder("=")
    info = np.iinfo(native)
    low = int(recipe.get("low", info.min))
    high = int(recipe.get("high", info.max))
    return rng.integers(low, high, size=shape, dtype=native, endpoint=True).astype(dtype)


def _floats(
    rng: np.random.Generator,
    dtype: np.dtype[Any],
    shape: tuple[int, ...],
    recipe: Mapping[str, Any],
) -> np.ndarray[Any, Any]:
    scale = 100.0 if dtype.itemsize == 2 else 1.0e4
    values = (rng.standard_normal(size=shape) * scale).astype(dtype)
    if recipe.get("specials"):
        flat = values.reshape(-1)
        specials = [np.nan, np.inf, -np.inf, -0.0, 0.0]
        # Spread the specials so that several chunks hold one.
        step = max(1, flat.size // len(specials))
        for i, special in enumerate(specials):
            flat[(i * step + 1) % flat.size] = special
    return values


def _complex(
    rng: np.random.Generator,
    dtype: np.dtype[Any],
    shape: tuple[int, ...],
    recipe: Mapping[str, Any],
) -> np.ndarray[Any, Any]:
    real = rng.standard_normal(size=shape) * 1.0e3
    imag = rng.standard_normal(size=shape) * 1.0e3
    values = (real + 1j * imag).astype(dtype)
    if recipe.get("specials") and values.size > 2:
        values.reshape(-1)[1] = complex(np.nan, 1.5)
        values.reshape(-1)[2] = complex(-np.inf, -0.0)
    return values


def _grid(
    rng: np.random.Generator,
    dtype: np.dtype[Any],
    shape: tuple[int, ...],
    recipe: Mapping[str, Any],
) -> np.ndarray[Any, Any]:
    numerators = rng.integers(int(recipe["low"]), int(recipe["high"]), size=shape, endpoint=True)
    # The same float64 arithmetic the lossy filters use to decode, so values are exact.
    return ((numerators.astype("f8") / float(recipe["scale"])) + float(recipe["offset"])).astype(
        dtype
    )


def _times(
    rng: np.random.Generator,
    dtype: np.dtype[Any],
    shape: tuple[int, ...],
    recipe: Mapping[str, Any],
) -> np.ndarray[Any, Any]:
    low = int(recipe.get("low", -(2**40)))
    high = int(recipe.get("high", 2**40))
    counts = rng.integers(low, high, size=shape, dtype="i8", endpoint=True)
    if counts.size > 1:
        counts.reshape(-1)[1] = _NAT
    return counts.astype("<i8").view(dtype.newbyteorder("<")).astype(dtype)


def _utf8(rng: np.random.Generator, shape: tuple[int, ...], max_len: int) -> list[str]:
    lengths = rng.integers(0, max_len, size=int(np.prod(shape)), endpoint=True)
    picks = rng.integers(0, len(_UTF8_ALPHABET), size=int(lengths.sum()))
    out, at = [], 0
    for n in lengths:
        out.append("".join(_UTF8_ALPHABET[i] for i in picks[at : at + n]))
        at += n
    return out


def _byte_strings(rng: np.random.Generator, count: int, max_len: int, low: int) -> list[bytes]:
    lengths = rng.integers(0, max_len, size=count, endpoint=True)
    return [
        rng.integers(low, 255, size=int(n), endpoint=True, dtype="u1").tobytes() for n in lengths
    ]


def _object_array(items: Sequence[Any], shape: tuple[int, ...]) -> np.ndarray[Any, Any]:
    out = np.empty(len(items), dtype=object)
    out[:] = list(items)
    return out.reshape(shape)


def _strings(
    family: str, rng: np.random.Generator, dtype: np.dtype[Any], shape: tuple[int, ...]
) -> np.ndarray[Any, Any]:
    count = int(np.prod(shape))
    if family == "utf8":
        return _object_array(_utf8(rng, shape, _VLEN_MAX), shape)
    if family == "vlen_bytes":
        # Any byte, NUL included: variable-length bytes keep every byte.
        return _object_array(_byte_strings(rng, count, _VLEN_MAX, 0), shape)
    if family == "fixed_utf32":
        # No NUL characters: NumPy strips trailing NULs, so they could not round-trip.
        chars = dtype.itemsize // 4
        return np.array(_utf8(rng, shape, chars), dtype=dtype).reshape(shape)
    if family == "fixed_bytes":
        return np.array(_byte_strings(rng, count, dtype.itemsize, 1), dtype=dtype).reshape(shape)
    raw = rng.integers(0, 255, size=count * dtype.itemsize, endpoint=True, dtype="u1")
    return raw.view(dtype).reshape(shape)


def _values(
    recipe: Mapping[str, Any], dtype: np.dtype[Any], shape: tuple[int, ...], seed: int
) -> np.ndarray[Any, Any]:
    rng = np.random.default_rng(seed)
    family = recipe["values"]
    if family == "bool":
        return rng.random(size=shape) < 0.5
    if family == "ints":
        return _ints(rng, dtype, shape, recipe)
    if family == "floats":
        return _floats(rng, dtype, shape, recipe)
    if family == "complex":
        return _complex(rng, dtype, shape, recipe)
    if family == "grid":
        return _grid(rng, dtype, shape, recipe)
    if family in ("datetime", "timedelta"):
        return _times(rng, dtype, shape, recipe)
    if family in ("utf8", "vlen_bytes", "fixed_utf32", "fixed_bytes", "raw_bytes"):
        return _strings(family, rng, dtype, shape)
    if family == "structured":
        out = np.empty(shape, dtype=dtype)
        for i, name in enumerate(dtype.names or ()):
            field = dtype.fields[name][0]  # type: ignore[index]
            sub = {
                "values": "floats" if field.kind == "f" else "ints",
                "low": -(2**20),
                "high": 2**20,
            }
            out[name] = _values(sub, field, shape, seed + 1 + i)
        return out
    raise ValueError(f"recipe values family {family!r} is unknown")


def written_region(recipe: Mapping[str, Any]) -> tuple[slice, ...]:
    """Return the box of the array that the writer wrote.

    Parameters
    ----------
    recipe : Mapping
        A manifest recipe.

    Returns
    -------
    tuple of slice
        One slice per dimension; the whole array when the recipe has no region.
    """
    region = recipe.get("region")
    if region is None:
        return tuple(slice(0, int(n)) for n in recipe["shape"])
    return tuple(slice(int(start), int(stop)) for start, stop in region)


def written_values(recipe: Mapping[str, Any]) -> np.ndarray[Any, Any]:
    """Return the values written into :func:`written_region`.

    Parameters
    ----------
    recipe : Mapping
        A manifest recipe.

    Returns
    -------
    numpy.ndarray
        The block of values, of the recipe dtype (``object`` for variable-length
        strings and bytes).
    """
    return _values(recipe, recipe_dtype(recipe), _region_shape(recipe), int(recipe["seed"]))


def expected_array(recipe: Mapping[str, Any]) -> np.ndarray[Any, Any]:
    """Return the whole array a reader must return for a golden store.

    Parameters
    ----------
    recipe : Mapping
        A manifest recipe.

    Returns
    -------
    numpy.ndarray
        The written values inside the region and the fill value elsewhere.

    Raises
    ------
    ValueError
        If part of the array is unwritten and the recipe has no fill value.
    """
    dtype = recipe_dtype(recipe)
    values = written_values(recipe)
    if recipe.get("region") is None:
        return values
    fill = decode_fill_value(recipe.get("fill_value"), dtype)
    if fill is None:
        raise ValueError("recipe writes only a region but has no fill_value")
    shape = tuple(int(n) for n in recipe["shape"])
    out = np.empty(shape, dtype=dtype)
    if dtype.kind == "O":
        out[...] = _object_array([fill] * out.size, shape)
    else:
        out[...] = fill
    out[written_region(recipe)] = values
    return out
