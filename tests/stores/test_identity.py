"""store_location / stores_overlap: one place under many spellings; redact_spec."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from zarrdist.stores import (
    FsspecStore,
    LocalStore,
    LoggingStore,
    MemoryStore,
    redact_spec,
    resolve_store,
    stores_overlap,
)


def test_local_parent_child_and_siblings(tmp_path: Path) -> None:
    src = LocalStore(tmp_path / "src.zarr")
    parent = LocalStore(tmp_path)
    assert stores_overlap(src, "", parent, "")
    assert stores_overlap(parent, "", src, "")
    assert stores_overlap(src, "", src, "inner")
    assert stores_overlap(parent, "src.zarr/a", src, "a")
    assert not stores_overlap(src, "", LocalStore(tmp_path / "src.zarr2"), "")
    assert not stores_overlap(parent, "a", parent, "ab")


def test_local_spellings_resolve(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "real").mkdir()
    os.symlink(tmp_path / "real", tmp_path / "link")
    src = LocalStore(tmp_path / "real" / "src.zarr")
    assert stores_overlap(src, "", LocalStore(tmp_path / "link"), "")
    monkeypatch.chdir(tmp_path / "real")
    assert stores_overlap(src, "", LocalStore("."), "")
    assert stores_overlap(src, "", resolve_store(f"file://{tmp_path}/link"), "")
    fsspec_local = FsspecStore.from_url(f"file://{tmp_path}/link/src.zarr/x")
    assert stores_overlap(src, "", fsspec_local, "")
    assert stores_overlap(src, "", LoggingStore(LocalStore(tmp_path / "link")), "")


def test_object_store_spellings() -> None:
    options = {"anon": True, "endpoint_url": "http://127.0.0.1:9/"}
    a = FsspecStore.from_url("s3://bkt/data/src.zarr", storage_options=options)
    b = FsspecStore.from_url("s3a://bkt//data/", storage_options=options)
    other_endpoint = {"anon": True, "endpoint_url": "http://127.0.0.1:10"}
    assert stores_overlap(a, "", b, "")
    assert stores_overlap(a, "", FsspecStore.from_url("s3://bkt", storage_options=options), "")
    assert not stores_overlap(
        a, "", FsspecStore.from_url("s3://bkt", storage_options=other_endpoint), ""
    )
    assert not stores_overlap(
        a, "", FsspecStore.from_url("s3://bkt2/data", storage_options=options), ""
    )


def test_memory_stores_are_their_own_places() -> None:
    a, b = MemoryStore(), MemoryStore()
    assert stores_overlap(a, "x", a, "x/y")
    assert not stores_overlap(a, "", b, "")


def test_redact_spec_drops_every_secret() -> None:
    spec = {
        "driver": "fsspec",
        "url": "ftp://user:hunter2@host/data",
        "storage_options": {
            "key": "AKIA1",
            "secret": "s1",
            "token": "t1",
            "anon": False,
            "endpoint_url": "http://127.0.0.1:9",
            "client_kwargs": {
                "aws_session_token": "t2",
                "aws_secret_access_key": "s2",
                "region_name": "eu",
            },
            "sasToken": "t3",
            "account_key": "k3",
            "password": "p",
            "headers": {"Authorization": "Bearer x"},
        },
    }
    text = repr(redact_spec(spec))
    for secret in ("AKIA1", "s1", "t1", "t2", "s2", "t3", "k3", "'p'", "Bearer", "hunter2"):
        assert secret not in text
    kept = redact_spec(spec)["storage_options"]
    assert kept["endpoint_url"] == "http://127.0.0.1:9"
    assert kept["client_kwargs"] == {"region_name": "eu"}
    assert kept["anon"] is False
