"""Chunking-independent fingerprints of array regions (NumPy only).

Comparing two arrays chunked across each other (one by time, one by space) by
reading matching regions reads one of them many times over. Instead each array is
read once, in its own units: every element contributes ``mix(index, value)`` to the
fingerprint of the region that holds it, and fingerprints add (modulo 2**64), so
it does not matter which unit an element arrived in. Equal fingerprints mean equal
regions with overwhelming probability; a differing region is then compared element
by element.

Values are compared as :func:`zarrdist.graphs.copy.values_equal` does: in native
byte order, with every NaN alike and ``-0.0`` equal to ``0.0``.

>>> a = np.arange(12.0).reshape(3, 4)
>>> whole = region_sums(element_hashes(a, (0, 0), a.shape), (0, 0), (2, 2))
>>> parts = region_sums(element_hashes(a[:, :3], (0, 0), a.shape), (0, 0), (2, 2))
>>> rest = region_sums(element_hashes(a[:, 3:], (0, 3), a.shape), (0, 3), (2, 2))
>>> merged = merge_sums([parts, rest])
>>> merged == whole
True
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

__all__ = ["element_hashes", "fingerprintable", "merge_sums", "region_sums"]

_U64 = np.uint64
_GOLDEN = _U64(0x9E3779B97F4A7C15)
_MASK = (1 << 64) - 1


def fingerprintable(dtype: np.dtype[Any]) -> bool:
    """Whether values of ``dtype`` have fixed bytes to hash (not objects, variable
    strings or structured records, whose padding bytes may differ)."""
    return dtype.kind in "biufcmMSUV" and dtype.fields is None and dtype.itemsize > 0


def _mix(x: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """SplitMix64's finaliser, element-wise (uint64 arithmetic wraps)."""
    x = x ^ (x >> _U64(30))
    x = x * _U64(0xBF58476D1CE4E5B9)
    x = x ^ (x >> _U64(27))
    x = x * _U64(0x94D049BB133111EB)
    return x ^ (x >> _U64(31))


def _canonical(values: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    dtype = values.dtype
    if not dtype.isnative:
        values = values.astype(dtype.newbyteorder("="))
    if dtype.kind in "fc":
        # One NaN bit pattern, and -0.0 -> +0.0 (IEEE: -0.0 + 0.0 is +0.0).
        values = np.where(np.isnan(values), np.nan, values).astype(values.dtype)
        values = values + values.dtype.type(0)
    # Not ascontiguousarray: it turns a 0-d array into a 1-d one.
    return values if values.flags.c_contiguous else values.copy(order="C")


def _value_hashes(values: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    values = _canonical(values)
    itemsize = values.dtype.itemsize
    raw = values.reshape(-1).view(np.uint8).reshape((*values.shape, itemsize))
    pad = (-itemsize) % 8
    if pad:
        raw = np.concatenate([raw, np.zeros((*values.shape, pad), np.uint8)], axis=-1)
    words = np.ascontiguousarray(raw).view("<u8")
    out = np.zeros(values.shape, dtype=_U64)
    for j in range(words.shape[-1]):
        out = _mix(out ^ (words[..., j] + _U64(j + 1) * _GOLDEN))
    return out


def element_hashes(
    values: Any, start: Sequence[int], array_shape: Sequence[int]
) -> np.ndarray[Any, Any]:
    """``mix(flat index, value)`` per element of the box ``values`` at ``start``."""
    values = np.asarray(values)
    strides = [1] * len(array_shape)
    for axis in range(len(array_shape) - 2, -1, -1):
        strides[axis] = strides[axis + 1] * int(array_shape[axis + 1])
    index = np.zeros(values.shape, dtype=_U64)
    for axis, (s, n, stride) in enumerate(zip(start, values.shape, strides, strict=True)):
        view = [1] * values.ndim
        view[axis] = n
        positions = (np.arange(s, s + n, dtype=_U64) * _U64(stride)).reshape(view)
        index = index + positions
    with np.errstate(over="ignore"):
        return _mix(index * _GOLDEN + _value_hashes(values))


def region_sums(
    hashes: np.ndarray[Any, Any], start: Sequence[int], region_shape: Sequence[int]
) -> dict[tuple[int, ...], int]:
    """Sums of ``hashes`` (a box at ``start``) per region of a grid of ``region_shape``."""
    if hashes.size == 0:
        return {}
    sums = hashes
    firsts = []
    for axis, (s, c) in enumerate(zip(start, region_shape, strict=True)):
        n = hashes.shape[axis]
        offsets = sorted({0, *range((-s) % c, n, c)})
        sums = np.add.reduceat(sums, offsets, axis=axis, dtype=_U64)
        firsts.append([(s + o) // c for o in offsets])
    out: dict[tuple[int, ...], int] = {}
    for position in np.ndindex(*sums.shape):
        region = tuple(firsts[a][i] for a, i in enumerate(position))
        out[region] = int(sums[position])
    return out


def merge_sums(parts: Iterable[Mapping[tuple[int, ...], int]]) -> dict[tuple[int, ...], int]:
    """Add region fingerprints from several boxes (modulo 2**64)."""
    out: dict[tuple[int, ...], int] = {}
    for part in parts:
        for region, value in part.items():
            out[region] = (out.get(region, 0) + value) & _MASK
    return out
