"""``zarrdist`` as a subprocess: outputs, exit codes and the stores it writes.

Sources are written by zarr-python 3.1.5 and copies are read back with it, so the
CLI is checked against a peer implementation, not against itself.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import zarr

from tests.etl._cli import THREADS, as_json, run_cli, sample_hierarchy

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, np.ndarray]]:
    path = tmp_path_factory.mktemp("cli") / "source.zarr"
    return path, sample_hierarchy(path)


def _assert_group_equals(path: Path, expected: dict[str, np.ndarray], **kwargs: object) -> None:
    group = zarr.open_group(str(path), mode="r", **kwargs)
    assert sorted(group.array_keys()) == sorted(expected)
    for name, values in expected.items():
        np.testing.assert_array_equal(group[name][...], values)


def test_version_and_console_script() -> None:
    result = run_cli("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == "zarrdist 0.1.0"


def test_info_and_tree(source: tuple[Path, dict[str, np.ndarray]]) -> None:
    path, data = source
    result = run_cli("info", str(path))
    assert result.returncode == 0, result.stderr
    assert "Consolidated : yes" in result.stdout
    assert "temperature (20, 9, 12) float32 chunks=(1, 9, 12)" in result.stdout
    doc = as_json(run_cli("info", str(path), "--path", "temperature", "--json"))
    assert doc["shape"] == [20, 9, 12]
    assert doc["chunks"] == [1, 9, 12]
    assert doc["dimension_names"] == ["time", "lat", "lon"]
    assert doc["nbytes"] == data["temperature"].nbytes
    assert doc["keys_stored"] == 20 + 2  # chunks, .zarray, .zattrs
    tree = run_cli("tree", str(path))
    assert tree.returncode == 0
    assert tree.stdout.splitlines()[0] == "/ (group)"
    assert "└── time (20,) int64 chunks=(20,)" in tree.stdout
    docs = as_json(run_cli("tree", str(path), "--json"))
    assert [d["path"] for d in docs] == [
        "/",
        "/lat",
        "/lon",
        "/precipitation",
        "/temperature",
        "/time",
    ]


def test_convert_rechunk_reshard_recompress(
    source: tuple[Path, dict[str, np.ndarray]], tmp_path: Path
) -> None:
    path, data = source
    dst = tmp_path / "v3.zarr"
    summary = as_json(
        run_cli(
            "copy",
            str(path),
            str(dst),
            "--zarr-format",
            "3",
            "--chunks",
            "-1,3,4",
            "--shards",
            "-1,9,12",
            "--compressor",
            "blosc:zstd:bitshuffle:3",
            "--json",
            *THREADS,
        )
    )
    assert summary["arrays"] == 5
    assert summary["bytes"] == sum(v.nbytes for v in data.values())
    assert summary["compression_ratio"] > 0
    assert summary["seconds"] >= 0
    assert summary["units_written"] == 5
    _assert_group_equals(dst, data, use_consolidated=True)
    t = zarr.open_array(str(dst / "temperature"), mode="r")
    assert t.chunks == (20, 3, 4)
    assert t.shards == (20, 9, 12)
    assert t.metadata.dimension_names == ("time", "lat", "lon")
    (blosc,) = t.compressors
    assert blosc.to_dict()["configuration"]["shuffle"] == "bitshuffle"
    assert not any(p.name.endswith(".zarrdist-copy.json") for p in dst.rglob("*"))
    back = tmp_path / "v2.zarr"
    result = run_cli(
        "copy", str(dst), str(back), "--zarr-format", "2", "--chunks", "5,9,12", *THREADS
    )
    assert result.returncode == 0, result.stderr
    assert "copied 5 arrays" in result.stdout
    _assert_group_equals(back, data, zarr_format=2)
    assert json.loads((back / "temperature" / ".zarray").read_text())["chunks"] == [5, 9, 12]


def test_region_subset_by_dimension_name(
    source: tuple[Path, dict[str, np.ndarray]], tmp_path: Path
) -> None:
    path, data = source
    dst = tmp_path / "subset.zarr"
    result = run_cli("copy", str(path), str(dst), "--region", "time=5:15,lat=-3:", *THREADS)
    assert result.returncode == 0, result.stderr
    group = zarr.open_group(str(dst), mode="r")
    np.testing.assert_array_equal(group["temperature"][...], data["temperature"][5:15, -3:])
    np.testing.assert_array_equal(group["time"][...], data["time"][5:15])
    np.testing.assert_array_equal(group["lon"][...], data["lon"])
    single = tmp_path / "one.zarr"
    result = run_cli(
        "copy", str(path), str(single), "--path", "temperature", "--region", "0:4,:,10:12", *THREADS
    )
    assert result.returncode == 0, result.stderr
    np.testing.assert_array_equal(
        zarr.open_array(str(single), mode="r")[...], data["temperature"][0:4, :, 10:12]
    )


def test_copy_on_the_embedded_cluster_with_verify(
    source: tuple[Path, dict[str, np.ndarray]], tmp_path: Path
) -> None:
    path, data = source
    dst = tmp_path / "cluster.zarr"
    result = run_cli(
        "copy",
        str(path),
        str(dst),
        "--zarr-format",
        "3",
        "--chunks",
        "-1,3,3",
        "--workers",
        "2",
        "--threads",
        "1",
        "--memory-limit",
        "1GiB",
        "--max-mem",
        "5000",
        "--dashboard-address",
        ":0",
        "--verify",
        "--progress",
    )
    assert result.returncode == 0, result.stderr
    assert "running on LocalCluster with 2 workers" in result.stderr
    assert "dashboard: http://" in result.stderr
    assert "via intermediate chunks" in result.stderr  # time-to-space in 5000 bytes per task
    assert "verified against the source: OK" in result.stdout
    _assert_group_equals(dst, data)


def test_errors_exit_non_zero(source: tuple[Path, dict[str, np.ndarray]], tmp_path: Path) -> None:
    path, _ = source
    missing = run_cli("info", str(tmp_path / "nowhere.zarr"))
    assert missing.returncode == 3
    assert "not found" in missing.stderr
    no_node = run_cli("tree", str(path), "--path", "nothing")
    assert no_node.returncode == 3
    codec = run_cli(
        "copy", str(path), str(tmp_path / "x.zarr"), "--compressor", "snappyish:3", *THREADS
    )
    assert codec.returncode == 2
    assert "unknown codec 'snappyish'" in codec.stderr
    assert not (tmp_path / "x.zarr").exists()
    shape = run_cli("copy", str(path), str(tmp_path / "y.zarr"), "--chunks", "a,b", *THREADS)
    assert shape.returncode == 2
    assert "not a chunk shape" in shape.stderr
    shards = run_cli("copy", str(path), str(tmp_path / "z.zarr"), "--shards", "-1,9,12", *THREADS)
    assert shards.returncode == 2
    assert "--shards needs --zarr-format 3" in shards.stderr
    region = run_cli("copy", str(path), str(tmp_path / "r.zarr"), "--region", "depth=0:3", *THREADS)
    assert region.returncode == 2
    assert "matches no array" in region.stderr


def test_destination_is_not_replaced_silently(
    source: tuple[Path, dict[str, np.ndarray]], tmp_path: Path
) -> None:
    path, data = source
    dst = tmp_path / "taken.zarr"
    assert run_cli("copy", str(path), str(dst), *THREADS).returncode == 0
    again = run_cli("copy", str(path), str(dst), "--compressor", "gzip:1", *THREADS)
    assert again.returncode == 1
    assert "--overwrite" in again.stderr
    forced = run_cli("copy", str(path), str(dst), "--compressor", "gzip:1", "--overwrite", *THREADS)
    assert forced.returncode == 0, forced.stderr
    assert zarr.open_array(str(dst / "temperature"), mode="r").compressors[0].codec_id == "gzip"
    _assert_group_equals(dst, data, zarr_format=2)


def test_failed_task_leaves_nothing_looking_complete(
    source: tuple[Path, dict[str, np.ndarray]], tmp_path: Path
) -> None:
    path, _ = source
    broken = tmp_path / "broken.zarr"
    assert run_cli("copy", str(path), str(broken), *THREADS).returncode == 0
    (broken / "temperature" / "7.0.0").write_bytes(b"not blosc")
    dst = tmp_path / "out.zarr"
    result = run_cli("copy", str(broken), str(dst), "--zarr-format", "3", *THREADS)
    assert result.returncode == 1
    assert "7.0.0" in result.stderr
    assert not (dst / "zarr.json").exists()
    assert (dst / ".zarrdist-copy.json").exists()
    with pytest.raises(FileNotFoundError):
        zarr.open_group(str(dst), mode="r")


def test_verify_reports_bad_keys_and_differences(
    source: tuple[Path, dict[str, np.ndarray]], tmp_path: Path
) -> None:
    path, data = source
    dst = tmp_path / "checked.zarr"
    copied = run_cli(
        "copy",
        str(path),
        str(dst),
        "--zarr-format",
        "3",
        "--compressor",
        "zstd:1+crc32c",
        "--chunks",
        "-1,9,12",
        *THREADS,
    )
    assert copied.returncode == 0, copied.stderr
    clean = run_cli("verify", str(dst), "--against", str(path), *THREADS)
    assert clean.returncode == 0, clean.stderr
    assert "verified 5 arrays" in clean.stdout
    chunk = dst / "temperature" / "c" / "0" / "0" / "0"
    raw = bytearray(chunk.read_bytes())
    raw[-1] ^= 0xFF  # breaks the crc32c checksum
    chunk.write_bytes(bytes(raw))
    (dst / "precipitation" / "c" / "0" / "0" / "0").write_bytes(b"junk")
    bad = run_cli("verify", str(dst), "--json", *THREADS)
    assert bad.returncode == 1
    report = json.loads(bad.stdout)
    keys = sorted(k["key"] for a in report["arrays"] for k in a["bad_keys"])
    assert keys == ["precipitation/c/0/0/0", "temperature/c/0/0/0"]
    text = run_cli("verify", str(dst), *THREADS)
    assert "BAD temperature/c/0/0/0" in text.stdout
    assert "FAILED (2 problems)" in text.stdout
    other = tmp_path / "other.zarr"
    zarr.save_group(str(other), **{**data, "time": data["time"] + 1}, zarr_format=2)
    differ = run_cli("verify", str(path), "--against", str(other), *THREADS)
    assert differ.returncode == 1
    assert "DIFF time/0: 20 elements differ (first at (0,))" in differ.stdout


def test_consolidate(source: tuple[Path, dict[str, np.ndarray]], tmp_path: Path) -> None:
    path, data = source
    dst = tmp_path / "plain.zarr"
    result = run_cli(
        "copy", str(path), str(dst), "--zarr-format", "3", "--no-consolidate", *THREADS
    )
    assert result.returncode == 0, result.stderr
    assert zarr.open_group(str(dst), mode="r").metadata.consolidated_metadata is None
    consolidated = run_cli("consolidate", str(dst))
    assert consolidated.returncode == 0, consolidated.stderr
    group = zarr.open_group(str(dst), mode="r", use_consolidated=True)
    assert sorted(group.metadata.consolidated_metadata.metadata) == sorted(data)


def test_demo_end_to_end(tmp_path: Path) -> None:
    result = run_cli(
        "demo",
        str(tmp_path / "demo"),
        "--scale",
        "0.02",
        "--workers",
        "1",
        "--threads",
        "2",
        "--dashboard-address",
        ":0",
        "--json",
        timeout=240,
    )
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["verified"] is True
    assert "dashboard: http://" in result.stderr
    source = zarr.open_group(summary["source"], mode="r")
    target = zarr.open_group(summary["target"], mode="r")
    assert source.metadata.zarr_format == 2
    assert target.metadata.zarr_format == 3
    assert source["temperature"].chunks[0] == 1  # time-chunked
    assert target["temperature"].chunks[0] == source["temperature"].shape[0]  # space-chunked
    assert target["temperature"].shards is not None
    for name in source.array_keys():
        np.testing.assert_array_equal(target[name][...], source[name][...])
