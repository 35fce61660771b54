"""zarr-python's ``zarr.registry`` path: the codec registry (re-exports only)."""

from zarrdist.codecs import get_codec_class, register_codec

__all__ = ["get_codec_class", "register_codec"]
