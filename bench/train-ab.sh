#!/usr/bin/env bash
# TrainJob on local[2] from several builds (or Spark settings) side by side: the per-round cost of training.
#   bench/train-ab.sh [--rounds N] [--warmup W] [--measured M] [--freq F] [--data DIR] NAME=TREE[:JAVA_OPTS] ...
# TREE is a source tree with scripts/run-local.sh (e.g. `git archive main | tar -x -C ../base` for the old
# code; "." for this one); JAVA_OPTS are extra JVM options for that contender (e.g. Spark settings
# -Dspark.task.maxDirectResultSize=64m). Each of N rounds (default 3) runs every contender once, in an order
# that rotates from round to round: 2 workers x batch 64 x averaging every F (default 10, the job's) steps, W (default 3)
# warm-up rounds then M (default 20) measured averaging rounds, unconditional, no clipping, checkpoint or
# samples. Prints a markdown table: medians over all measured averaging rounds of all runs (images/s from
# metrics.jsonl), the steady images/s (median over runs), images per 2 CPU-s of the job's JVM (median over
# runs), and ratios to the first contender.
# DATA defaults to BENCH_WORK's prepared Fashion-MNIST (bench/all.sh makes it). Logs go to BENCH_WORK/ab-<time>.
set -euo pipefail
cd "$(dirname "$0")/.."
bench="$PWD/bench"

rounds=3 warm=3 measured=20 freq=10
work="${BENCH_WORK:-${TMPDIR:-/tmp}/spark-diffusion-bench}"
data="$work/fashion-mnist-prepared"
names=() trees=() opts=()
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds="$2"; shift ;;
    --warmup) warm="$2"; shift ;;
    --measured) measured="$2"; shift ;;
    --freq) freq="$2"; shift ;;
    --data) data="$2"; shift ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *=*) spec="${1#*=}"; names+=("${1%%=*}"); trees+=("$(realpath "${spec%%:*}")")
         if [[ "$spec" == *:* ]]; then opts+=("${spec#*:}"); else opts+=(""); fi ;;
    *) echo "bench/train-ab.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
  shift
done
[ ${#names[@]} -ge 1 ] || { echo "bench/train-ab.sh: name at least one contender NAME=TREE" >&2; exit 2; }
[ -f "$data/_SUCCESS" ] || { echo "bench/train-ab.sh: no prepared data at $data (run bench/all.sh --only train once)" >&2; exit 2; }
logs="$work/ab-$(date -u +%Y-%m-%dT%H%MZ)"
mkdir -p "$logs"
say() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }
summ() { /usr/bin/python3 "$bench/summarize.py" "$@"; }
rotate() { local r="$1"; shift; local a=("$@") n=$#; for ((i = 0; i < n; i++)); do echo "${a[$(((i + r - 1) % n))]}"; done; }
. "$bench/trainjob.sh"

for i in "${!names[@]}"; do # build each tree once, before any timing
  say "building ${names[$i]} (${trees[$i]})"
  (cd "${trees[$i]}" && scripts/run-local.sh train --help > /dev/null)
done
for r in $(seq 1 "$rounds"); do
  for i in $(rotate "$r" "${!names[@]}"); do
    name="${names[$i]}" log="$logs/${names[$i]}-$r.log"
    say "round $r/$rounds: $name (load $(cut -d' ' -f1 /proc/loadavg))"
    trainjob_measure "${trees[$i]}" "$logs" "$name" "$name-$r" "$data" 1 64 "$freq" "$warm" "$measured" \
      "${opts[$i]}" || say "$name failed in round $r, see $log"
  done
done

first="${names[0]}"
echo "| contender | median round images/s | steady images/s | images per 2 CPU-s | rounds | vs $first (round) | vs $first (per CPU) |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
for name in "${names[@]}"; do
  rate="$(summ median "$logs/$name.rates")" cpu="$(summ median "$logs/$name.cpurates")"
  echo "| $name | $rate | $(summ median "$logs/$name.steady") | $cpu | $(grep -c . "$logs/$name.rates" || true) |" \
    "$(summ ratio "$rate" "$(summ median "$logs/$first.rates")") | $(summ ratio "$cpu" "$(summ median "$logs/$first.cpurates")") |"
done
say "logs: $logs"
