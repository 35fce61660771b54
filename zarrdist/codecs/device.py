"""Decoding chunks on the device: which chains qualify, how batches are planned, and
the batch decode itself (nvCOMP for compressors, ``bytes`` and ``transpose`` as
array operations of the device's array module).

A capability the read path asks for (:func:`device_plan`), like ``decode_into``:
a chain qualifies when its array->bytes codec is ``bytes``, its array->array codecs
are ``transpose`` and, in decode order, its bytes->bytes codecs are any number of
codecs without a device kernel (checksums, blosc: decoded on the host first)
followed by at most one codec with one (zstd, gzip, numcodecs' lz4 and zlib). Any
other chain (v2 arrays, variable-length types, a kernel codec inside a host one)
decodes wholly on the host, and the read path copies the decoded chunks to the
device, as zarr-python does.

This module is pure Python and NumPy: the device array module and the nvCOMP
backend come in as arguments, so its planning and its fallbacks run (and are
tested) with NumPy standing in. The GPU packages are imported only when
:func:`nvcomp_backend` is called.
"""

from __future__ import annotations

import itertools
import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from zarrdist.codecs._base import ArraySpec, BytesBytesCodec
from zarrdist.codecs.pipeline import CodecChain
from zarrdist.errors import CodecError

__all__ = [
    "DEVICE_KERNELS",
    "DeviceBackend",
    "DevicePlan",
    "DeviceStage",
    "device_plan",
    "nvcomp_backend",
    "plan_batches",
]

#: Codec name -> (nvCOMP algorithm, framing bytes before the stream, after it).
#: nvCOMP reads raw streams: numcodecs' LZ4 prefixes the raw block with its 4-byte
#: decoded size; zlib wraps raw deflate in a 2-byte header and an Adler-32 trailer;
#: gzip in a 10-byte header (when it has no optional fields, see
#: :data:`PLAIN_GZIP_HEADER`) and an 8-byte CRC-32 and size trailer.
DEVICE_KERNELS: dict[str, tuple[str, int, int]] = {
    "zstd": ("zstd", 0, 0),
    "numcodecs.zstd": ("zstd", 0, 0),
    "gzip": ("deflate", 10, 8),
    "numcodecs.gzip": ("deflate", 10, 8),
    "numcodecs.lz4": ("lz4", 4, 0),
    "numcodecs.zlib": ("deflate", 2, 4),
}

#: How a gzip member without optional fields (name, comment, extra, header CRC)
#: starts: magic, deflate, no flags. Python's gzip module writes these.
PLAIN_GZIP_HEADER = b"\x1f\x8b\x08\x00"
_GZIP_NAMES = frozenset({"gzip", "numcodecs.gzip"})

#: Decoded bytes one device batch may hold: a 64 MiB shard's inner chunks go in
#: one batch, and a batch stays a small part of a GPU's memory.
DEVICE_BATCH_BYTES = 256 << 20


class DeviceBackend(Protocol):
    """What runs on the device: its array module and a batched decompressor."""

    xp: Any

    def decompress(self, algorithm: str, chunks: Sequence[Any], sizes: Sequence[int]) -> list[Any]:
        """Decompress device byte arrays ``chunks`` (1-D uint8) with ``algorithm`` in
        one batch; each result is a 1-D uint8 device array of its ``sizes`` entry."""
        ...


@dataclass(frozen=True)
class DeviceStage:
    """One bytes->bytes codec decoded on the device."""

    name: str
    algorithm: str
    header: int
    trailer: int

    @property
    def checks_header(self) -> bool:
        """Whether each chunk's header is checked on the host first (gzip's length
        varies with its optional fields)."""
        return self.name in _GZIP_NAMES


