#!/usr/bin/env bash
# The GPU checks of issue 23 in one run, for a device machine (x86-64, Python 3.12,
# CUDA 12, no internet): install the `gpu` extra, run tests/gpu, run the benchmark.
# Budget: under 8 minutes at the default scale (BENCH_SCALE=1: a 2 GiB array).
#
#   bash tests/gpu/run_device_checks.sh            # from the repository root
#   WHEELS=/path/to/wheels BENCH_SCALE=0.25 bash tests/gpu/run_device_checks.sh
#
# Packages come from a wheel folder when there is one ($WHEELS, else ./.whl or
# ./wheels), with no index; else from pip's index. Results (test log, JUnit XML,
# benchmark JSON, nvidia-smi) go to $OUT when set, else ./gpu-results.
set -uo pipefail
cd "$(dirname "$0")/../.."
RESULTS="${OUT:-$PWD/gpu-results}"
mkdir -p "$RESULTS"
PYTHON="${PYTHON:-python3}"
START=$SECONDS
log() { echo "[run_device_checks +$((SECONDS - START))s] $*" | tee -a "$RESULTS/steps.log"; }

nvidia-smi > "$RESULTS/nvidia-smi.txt" 2>&1 || log "nvidia-smi failed (no driver?)"
"$PYTHON" --version | tee -a "$RESULTS/steps.log"

# A venv of our own, seeing the machine's packages (numpy, a CUDA toolkit if any).
if [ ! -x .venv-gpu/bin/python ]; then
    "$PYTHON" -m venv --system-site-packages .venv-gpu || exit 10
fi
VPY="$PWD/.venv-gpu/bin/python"

WHEEL_DIR="${WHEELS:-}"
for candidate in .whl wheels; do
    if [ -z "$WHEEL_DIR" ] && [ -d "$candidate" ] && ls "$candidate"/*.whl > /dev/null 2>&1; then
        WHEEL_DIR="$candidate"
    fi
done
if [ -n "$WHEEL_DIR" ]; then
    log "installing .[gpu,test] from wheels in $WHEEL_DIR (no index)"
    PIP_ARGS=(--no-index --find-links "$WHEEL_DIR" --no-build-isolation)
else
    log "installing .[gpu,test] from pip's index"
    PIP_ARGS=()
fi
if ! timeout 150 "$VPY" -m pip install -q "${PIP_ARGS[@]}" -e ".[gpu,test]" \
    > "$RESULTS/pip.log" 2>&1; then
    log "pip install failed (see pip.log); trying what is already installed"
fi
"$VPY" -m pip list 2> /dev/null | grep -Ei "cupy|nvcomp|kvikio|dask|zarr|numcodecs" \
    > "$RESULTS/versions.txt"
"$VPY" - << 'PY' | tee -a "$RESULTS/steps.log"
import cupy
print("CuPy", cupy.__version__, "devices:", cupy.cuda.runtime.getDeviceCount(),
      cupy.cuda.runtime.getDeviceProperties(0)["name"])
PY

log "tests/gpu"
timeout 120 "$VPY" -m pytest tests/gpu -q -p no:xdist -rs \
    --junitxml="$RESULTS/tests-gpu.xml" > "$RESULTS/tests-gpu.log" 2>&1
TESTS=$?
tail -n 25 "$RESULTS/tests-gpu.log"
log "tests/gpu exit status $TESTS"

log "benchmark (scale ${BENCH_SCALE:-1})"
timeout "${BENCH_TIMEOUT:-200}" "$VPY" tests/benchmarks/bench_gpu.py \
    --scale "${BENCH_SCALE:-1}" --repeat "${BENCH_REPEAT:-3}" \
    --out "$RESULTS/bench_gpu.json" > "$RESULTS/bench_gpu.log" 2>&1
BENCH=$?
tail -n 60 "$RESULTS/bench_gpu.log"
log "benchmark exit status $BENCH; done in $((SECONDS - START))s"
[ "$TESTS" -eq 0 ] && [ "$BENCH" -eq 0 ]
