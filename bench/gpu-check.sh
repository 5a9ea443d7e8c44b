#!/usr/bin/env bash
# The GPU check of issue 12, on a machine with an NVIDIA GPU, JDK 17 and Maven (Maven Central reachable, or a
# filled local repository named in GPU_CHECK_MVN_ARGS, e.g. "-o -Dmaven.repo.local=/path"):
#   1. nvidia-smi's line for the GPU;
#   2. the CPU build (core/target, as `mvn package` makes it) and the CUDA build (-Pcuda, in a copy of the tree
#      under the work folder, so that the CPU jar is left alone);
#   3. `bench first-step` (loss and every gradient of one DARTS supernet pass, fixed seed and batch) on both
#      builds, and `bench compare` of the two to 1e-3 relative;
#   4. `bench darts-step` on both builds, and a 1-epoch digits search on the GPU, with their images/s.
# Exits non-zero at the first failure. Every stage runs under `timeout`, all together under GPU_CHECK_SECONDS
# (default 470, under 8 minutes).
#
#   bench/gpu-check.sh [--no-gpu] [WORK_DIR]
#
# --no-gpu: both builds, the CPU half only (first-step compared with itself, darts-step); for checking the script
# where there is no GPU. GPU_CHECK_BATCH / GPU_CHECK_STEPS size darts-step (default 32 / 3).
set -euo pipefail

gpu=1
if [[ "${1:-}" == "--no-gpu" ]]; then
    gpu=0
    shift
fi
root=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-$(mktemp -d "${TMPDIR:-/tmp}/cellforge-gpu-check.XXXXXX")}
mkdir -p "$work"
work=$(cd "$work" && pwd)
limit=${GPU_CHECK_SECONDS:-470}
batch=${GPU_CHECK_BATCH:-32}
steps=${GPU_CHECK_STEPS:-3}
read -r -a mvn_args <<< "${GPU_CHECK_MVN_ARGS:-}"
cpu_jar=$root/core/target/cellforge.jar
gpu_jar=$work/tree/core/target/cellforge.jar

fail() {
    echo "gpu-check: FAILED: $*" >&2
    exit 1
}

# stage NAME SECONDS COMMAND...: runs COMMAND with its output in WORK/NAME.out and .err, under the smaller of
# SECONDS and the time left; on failure shows the end of its error output and stops the script.
stage() {
    local name=$1 cap=$2
    shift 2
    local left=$((limit - SECONDS))
    ((left > 5)) || fail "$name: no time left (${SECONDS} s of ${limit} used)"
    local t=$((cap < left ? cap : left))
    local start=$SECONDS rc=0
    echo "== $name (at most $t s)" >&2
    timeout --kill-after=10 "$t" "$@" > "$work/$name.out" 2> "$work/$name.err" || rc=$?
    if ((rc != 0)); then
        tail -n 20 "$work/$name.err" "$work/$name.out" >&2 || true
        if ((rc == 124 || rc == 137)); then
            fail "$name ran past $t s (log: $work/$name.err)"
        fi
        fail "$name exited with $rc (log: $work/$name.err)"
    fi
    echo "   $name: $((SECONDS - start)) s" >&2
}

# json_number FILE KEY: the last number given for KEY in FILE (a JSON object or JSON lines); fails without one.
json_number() {
    local v
    v=$({ grep -o "\"$2\":[-0-9.eE+]*" "$1" || true; } | tail -n 1 | cut -d: -f2)
    [[ -n "$v" ]] || fail "no $2 in $1"
    echo "$v"
}

# Whether CUDA 11's cuBLAS is installed where the dynamic linker looks.
has_cublas11() {
    local d dirs
    ldconfig -p > "$work/ldconfig.txt" 2> /dev/null || true
    grep -q 'libcublas\.so\.11' "$work/ldconfig.txt" && return 0
    IFS=: read -r -a dirs <<< "${LD_LIBRARY_PATH:-}"
    for d in "${dirs[@]}"; do
        [[ -n "$d" && -e "$d/libcublas.so.11" ]] && return 0
    done
    return 1
}

for tool in java mvn timeout; do
    command -v "$tool" > /dev/null || fail "$tool is not on the PATH"
