"""tests/benchmarks/bench_gpu.py on the CPU: its arguments, its shapes, and its exit
without a GPU (status 3, a message saying why, nothing measured)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_gpu.py"
spec = importlib.util.spec_from_file_location("bench_gpu", BENCH)
assert spec is not None
assert spec.loader is not None
bench_gpu = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench_gpu)


def test_scale_one_is_two_gib_in_whole_shards() -> None:
    rows, cols = bench_gpu.array_shape(1.0)
    assert rows * cols * 4 == 2 << 30
    assert rows % bench_gpu.SHARD[0] == 0
    assert cols % bench_gpu.SHARD[1] == 0
    assert bench_gpu.CHUNK[0] * bench_gpu.CHUNK[1] * 4 == 1 << 20
    assert bench_gpu.SHARD[0] * bench_gpu.SHARD[1] * 4 == 64 << 20


def test_small_scales_keep_whole_chunks() -> None:
    assert bench_gpu.array_shape(0.001) == (512, 32768)
    assert bench_gpu.array_shape(0.25) == (4096, 32768)


def test_arguments() -> None:
    args = bench_gpu.parse_args(["--scale", "0.5", "--repeat", "2", "--out", "r.json"])
    assert (args.scale, args.repeat, args.out) == (0.5, 2, Path("r.json"))
    for bad in (["--scale", "0"], ["--repeat", "0"], ["--scale", "x"]):
        with pytest.raises(SystemExit) as raised:
            bench_gpu.parse_args(bad)
        assert raised.value.code == 2


@pytest.mark.skipif(bench_gpu.gpu_problem() is None, reason="this machine has a GPU")
def test_without_a_gpu_it_says_why_and_measures_nothing(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    done = subprocess.run(
        [sys.executable, str(BENCH), "--scale", "0.01", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == bench_gpu.NO_GPU_STATUS
    assert "no GPU to measure on" in done.stderr
    assert "nothing was measured" in done.stderr
    assert not out.exists()


def test_device_script_is_valid_bash_and_fits_the_budget() -> None:
    script = Path(__file__).with_name("run_device_checks.sh")
    subprocess.run(["bash", "-n", str(script)], check=True, timeout=30)
    text = script.read_text()
    assert "tests/benchmarks/bench_gpu.py" in text
    assert ".[gpu,test]" in text
    # pip, tests and benchmark timeouts together stay under the 8-minute budget.
    assert 150 + 120 + 200 < 8 * 60
    for limit in ("timeout 150", "timeout 120", "BENCH_TIMEOUT:-200"):
        assert limit in text
