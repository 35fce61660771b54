"""The one implementation of the two variable-length codecs, ``vlen-utf8`` and
``vlen-bytes``: numcodecs' framing (a little-endian uint32 item count, then per item a
uint32 byte length and the item's bytes) around strings or byte strings.

:mod:`zarrdist.codecs.vlen_utf8` and :mod:`zarrdist.codecs.vlen_bytes` each name one
codec over :class:`VLenCodec`: its names, the numcodecs codec that frames its items,
and the dtype kinds it takes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Self

import numpy as np
from numcodecs.abc import Codec as Numcodec

from zarrdist.codecs._base import ArrayBytesCodec, ArraySpec, Encoded, check_configuration
from zarrdist.codecs._numcodecs_calls import numcodecs_call
from zarrdist.errors import CodecError

__all__ = ["VLenCodec"]


@dataclass(frozen=True)
class VLenCodec(ArrayBytesCodec):
    """A variable-length codec (no configuration); subclasses set the class names."""

    v3_name: ClassVar[str]
    #: The numcodecs codec that frames the items; stateless, so shared by every thread.
    framing: ClassVar[Numcodec]
    #: NumPy dtype kinds the codec encodes, and what to call them in an error.
    kinds: ClassVar[str]
    items: ClassVar[str]

    @classmethod
    def from_json(cls, configuration: dict[str, Any]) -> Self:
        """Build from an empty configuration."""
        check_configuration(cls.v3_name, configuration, ())
        return cls()

    def to_json(self) -> dict[str, Any]:
        """``{"name": <name>, "configuration": {}}``, as zarr-python writes it."""
        return {"name": self.v3_name, "configuration": {}}

    def validate(self, spec: ArraySpec) -> None:
        """Refuse dtypes the codec does not frame."""
        if spec.dtype.kind not in self.kinds:
            raise CodecError(
                f"cannot encode dtype {spec.dtype} as {self.items}", codec=self.v3_name
            )

    def encode(self, chunk: Any, spec: ArraySpec) -> Encoded:
        """Serialise the items in C order (object arrays, or NumPy's StringDType)."""
        name = self.v3_name
        arr = spec.prototype.to_host(chunk)
        if arr.shape != spec.shape:
            raise CodecError(f"chunk has shape {arr.shape}, expected {spec.shape}", codec=name)
        # numcodecs takes object arrays; items go out in C order whatever the layout.
        flat = np.ascontiguousarray(arr).reshape(-1)
        if flat.dtype != object:
            flat = flat.astype(object)
        return numcodecs_call(name, self.framing.encode, flat)  # type: ignore[no-any-return]

    def decode(self, data: Encoded, spec: ArraySpec) -> Any:
        """Deserialise to an array of ``spec.shape`` in ``spec.dtype``.

        Raises
        ------
        CodecError
            If ``data`` is truncated or the item count does not match the shape.
        """
        name = self.v3_name
        out = numcodecs_call(name, self.framing.decode, data)
        if out.size != int(np.prod(spec.shape, dtype=np.int64)):
            raise CodecError(
                f"chunk holds {out.size} items, expected {spec.shape} "
                f"({np.prod(spec.shape)} items)",
                codec=name,
            )
        out = out.reshape(spec.shape)
        if spec.dtype.kind != "O":
            out = out.astype(spec.dtype)
        return out
