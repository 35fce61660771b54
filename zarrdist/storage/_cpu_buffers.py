"""Host (NumPy) buffers of zarr-python's store API (its ``zarr.core.buffer.cpu``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from zarrdist.storage import _buffers as core

if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Self

__all__ = [
    "Buffer",
    "NDBuffer",
    "buffer_prototype",
    "default_buffer_prototype",
    "numpy_buffer_prototype",
]


class Buffer(core.Buffer):
    """1-D bytes in a NumPy array."""

    def __init__(self, array_like: Any) -> None:
        super().__init__(np.asarray(array_like))

    def combine(self, others: Iterable[core.Buffer]) -> Self:
        """This buffer's bytes followed by those of ``others``, in one new buffer."""
        parts = [self.as_numpy_array(), *(o.as_numpy_array() for o in others)]
        return type(self)(np.concatenate(parts))


class NDBuffer(core.NDBuffer):
    """An n-dimensional NumPy array."""


#: The host prototype: what ``default_buffer_prototype()`` returns.
buffer_prototype = core.BufferPrototype(buffer=Buffer, nd_buffer=NDBuffer)


def default_buffer_prototype() -> core.BufferPrototype:
    """The prototype zarr-python's store API uses by default: the host one."""
    return buffer_prototype


def numpy_buffer_prototype() -> core.BufferPrototype:
    """The host prototype (zarr-python's name)."""
    return buffer_prototype
