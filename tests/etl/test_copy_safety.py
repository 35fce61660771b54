"""``zarrdist copy`` never deletes or grows its source, never touches other buckets,
never writes credentials down, and plans huge chunk shapes in bounded time."""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import zarr

import zarrdist
from tests.conftest import S3Location
from tests.etl._cli import THREADS, run_cli

pytestmark = pytest.mark.slow


def _snapshot(root: Path) -> dict[str, str]:
    """Every file under ``root`` with a digest of its bytes."""
    out = {}
    for path in sorted(root.rglob("*")):
        if path.is_file():
            out[str(path.relative_to(root))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


@pytest.fixture
def source(tmp_path: Path) -> Path:
    work = tmp_path / "work"
    work.mkdir()
    path = work / "src.zarr"
    array = zarr.create_array(str(path), shape=(40, 30), chunks=(1, 30), dtype="f4")
    array[:] = np.arange(1200, dtype="f4").reshape(40, 30)
    return path


@pytest.mark.parametrize(
    "destination",
    [
        ".",  # the parent, relative to the working directory
        "..",  # the grandparent
        "{work}",  # the parent, absolute
        "{link}",  # the parent through a symlink
        "file://{work}",  # the parent as a file URL
        "src.zarr",  # the source itself
        "src.zarr/inner.zarr",  # inside the source
        "{link}/src.zarr/inner",  # inside the source, through a symlink
    ],
)
def test_overwrite_never_deletes_or_grows_the_source(source: Path, destination: str) -> None:
    work = source.parent
    link = work.parent / "alias"
    link.symlink_to(work)
    before = _snapshot(work)
    dst = destination.format(work=work, link=link)
    result = run_cli("copy", "src.zarr", dst, "--overwrite", "--verify", *THREADS, cwd=work)
    assert result.returncode == 1, result.stdout
    assert "overlap" in result.stderr
    assert "Traceback" not in result.stderr
    assert _snapshot(work) == before  # nothing deleted, nothing added


def test_file_url_destination_through_fsspec_is_refused(source: Path) -> None:
    work = source.parent
    before = _snapshot(work)
    # Storage options make a file:// URL an fsspec store rather than a LocalStore.
    result = run_cli(
        "copy",
        f"file://{source}",
        f"file://{work}",
        "--overwrite",
        "--storage-options",
        '{"auto_mkdir": true}',
        *THREADS,
    )
    assert result.returncode == 1
    assert "overlap" in result.stderr
    assert _snapshot(work) == before


def test_disjoint_sibling_still_copies(source: Path) -> None:
    result = run_cli("copy", "src.zarr", "copy.zarr", "--verify", *THREADS, cwd=source.parent)
    assert result.returncode == 0, result.stderr
    assert np.array_equal(
        zarr.open_array(str(source.parent / "copy.zarr"))[:], zarr.open_array(str(source))[:]
    )


def test_python_copy_functions_refuse_overlaps(source: Path) -> None:
    work = source.parent
    parent = zarrdist.open_group(str(work), mode="a")
    before = _snapshot(work)
    src = zarrdist.open_array(str(source), mode="r")
    with pytest.raises(zarrdist.errors.ContainsNodeError, match="overlaps"):
        zarrdist.copy(src, parent, name="src.zarr", if_exists="replace")
    with pytest.raises(zarrdist.errors.ContainsNodeError, match="overlap"):
        zarrdist.copy_store(str(source), str(work), dest_path="src.zarr", if_exists="replace")
    with pytest.raises(zarrdist.errors.ContainsNodeError, match="overlap"):
        zarrdist.copy_store(str(work), str(source), dest_path="x", if_exists="replace")
    assert _snapshot(work) == before
    # Disjoint places in one store still copy.
    zarrdist.copy_store(str(work), str(work), source_path="src.zarr", dest_path="other.zarr")
    assert np.array_equal(zarrdist.open_array(str(work / "other.zarr"))[:], src[:])


# -- object stores -------------------------------------------------------------------------


def _s3(location: S3Location) -> tuple[str, str, Any]:
    import s3fs

    bucket = location.url.split("://", 1)[1].split("/", 1)[0]
    return (
        bucket,
        json.dumps(location.storage_options),
        s3fs.S3FileSystem(**location.storage_options),
    )


@pytest.mark.s3
def test_same_bucket_spellings_are_refused(source: Path, s3_bucket_url: S3Location) -> None:
    bucket, options, fs = _s3(s3_bucket_url)
    first = run_cli(
        "copy", str(source), f"s3://{bucket}/data/src.zarr", "--storage-options", options, *THREADS
    )
    assert first.returncode == 0, first.stderr
    before = sorted(fs.find(bucket))
    for dst in (
        f"s3a://{bucket}/data",
        f"s3://{bucket}//data/",
        f"s3://{bucket}",
        f"s3://{bucket}/data/src.zarr/x",
    ):
        result = run_cli(
            "copy",
            f"s3://{bucket}/data/src.zarr",
            dst,
            "--overwrite",
            "--storage-options",
            options,
            *THREADS,
        )
        assert result.returncode == 1, (dst, result.stdout)
        assert "overlap" in result.stderr, result.stderr
    fs.invalidate_cache()
    assert sorted(fs.find(bucket)) == before


@pytest.mark.s3
def test_bucket_root_destination_keeps_its_intermediate_inside(
    source: Path, s3_bucket_url: S3Location
) -> None:
    bucket, options, fs = _s3(s3_bucket_url)
    # Someone else's bucket with the name the intermediate used to take.
    neighbour = f"{bucket}.zarrdist-tmp"
    fs.mkdir(neighbour)
    fs.pipe(f"{neighbour}/theirs.txt", b"not yours")
    result = run_cli(
        "copy",
        str(source),
        f"s3://{bucket}",
        "--chunks",
        "40,1",
        "--max-mem",
        "2000",
        "--overwrite",
        "--verify",
        "--storage-options",
        options,
        *THREADS,
    )
    assert result.returncode == 0, result.stderr
    assert "via intermediate chunks" in result.stderr  # the two-stage plan ran
    fs.invalidate_cache()
    assert fs.cat(f"{neighbour}/theirs.txt") == b"not yours"
    assert fs.find(neighbour) == [f"{neighbour}/theirs.txt"]
    assert not [k for k in fs.find(bucket) if ".zarrdist-tmp" in k]  # cleaned up
    copied = zarrdist.open_array(f"s3://{bucket}", storage_options=s3_bucket_url.storage_options)
    assert np.array_equal(copied[:], zarr.open_array(str(source))[:])
    # A missing bucket is never created: the sibling of a bucket is not used at all.
    fs.rm(neighbour, recursive=True)
    again = run_cli(
        "copy",
        str(source),
        f"s3://{bucket}",
        "--chunks",
        "40,1",
        "--max-mem",
        "2000",
        "--overwrite",
        "--storage-options",
        options,
        *THREADS,
    )
    assert again.returncode == 0, again.stderr
    fs.invalidate_cache()
    assert not fs.exists(neighbour)


@pytest.mark.s3
def test_credentials_never_reach_the_marker_and_resume_works(
    source: Path, s3_bucket_url: S3Location
) -> None:
    bucket, _, fs = _s3(s3_bucket_url)
    secrets = {"key": "AKIAZDSECRETKEY01", "secret": "sEcReT/value+01"}
    token = "SESSIONTOKENzd01"
    options = {
        **secrets,
        "anon": False,
        "client_kwargs": {
            "endpoint_url": s3_bucket_url.storage_options["endpoint_url"],
            "aws_session_token": token,
        },
    }
    # The source on S3 too, so that the source's spec carries the credentials.
    src = f"s3://{bucket}/data/src.zarr"
    upload = run_cli("copy", str(source), src, "--storage-options", json.dumps(options), *THREADS)
    assert upload.returncode == 0, upload.stderr
    # A damaged source chunk stops the copy half-way: the marker stays behind.
    chunk = f"{bucket}/data/src.zarr/c/2/0"
    fs.invalidate_cache()
    good = fs.cat(chunk)
    fs.pipe(chunk, b"\x00garbage")
    dst = f"s3://{bucket}/data/dst.zarr"
    args = ("copy", src, dst, "--storage-options", json.dumps(options), *THREADS)
    failed = run_cli(*args)
    assert failed.returncode == 1
    fs.invalidate_cache()
    marker = fs.cat(f"{bucket}/data/dst.zarr/.zarrdist-copy.json").decode()
    for secret in (*secrets.values(), token):
        assert secret not in marker
    assert json.loads(marker)["source"]["url"] == src
    # Resume with the same command (and the same credentials): it finishes.
    fs.pipe(chunk, good)
    resumed = run_cli(*args, "--verify")
    assert resumed.returncode == 0, resumed.stderr
    assert "resuming" in resumed.stderr
    fs.invalidate_cache()
    assert not fs.exists(f"{bucket}/data/dst.zarr/.zarrdist-copy.json")


def test_marker_that_is_not_an_object_is_a_clear_error(source: Path, tmp_path: Path) -> None:
    dst = tmp_path / "dst.zarr"
    dst.mkdir()
    (dst / ".zarrdist-copy.json").write_text("[1, 2]")
    result = run_cli("copy", str(source), str(dst), *THREADS)
    assert result.returncode == 1
    assert "not a JSON object" in result.stderr
    assert ".zarrdist-copy.json" in result.stderr
    assert "Traceback" not in result.stderr
    assert (dst / ".zarrdist-copy.json").read_text() == "[1, 2]"  # left as it was
    replaced = run_cli("copy", str(source), str(dst), "--overwrite", "--verify", *THREADS)
    assert replaced.returncode == 0, replaced.stderr


@pytest.mark.parametrize("how", ["option", "metadata"])
def test_huge_chunks_plan_in_bounded_time(source: Path, tmp_path: Path, how: str) -> None:
    src = source
    chunks = "7"
    if how == "metadata":
        src = tmp_path / "huge.zarr"
        meta = json.loads((source / "zarr.json").read_text())
        meta["chunk_grid"]["configuration"]["chunk_shape"] = [10**20, 30]
        src.mkdir()
        (src / "zarr.json").write_text(json.dumps(meta))
        chunks = "7,30"
    else:
        chunks = "99999999999999999999,30"
    start = time.monotonic()
    result = run_cli(
        "copy", str(src), str(tmp_path / "out.zarr"), "--chunks", chunks, *THREADS, timeout=60
    )
    assert time.monotonic() - start < 30
    assert result.returncode == 1
    assert "MemoryBudgetError" in result.stderr
    assert "raise the memory limit" in result.stderr
    assert not (tmp_path / "out.zarr" / ".zarrdist-copy.json").exists()  # refused before the claim


def test_resume_sweeps_a_killed_writers_temporary_files(source: Path, tmp_path: Path) -> None:
    chunk = source / "c" / "2" / "0"
    good = chunk.read_bytes()
    chunk.write_bytes(b"\x00garbage")
    dst = tmp_path / "dst.zarr"
    args = ("copy", str(source), str(dst), *THREADS)
    assert run_cli(*args).returncode == 1  # stopped half-way: the marker stays
    assert (dst / ".zarrdist-copy.json").exists()
    # What a writer killed between writing and renaming leaves behind.
    leftover = dst / "c" / "0" / f".0.zarrdist-{'cd' * 16}.partial"
    leftover.parent.mkdir(parents=True, exist_ok=True)
    leftover.write_bytes(b"torn")
    chunk.write_bytes(good)
    resumed = run_cli(*args, "--verify")
    assert resumed.returncode == 0, resumed.stderr
    assert "resuming" in resumed.stderr
    assert not leftover.exists()
    assert not list(dst.rglob("*.partial"))
