"""zarr-python's ``zarr.abc.codec`` path: the codec base classes (re-exports only)."""

from zarrdist.codecs import ArrayArrayCodec, ArrayBytesCodec, BytesBytesCodec, Codec

__all__ = ["ArrayArrayCodec", "ArrayBytesCodec", "BytesBytesCodec", "Codec"]