done
jv=$(java -version 2>&1) || fail "java -version failed"
jv=${jv%%$'\n'*}
[[ "$jv" =~ \"(1[7-9]|[2-9][0-9])[.\"] ]] || fail "JDK 17 or later needed: $jv"

if ((gpu)); then
    command -v nvidia-smi > /dev/null || fail "nvidia-smi is not on the PATH (no NVIDIA driver?)"
    gpu_line=$(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader) || fail "nvidia-smi found no GPU"
    gpu_line=${gpu_line%%$'\n'*}
    [[ -n "$gpu_line" ]] || fail "nvidia-smi found no GPU"
    echo "GPU: $gpu_line"
    # libnd4jcuda.so of nd4j-cuda-11.6 1.0.0-M2.1 holds machine code for compute capability 3.7 to 8.6 only, and
    # no PTX to compile for a newer one: a 9.x GPU (H100, H200) cannot run its kernels. Older drivers lack the query.
    cap=$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader 2> /dev/null) || cap=
    cap=${cap%%$'\n'*}
    if [[ "$cap" =~ ^([0-9]+)\. ]] && ((BASH_REMATCH[1] > 8)) && [[ -z "${GPU_CHECK_ANY_GPU:-}" ]]; then
        fail "compute capability $cap: ND4J 1.0.0-M2.1's CUDA kernels run on 3.7 to 8.x only (GPU_CHECK_ANY_GPU=1 tries anyway)"
    fi
fi

# nd4j-cuda-11.6 links against CUDA 11's cuBLAS and cuSOLVER: where the system has none, JavaCPP's
# redistributable CUDA 11.6 + cuDNN 8.3 (a 1.8 GB jar) comes with the build instead (not needed to compile).
cuda_profiles=cuda
if ((gpu)) && ! has_cublas11; then
    cuda_profiles=cuda,cuda-redist
fi
echo "CUDA build profiles: $cuda_profiles"

stage build-cpu 200 mvn -B -q "${mvn_args[@]}" -DskipTests -f "$root/pom.xml" -pl core package
rm -rf "$work/tree"
mkdir -p "$work/tree/core" "$work/tree/resources"
cp "$root/pom.xml" "$work/tree/"
cp "$root/core/pom.xml" "$work/tree/core/"
cp -r "$root/core/src" "$work/tree/core/"
cp -r "$root/resources/spaces" "$root/resources/datasets" "$work/tree/resources/"
stage build-gpu 300 mvn -B -q "${mvn_args[@]}" -DskipTests -P"$cuda_profiles" -f "$work/tree/core/pom.xml" package
[[ -f "$cpu_jar" && -f "$gpu_jar" ]] || fail "a build made no cellforge.jar"
compgen -G "$work/tree/core/target/lib/nd4j-cuda-11.6-*" > /dev/null || fail "the CUDA build has no nd4j-cuda-11.6 in its lib/"
! compgen -G "$work/tree/core/target/lib/nd4j-native-[0-9]*" > /dev/null || fail "the CUDA build also holds nd4j-native"

stage first-step-cpu 120 java -jar "$cpu_jar" bench first-step --batch 8 --out "$work/first-step-cpu.json"
if ((gpu)); then
    stage first-step-gpu 120 java -jar "$gpu_jar" bench first-step --batch 8 --out "$work/first-step-gpu.json"
    grep -q '"backend":"JCublas' "$work/first-step-gpu.json" \
        || fail "the CUDA build did not compute on CUDA: $({ grep -o '"backend":"[^"]*"' "$work/first-step-gpu.json" || true; })"
    other=$work/first-step-gpu.json
else
    stage first-step-cpu-again 120 java -jar "$cpu_jar" bench first-step --batch 8 --out "$work/first-step-cpu-again.json"
    other=$work/first-step-cpu-again.json
fi
rc=0
timeout 60 java -jar "$cpu_jar" bench compare "$work/first-step-cpu.json" "$other" --rtol 1e-3 > "$work/compare.out" 2>&1 || rc=$?
if ((rc != 0)); then
    head -n 40 "$work/compare.out" >&2
    fail "the first step differs between the builds ($(tail -n 1 "$work/compare.out"))"
fi
echo "first step: $(tail -n 1 "$work/compare.out")"

stage darts-step-cpu 150 java -jar "$cpu_jar" bench darts-step --batch "$batch" --steps "$steps"
cpu_rate=$(json_number "$work/darts-step-cpu.out" images_per_s)
cpu_model=$({ grep -o '"cpu":"[^"]*"' "$work/darts-step-cpu.out" || true; } | cut -d'"' -f4)
echo "darts-step, batch $batch, CPU build ($cpu_model, $(nproc) cores): $cpu_rate images/s"
if ((gpu)); then
    stage darts-step-gpu 120 java -jar "$gpu_jar" bench darts-step --batch "$batch" --steps "$steps"
    echo "darts-step, batch $batch, CUDA build ($gpu_line): $(json_number "$work/darts-step-gpu.out" images_per_s) images/s"
    start=$SECONDS
    stage search-gpu 150 java -jar "$gpu_jar" search --zoo darts-mini --data digits --epochs 1 --events "$work/search-gpu.jsonl"
    echo "search --zoo darts-mini --data digits --epochs 1, CUDA build: $((SECONDS - start)) s, $(json_number "$work/search-gpu.jsonl" images_per_s) images/s at its last step"
fi
echo "gpu-check: OK in ${SECONDS} s (outputs in $work)"
