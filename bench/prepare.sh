#!/usr/bin/env bash
# PrepareJob throughput (issue 3): the job on local[2] against the decode-only floor, on the same corpus.
#   bench/prepare.sh [CORPUS_DIR] [OUT_DIR]
# CORPUS_DIR defaults to ${TMPDIR:-/tmp}/fashion-mnist-70k (made first with scripts/fashion-mnist-tree.sh if missing);
# OUT_DIR to ${TMPDIR:-/tmp}/fashion-mnist-70k-prepared. The job runs with the driver heap at DRIVER_MEMORY (default
# 512m: the issue's memory check); SIZE and CHANNELS (default 28 and 1) set the job's output shape. Prints
# the floor lines, the job's wall time and images/s, and the load.
set -euo pipefail
cd "$(dirname "$0")/.."
corpus="${1:-${TMPDIR:-/tmp}/fashion-mnist-70k}"
out="${2:-${TMPDIR:-/tmp}/fashion-mnist-70k-prepared}"
if [ ! -d "$corpus" ]; then
  scripts/fashion-mnist-tree.sh "$corpus"
fi
files=$(find "$corpus" -type f \( -name '*.png' -o -name '*.jpg' \) | wc -l)
size="${SIZE:-28}"
channels="${CHANNELS:-1}"
scripts/run-local.sh prepare --help >/dev/null # builds, writes spark-jobs/target/classpath.txt
. scripts/java-flags.sh
cp="spark-jobs/target/classes:$(cat spark-jobs/target/classpath.txt)"

echo "corpus: $corpus ($files image files, prepared to ${channels}x${size}x${size}); $(nproc) cores; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "--- floor: plain ImageIO in one JVM (and our per-file path), 1 and 2 threads"
java "${SPARK_DIFFUSION_JAVA_FLAGS[@]}" -cp "$cp" io.sparkdiffusion.bench.DecodeFloorBenchmark "$corpus" 2 "$size" "$channels"

echo "--- PrepareJob on local[2], driver heap ${DRIVER_MEMORY:-512m}"
start=$(date +%s.%N)
SPARK_MASTER='local[2]' DRIVER_MEMORY="${DRIVER_MEMORY:-512m}" scripts/run-local.sh prepare \
  --set prepare.input="$corpus" --set prepare.output="$out" --set prepare.overwrite=true \
  --set prepare.size="$size" --set prepare.channels="$channels"
end=$(date +%s.%N)
awk -v s="$start" -v e="$end" -v n="$files" 'BEGIN { printf "job wall time %.1f s (JVM start, Spark start, all stages): %.0f images/s\n", e - s, n / (e - s) }'
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
