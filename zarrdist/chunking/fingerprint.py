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

import threading
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

__all__ = [
    "element_hashes",
    "fingerprintable",
    "merge_sums",
    "region_fingerprints",
    "region_sums",
]

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


def _mix_inplace(x: np.ndarray[Any, Any], shifted: np.ndarray[Any, Any]) -> None:
    """:func:`_mix` in place; ``shifted`` is scratch of ``x``'s size."""
    for shift, factor in ((30, 0xBF58476D1CE4E5B9), (27, 0x94D049BB133111EB), (31, None)):
        np.right_shift(x, _U64(shift), out=shifted)
        np.bitwise_xor(x, shifted, out=x)
        if factor is not None:
            np.multiply(x, _U64(factor), out=x)


_WORDS = {1: np.uint8, 2: np.uint16, 4: np.uint32, 8: np.uint64}
#: Elements mixed at a time: scratch that stays in the CPU cache.
_BLOCK = 1 << 15
_scratch = threading.local()


def _buffer(name: str, n: int, dtype: Any) -> np.ndarray[Any, Any]:
    """A per-thread buffer of at least ``n`` elements, reused from call to call.

    Fresh memory costs a page fault per 4 KiB on first touch, which took longer than
    the hashing itself; verify tasks hash unit after unit of the same size.
    """
    held = getattr(_scratch, name, None)
    if held is None or held.size < n:
        held = np.empty(n, dtype=dtype)
        setattr(_scratch, name, held)
    return held[:n]


def _hashes_into(
    values: np.ndarray[Any, Any], start: Sequence[int], array_shape: Sequence[int]
) -> np.ndarray[Any, Any] | None:
    """``mix(value bits + flat index * golden)`` per element, in this thread's scratch
    buffer (valid until its next call), or None for types it does not cover (wider
    than 8 bytes, complex, not plain numbers).

    Floats are canonical: ``-0.0`` hashes as ``0.0`` and every NaN alike.
    """
    dtype = values.dtype
    word = _WORDS.get(dtype.itemsize)
    if word is None or dtype.kind not in "biufmM" or values.ndim == 0 or values.size == 0:
        return None
    if not dtype.isnative:
        values = values.astype(dtype.newbyteorder("="))
    values = np.ascontiguousarray(values)
    n = values.size
    hashes = _buffer("hashes", n, _U64).reshape(values.shape)
    np.copyto(hashes, values.view(word), casting="unsafe")
    if dtype.kind == "f":
        mask = _buffer("mask", n, np.bool_).reshape(values.shape)
        np.equal(values, 0, out=mask)
        np.putmask(hashes, mask, 0)  # -0.0 and 0.0 alike
        np.isnan(values, out=mask)
        if mask.any():
            nan = int(np.array(np.nan, dtype=values.dtype).view(word))
            np.putmask(hashes, mask, nan)
    stride = 1
    with np.errstate(over="ignore"):
        for axis in range(values.ndim - 1, -1, -1):
            extent = values.shape[axis]
            weight = _U64((stride * int(_GOLDEN)) & _MASK)
            positions = np.arange(start[axis], start[axis] + extent, dtype=_U64) * weight
            view = [1] * values.ndim
            view[axis] = extent
            np.add(hashes, positions.reshape(view), out=hashes)
            stride *= int(array_shape[axis])
        flat = hashes.reshape(-1)
        shifted = _buffer("shifted", min(n, _BLOCK), _U64)
        for begin in range(0, n, _BLOCK):
            block = flat[begin : begin + _BLOCK]
            _mix_inplace(block, shifted[: block.size])
    return hashes


def region_fingerprints(
    values: Any,
    start: Sequence[int],
    array_shape: Sequence[int],
    region_shape: Sequence[int],
) -> dict[tuple[int, ...], int]:
    """``region_sums(element_hashes(values, start, array_shape), start, region_shape)``,
    hashing in reused per-thread buffers."""
    values = np.asarray(values)
    hashes = _hashes_into(values, start, array_shape)
    if hashes is None:
        hashes = element_hashes(values, start, array_shape)
    return region_sums(hashes, start, region_shape)


def element_hashes(
    values: Any, start: Sequence[int], array_shape: Sequence[int]
) -> np.ndarray[Any, Any]:
    """``mix(flat index, value)`` per element of the box ``values`` at ``start``."""
    values = np.asarray(values)
    fast = _hashes_into(values, start, array_shape)
    if fast is not None:
        return fast.copy()
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
    firsts: list[list[int]] = [[] for _ in region_shape]
    # The last, contiguous axis first: each later reduction works on fewer elements.
    for axis in range(hashes.ndim - 1, -1, -1):
        s, c = start[axis], region_shape[axis]
        n = hashes.shape[axis]
        offsets = sorted({0, *range((-s) % c, n, c)})
        if n > 1:
            sums = np.add.reduceat(sums, offsets, axis=axis, dtype=_U64)
        firsts[axis] = [(s + o) // c for o in offsets]
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
