"""Chunking (format core): chunk grids and key encodings, rechunk plans, fingerprints.

``grid`` holds chunk grids (regular, and rectilinear from ``_rectilinear`` over the
per-axis arithmetic of ``_axes``), chunk key encodings and automatic chunk and shard shapes;
``rechunk`` plans bounded-memory rechunks (integer arithmetic only); ``fingerprint``
hashes array regions independently of how they are chunked.
"""