@dataclass(frozen=True)
class DevicePlan:
    """How one chain's chunks decode on the device.

    Attributes
    ----------
    host : tuple of BytesBytesCodec
        Codecs decoded on the host first, in decode order (outermost first).
    stage : DeviceStage or None
        The decompressor run on the device, if any.
    chain : CodecChain
        The whole chain (its ``bytes`` and ``transpose`` codecs run on the device).
    """

    host: tuple[BytesBytesCodec, ...]
    stage: DeviceStage | None
    chain: CodecChain

    def decode_batch(
        self, datas: Sequence[Any], spec: ArraySpec, backend: DeviceBackend
    ) -> list[Any]:
        """Decode stored chunks ``datas`` (host bytes) of ``spec`` into device arrays:
        host-only codecs, one copy of the batch to the device, one batched
        decompression, then byte order, shape and transposes on the device."""
        xp = backend.xp
        raw_spec = _raw_spec(self.chain, spec)
        raw_nbytes = math.prod(raw_spec.shape) * spec.dtype.itemsize
        hosted = [_host_decode(self.host, data, spec) for data in datas]
        if self.stage is not None and self.stage.checks_header:
            _check_gzip_headers(hosted)
        device = _to_device(xp, hosted)
        if self.stage is not None:
            stage = self.stage
            framed = [d[stage.header : d.shape[0] - stage.trailer] for d in device]
            device = backend.decompress(stage.algorithm, framed, [raw_nbytes] * len(framed))
        out = []
        for raw in device:
            if int(raw.shape[0]) != raw_nbytes:
                raise CodecError(
                    f"chunk decoded to {int(raw.shape[0])} bytes on the device, expected "
                    f"{raw_nbytes} for shape {raw_spec.shape} and dtype {spec.dtype}",
                    codec=self.stage.name if self.stage else "bytes",
                )
            out.append(self._to_array(xp, raw, raw_spec))
        return out

    def _to_array(self, xp: Any, raw: Any, raw_spec: ArraySpec) -> Any:
        """The ``bytes`` and ``transpose`` decodes of one chunk's raw device bytes."""
        dtype = raw_spec.dtype
        if _swapped(self.chain, dtype):
            # CuPy has no non-native byte orders: reverse each element's bytes.
            raw = xp.ascontiguousarray(raw.reshape(-1, dtype.itemsize)[:, ::-1]).reshape(-1)
        arr = raw.view(dtype.newbyteorder("=")).reshape(raw_spec.shape)
        for codec in reversed(self.chain.array_array):
            arr = codec.decode(arr, raw_spec)
        return arr


def device_plan(chain: CodecChain, spec: ArraySpec) -> DevicePlan | None:
    """How ``chain`` decodes chunks of ``spec`` on the device, or None where it cannot
    (the caller then decodes on the host)."""
    if spec.dtype.hasobject or spec.dtype.kind in "OTUSV" or spec.dtype.itemsize == 0:
        return None
    if getattr(chain.array_bytes, "v3_name", None) != "bytes":
        return None
    if any(getattr(c, "v3_name", None) != "transpose" for c in chain.array_array):
        return None
    order = list(reversed(chain.bytes_bytes))  # decode order, outermost first
    split = len(order)
    while split > 0 and _kernel(order[split - 1]) is not None:
        split -= 1
    device = order[split:]
    if len(device) > 1 or any(_kernel(c) is not None for c in order[:split]):
        # Two device codecs in a row (or a host codec inside a device one): the
        # sizes between them are unknown, so the host decodes the whole chain.
        return None
    stage = None
    if device:
        name = str(device[0].v3_name)
        stage = DeviceStage(name, *DEVICE_KERNELS[name])
    return DevicePlan(tuple(order[:split]), stage, chain)


def plan_batches(sizes: Sequence[int], limit: int = DEVICE_BATCH_BYTES) -> list[list[int]]:
    """Indices of chunks (of decoded ``sizes``) in the batches decoded at once, in
    order: each batch holds at most ``limit`` bytes, and a chunk over it is a batch
    of its own."""
    batches: list[list[int]] = []
    held = limit + 1
    for i, size in enumerate(sizes):
        if held + size > limit and (not batches or batches[-1]):
            batches.append([])
            held = 0
        batches[-1].append(i)
        held += size
    return batches


def _kernel(codec: BytesBytesCodec) -> tuple[str, int, int] | None:
    """The device kernel of ``codec`` (nvCOMP algorithm and framing), if it has one."""
    return DEVICE_KERNELS.get(str(getattr(codec, "v3_name", "")))


def _raw_spec(chain: CodecChain, spec: ArraySpec) -> ArraySpec:
    """The spec the ``bytes`` codec sees (after the transposes)."""
    for codec in chain.array_array:
        spec = codec.resolve_spec(spec)
    return spec


