"""Chunk I/O (format core): storage units between store bytes and NumPy arrays.

``units`` reads and writes one storage unit (a chunk, or a shard) through the codec
pipeline; ``read`` fills a selection's output from many units; ``pieces`` cuts a read
into work for the reader threads; ``placement`` copies decoded chunks into the output;
``buffers`` says which array module (NumPy or CuPy) decoded data lives in.
"""
