#!/usr/bin/env bash
# Where a training step (or a DDIM sampling pass) of the default denoiser spends its time, per layer and per op.
#   bench/profile.sh [--sample] [--steps N] [--replicas R] [--batch B] [--out FILE.jfr]
# Runs io.sparkdiffusion.bench.ThroughputBenchmark under JDK Flight Recorder (Java and native-method samples) and
# prints bench/profile_summary.py's tables: each layer type's share of the samples split into forward and backward,
# then the code that issued the native ops (the innermost DL4J or spark-diffusion frame: one line per op call site),
# then what runs outside the layers (updater, batch making, EMA). Shares of samples, so figures from a loaded machine
# still compare; run it before and after a change.
# Defaults: training, 40 steps after the benchmark's warm-up, batch 64, OMP_NUM_THREADS (default 2) native threads.
set -euo pipefail
cd "$(dirname "$0")/.."
sample=false
steps=40
extra=()
out="${TMPDIR:-/tmp}/spark-diffusion-profile.jfr"
while [ $# -gt 0 ]; do
  case "$1" in
    --sample) sample=true ;;
    --steps) steps="$2"; shift ;;
    --replicas) extra+=(--replicas "$2"); shift ;;
    --batch) extra+=(--batch "$2"); shift ;;
    --out) out="$2"; shift ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "bench/profile.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
  shift
done
if $sample; then mode=(--bench-sample --sample-reps 1); else mode=(--bench-train "$steps" --windows 1 --warmup 3); fi
. scripts/java-flags.sh
. bench/classpath.sh # builds the bench module when a source changed
cp="$BENCH_CLASSPATH"
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-2}"
java "${SPARK_DIFFUSION_JAVA_FLAGS[@]}" -XX:FlightRecorderOptions:stackdepth=256 \
  -XX:StartFlightRecording="settings=profile,filename=$out,dumponexit=true" \
  -cp "$cp" io.sparkdiffusion.bench.ThroughputBenchmark "${mode[@]}" "${extra[@]}" 2>/dev/null
/usr/bin/python3 bench/profile_summary.py "$out"