def _swapped(chain: CodecChain, dtype: np.dtype[Any]) -> bool:
    """Whether stored elements are in the other byte order than this machine's."""
    endian = getattr(chain.array_bytes, "endian", None)
    value = getattr(endian, "value", endian)
    if dtype.itemsize == 1 or value is None or dtype.kind not in "biufcmM":
        return False
    return bool((value == "little") != np.little_endian)


def _check_gzip_headers(datas: Sequence[Any]) -> None:
    """Refuse gzip members whose header length is not the plain 10 bytes (the caller
    then decodes on the host, which reads any header)."""
    for data in datas:
        if hasattr(data, "__cuda_array_interface__"):
            head = data[:4].get().tobytes()
        else:
            head = bytes(memoryview(data)[:4])
        if head != PLAIN_GZIP_HEADER:
            raise CodecError("gzip header with optional fields: decoded on the host", codec="gzip")


def _host_decode(codecs: Sequence[BytesBytesCodec], data: Any, spec: ArraySpec) -> Any:
    for codec in codecs:
        data = codec.decode(data, spec)
    return data


def _to_device(xp: Any, datas: Sequence[Any]) -> list[Any]:
    """Stored chunks as 1-D uint8 device arrays: those on the host as views of one
    device buffer (one host-to-device copy per batch, not one per chunk); those
    already on the device (read there by kvikio) as they are."""
    on_device = [hasattr(d, "__cuda_array_interface__") for d in datas]
    host = [d for d, there in zip(datas, on_device, strict=True) if not there]
    sizes = [memoryview(d).nbytes for d in host]
    offsets = [0, *itertools.accumulate(sizes)]
    staged: Any = None
    if host:
        buffer = np.empty(offsets[-1], dtype=np.uint8)
        for data, start, end in zip(host, offsets, offsets[1:], strict=False):
            buffer[start:end] = np.frombuffer(data, dtype=np.uint8)
        staged = xp.asarray(buffer)
    views = iter(itertools.pairwise(offsets))
    out = []
    for data, there in zip(datas, on_device, strict=True):
        if there:
            out.append(data.reshape(-1).view(xp.uint8))
        else:
            start, end = next(views)
            out.append(staged[start:end])
    return out


#: Our algorithm names -> nvidia-nvcomp's.
_NVCOMP_NAMES = {"zstd": "Zstd", "lz4": "LZ4", "deflate": "Deflate"}


class _NvcompBackend:
    """nvCOMP through nvidia-nvcomp's Python API (batched, stream-ordered)."""

    def __init__(self, xp: Any, nvcomp: Any) -> None:
        self.xp = xp
        self._nvcomp = nvcomp
        # nvCOMP codecs are not thread-safe: each reader thread makes its own.
        self._local = threading.local()

    def decompress(self, algorithm: str, chunks: Sequence[Any], sizes: Sequence[int]) -> list[Any]:
        codecs = self._local.__dict__.setdefault("codecs", {})
        codec = codecs.get(algorithm)
        if codec is None:
            # Raw streams (no nvCOMP header), on the current device and stream.
            codec = codecs[algorithm] = self._nvcomp.Codec(
                algorithm=_NVCOMP_NAMES[algorithm],
                bitstream_kind=self._nvcomp.BitstreamKind.RAW,
                device_id=self.xp.cuda.Device().id,
                cuda_stream=self.xp.cuda.get_current_stream().ptr,
            )
        decoded = codec.decode(self._nvcomp.as_arrays(list(chunks)))
        return [self.xp.asarray(d).reshape(-1).view(self.xp.uint8) for d in decoded]


def nvcomp_backend() -> DeviceBackend:
    """The device backend: CuPy and nvidia-nvcomp.

    Raises
    ------
    ImportError
        Naming the missing package (``pip install 'zarrdist[gpu]'``).
    """
    try:
        import cupy
        from nvidia import nvcomp
    except ImportError as error:
        raise ImportError(
            f"decoding on the GPU needs cupy and nvidia-nvcomp ({error.name} is missing): "
            "pip install 'zarrdist[gpu]'"
        ) from error
    return _NvcompBackend(cupy, nvcomp)
