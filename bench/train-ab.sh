#!/usr/bin/env bash
# TrainJob on local[2] from several builds (or Spark settings) side by side: the per-round cost of training.
#   bench/train-ab.sh [--rounds N] [--warmup W] [--measured M] [--freq F] [--data DIR] NAME=TREE[:JAVA_OPTS] ...
# TREE is a source tree with scripts/run-local.sh (e.g. `git archive main | tar -x -C /tmp/base` for the old
# code; "." for this one); JAVA_OPTS are extra JVM options for that contender (e.g. Spark settings
# -Dspark.task.maxDirectResultSize=64m). Each of N rounds (default 3) runs every contender once, in an order
# that rotates from round to round: 2 workers x batch 64 x averaging every F (default 5) steps, W (default 3)
# warm-up rounds then M (default 20) measured averaging rounds, unconditional, no clipping, checkpoint or
# samples. Prints a markdown table: medians over all measured averaging rounds of all runs (images/s from
# metrics.jsonl), the steady images/s (median over runs), images per 2 CPU-s of the job's JVM (median over
# runs), and ratios to the first contender. Runs log JobTimingListener's per-Spark-job line (trees that have it).
# DATA defaults to BENCH_WORK's prepared Fashion-MNIST (bench/all.sh makes it). Logs go to BENCH_WORK/ab-<time>.
set -euo pipefail
cd "$(dirname "$0")/.."
bench="$PWD/bench"

rounds=3 warm=3 measured=20 freq=5
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
# cpu_trace PID LOG: "ROUNDS_LOGGED CPU_SECONDS" of the process every 0.2 s (as bench/all.sh)
cpu_trace() {
  local tick; tick="$(getconf CLK_TCK)"
  while kill -0 "$1" 2>/dev/null; do
    awk -v t="$tick" -v r="$(grep -c '^train: step ' "$2" || true)" '{ printf "%d %.2f\n", r, ($14 + $15) / t }' \
      "/proc/$1/stat" 2>/dev/null || true
    sleep 0.2
  done
}

for i in "${!names[@]}"; do # build each tree once, before any timing
  say "building ${names[$i]} (${trees[$i]})"
  (cd "${trees[$i]}" && scripts/run-local.sh train --help > /dev/null)
done
for r in $(seq 1 "$rounds"); do
  for i in $(rotate "$r" "${!names[@]}"); do
    name="${names[$i]}" run="$logs/run-${names[$i]}-$r" log="$logs/${names[$i]}-$r.log"
    say "round $r/$rounds: $name (load $(cut -d' ' -f1 /proc/loadavg))"
    listener="" # a tree from before the listener existed runs without it
    if [ -f "${trees[$i]}/spark-jobs/target/classes/io/sparkdiffusion/jobs/glue/JobTimingListener.class" ]; then
      listener="-Dspark.extraListeners=io.sparkdiffusion.jobs.glue.JobTimingListener"
    fi
    (cd "${trees[$i]}" && SPARK_MASTER='local[2]' OMP_NUM_THREADS=1 JAVA_OPTS="$listener ${opts[$i]}" \
      scripts/run-local.sh train --set train.data="$data" --set train.run-dir="$run" --set train.workers=2 \
      --set train.batch-size=64 --set train.averaging-frequency="$freq" \
      --set train.max-steps=$(((warm + measured) * freq)) --set train.epochs=1000 \
      --set train.checkpoint-every-epochs=1000 --set train.sample-every-epochs=0 \
      --set 'train.conditional="false"' --set train.gradient-clip=0) > "$log" 2>&1 &
    pid=$!
    cpu_trace "$pid" "$log" > "$logs/$name-$r.cpu"
    if wait "$pid" && summ rounds "$run/metrics.jsonl" "$warm" "$logs/$name-$r.cpu" > "$logs/$name-$r.summary"; then
      sed -n 's/^rate //p' "$logs/$name-$r.summary" >> "$logs/$name.rates"
      sed -n 's/^steady //p' "$logs/$name-$r.summary" >> "$logs/$name.steady"
      sed -n 's/^per_cpu //p' "$logs/$name-$r.summary" >> "$logs/$name.cpurates"
    else
      say "$name failed in round $r, see $log"
    fi
    rm -rf "$run"
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
