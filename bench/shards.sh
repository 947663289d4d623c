#!/usr/bin/env bash
# Parquet shards against a PNG tree, side by side in one run: SampleJob on local[2] makes the same N images (DDIM,
# 1 step, no guidance: the images are cheap, so what differs is how they are written) once with
# sample.output-format=png-tree and once with parquet, alternating, for --rounds rounds. Reported: the files each
# output holds, and the median wall time of the whole job (JVM start to exit) of each format and their ratio.
#   bench/shards.sh [--images N] [--rounds R] [--out FILE] RUN_DIR
# RUN_DIR: a TrainJob run directory (e.g. runs/smoke/train of scripts/demo.sh --smoke). Environment: BENCH_WORK
# (default ${TMPDIR:-/tmp}/spark-diffusion-bench).
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; }
images=100000
rounds=3
out=""
run=""
while [ $# -gt 0 ]; do
  case "$1" in
    --images) images="$2"; shift ;;
    --rounds) rounds="$2"; shift ;;
    --out) out="$2"; shift ;;
    -h|--help) usage; exit 0 ;;
    -*) echo "bench/shards.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
    *) run="$1" ;;
  esac
  shift
done
[ -n "$run" ] && [ -f "$run/checkpoints/LATEST" ] || { echo "bench/shards.sh: give a TrainJob run directory" >&2; usage >&2; exit 2; }
work="$(realpath -m "${BENCH_WORK:-${TMPDIR:-/tmp}/spark-diffusion-bench}/shards")"
mkdir -p "$work"
declare -A walls files
for r in $(seq 1 "$rounds"); do
  for format in png-tree parquet; do
    output="$work/$format"
    start=$(date +%s.%N)
    SPARK_MASTER='local[2]' scripts/run-local.sh sample --set sample.run-dir="$run" --set sample.output="$output" \
      --set sample.count="$images" --set sample.steps=1 --set sample.guidance=1 --set sample.batch-size=256 \
      --set sample.output-format="$format" --set sample.overwrite=true > "$work/$format-$r.log" 2>&1 \
      || { echo "bench/shards.sh: SampleJob ($format) failed, see $work/$format-$r.log" >&2; exit 1; }
    wall=$(printf "%.1f" "$(echo "$(date +%s.%N) - $start" | bc)")
    walls[$format]+="$wall "
    files[$format]=$(find "$output" -type f | wc -l)
    echo "round $r $format: $wall s, ${files[$format]} files" >&2
  done
done
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
png=$(echo "${walls[png-tree]}" | median)
pq=$(echo "${walls[parquet]}" | median)
report=$(cat <<END
Parquet shards against a PNG tree (commit $(git rev-parse --short HEAD), $(date -u +%Y-%m-%dT%H%MZ), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores)
SampleJob on local[2], $images images of $run, DDIM 1 step, $rounds rounds alternating, whole-job wall time

| format | files in the output | wall time, median (all rounds) |
|---|---:|---:|
| png-tree | ${files[png-tree]} | $png s (${walls[png-tree]% }) |
| parquet | ${files[parquet]} | $pq s (${walls[parquet]% }) |

Files: parquet / png-tree = 1 / $(( ${files[png-tree]} / ${files[parquet]} )); wall time: parquet / png-tree = $(printf "%.2f" "$(echo "scale=4; $pq / $png" | bc)")
END
)
echo "$report"
[ -z "$out" ] || echo "$report" > "$out"
