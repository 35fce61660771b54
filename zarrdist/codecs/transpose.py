"""``transpose``: permute the axes of a chunk before serialisation.

Spec: https://zarr-specs.readthedocs.io/en/latest/v3/codecs/transpose/index.html

v3 name ``transpose`` (no v2 id; v2 has ``order`` instead).

>>> from zarrdist.codecs.transpose import TransposeCodec
>>> TransposeCodec(order=(1, 0)).to_json()
{'name': 'transpose', 'configuration': {'order': [1, 0]}}
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from zarrdist.codecs._base import ArrayArrayCodec, ArraySpec, check_configuration
from zarrdist.codecs.registry import register_codec
from zarrdist.errors import CodecError

__all__ = ["TransposeCodec"]

_NAME = "transpose"


@dataclass(frozen=True, init=False)
class TransposeCodec(ArrayArrayCodec):
    """Permute axes: encoded axis ``i`` is decoded axis ``order[i]``.

    Parameters
    ----------
    order : sequence of int
        A permutation of ``range(ndim)``.
    """

    order: tuple[int, ...]
    """The permutation, as given to :func:`numpy.transpose`."""

    v3_name: ClassVar[str] = _NAME
    is_fixed_size: ClassVar[bool] = True

    def __init__(self, *, order: Iterable[int]) -> None:
        # JSON and callers hand in anything: check it all.
        self._set_order(order)

    def _set_order(self, order: Any) -> None:
        if isinstance(order, str) or not isinstance(order, Iterable):
            raise CodecError(f"order must be a list of integers, got {order!r}", codec=_NAME)
        parsed = tuple(order)
        if not all(isinstance(a, int) and not isinstance(a, bool) for a in parsed):
            raise CodecError(f"order must be a list of integers, got {order!r}", codec=_NAME)
        if sorted(parsed) != list(range(len(parsed))):
            raise CodecError(f"order {list(parsed)} is not a permutation", codec=_NAME)
        object.__setattr__(self, "order", parsed)

    @classmethod
    def from_json(cls, configuration: dict[str, Any]) -> TransposeCodec:
        """Build from ``{"order": [...]}``."""
        config = check_configuration(_NAME, configuration, ("order",))
        if "order" not in config:
            raise CodecError("configuration needs 'order'", codec=_NAME)
        return cls(order=config["order"])

    def to_json(self) -> dict[str, Any]:
        """``{"name": "transpose", "configuration": {"order": [...]}}``."""
        return {"name": _NAME, "configuration": {"order": list(self.order)}}

    def validate(self, spec: ArraySpec) -> None:
        """Refuse an order whose length differs from the array's dimensionality."""
        if len(self.order) != spec.ndim:
            raise CodecError(
                f"order {list(self.order)} has {len(self.order)} entries; the array has "
                f"{spec.ndim} dimensions",
                codec=_NAME,
            )

    def resolve_spec(self, spec: ArraySpec) -> ArraySpec:
        """The spec with its shape permuted."""
        return spec.evolve(shape=tuple(spec.shape[axis] for axis in self.order))

    @property
    def inverse(self) -> tuple[int, ...]:
        """The permutation that undoes :attr:`order`."""
        return tuple(int(i) for i in np.argsort(self.order))

    def encode(self, chunk: Any, spec: ArraySpec) -> Any:
        """A transposed view (no copy; the serialiser lays it out)."""
        return chunk.transpose(self.order)

    def decode(self, chunk: Any, spec: ArraySpec) -> Any:
        """The inverse-transposed view."""
        return chunk.transpose(self.inverse)

    def compute_encoded_size(self, input_size: int, spec: ArraySpec) -> int:
        """Transposing keeps the size."""
        return input_size


register_codec(TransposeCodec)
