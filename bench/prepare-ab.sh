#!/usr/bin/env bash
# PrepareJob on local[2] from several source trees (or environments) side by side, on one corpus.
#   bench/prepare-ab.sh [--rounds N] [--corpus DIR] [--size S] [--channels C] NAME=TREE[:VAR=VALUE,...] ...
# TREE is a source tree with scripts/run-local.sh (e.g. `git archive HEAD | tar -x -C DIR` and a patch applied; "."
# for this one); VAR=VALUE pairs are that contender's environment (e.g. SPARK_DIFFUSION_CDS=auto). The class data
# sharing archive of scripts/run-local.sh is off (SPARK_DIFFUSION_CDS=off) unless a contender says otherwise; where
# it says auto, one untimed run with SPARK_DIFFUSION_CDS=dump on the corpus writes the archive first. Each of N
# rounds (default 5) runs every contender once, in an order that rotates from round to round, cold (its own JVM, as
# run-local.sh starts it). CORPUS defaults to a photo corpus that bench/photo-corpus.sh makes under BENCH_WORK; S and C
# (default 64 and 3) are the job's output shape. Prints a markdown table of medians over the rounds: end to end wall
# time (JVM start to exit) and CPU time of the process, the job's processing time (its stage clock: session ready to
# _SUCCESS) and its listing time (session ready to "listed"), with ratios of each contender's median to the first's.
# Logs go to BENCH_WORK/prepare-ab-<time>.
set -euo pipefail
cd "$(dirname "$0")/.."
here="$PWD"

rounds=5 size=64 channels=3
work="${BENCH_WORK:-${TMPDIR:-/tmp}/spark-diffusion-bench}"
corpus=""
names=() trees=() envs=()
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds="$2"; shift ;;
    --corpus) corpus="$2"; shift ;;
    --size) size="$2"; shift ;;
    --channels) channels="$2"; shift ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *=*) spec="${1#*=}"; names+=("${1%%=*}"); trees+=("$(realpath "${spec%%:*}")")
         if [[ "$spec" == *:* ]]; then envs+=("${spec#*:}"); else envs+=(""); fi ;;
    *) echo "bench/prepare-ab.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
  shift
done
[ ${#names[@]} -ge 1 ] || { echo "bench/prepare-ab.sh: name at least one contender NAME=TREE" >&2; exit 2; }
if [ -z "$corpus" ]; then
  corpus="$work/photos"
  [ -d "$corpus" ] || bench/photo-corpus.sh "$corpus"
fi
corpus="$(realpath "$corpus")"
logs="$work/prepare-ab-$(date -u +%Y-%m-%dT%H%MZ)"
mkdir -p "$logs"
say() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }
median() { /usr/bin/python3 "$here/bench/summarize.py" median "$@"; }
ratio() { /usr/bin/python3 "$here/bench/summarize.py" ratio "$@"; }
rotate() { local r="$1"; shift; local a=("$@") n=$#; for ((i = 0; i < n; i++)); do echo "${a[$(((i + r - 1) % n))]}"; done; }

# run I LOG [VAR=VALUE ...]: contender I's job once on the corpus; /usr/bin/time's "wall user sys" in LOG.time
run() {
  local i="$1" log="$2"
  shift 2
  local assignments=(SPARK_DIFFUSION_CDS=off)
  IFS=, read -r -a more <<< "${envs[$i]}"
  assignments+=("${more[@]}" "$@")
  (cd "${trees[$i]}" && env "${assignments[@]}" SPARK_MASTER='local[2]' /usr/bin/time -f '%e %U %S' -o "$log.time" \
    scripts/run-local.sh prepare --set prepare.input="$corpus" --set prepare.output="$logs/out-$i" \
    --set prepare.overwrite=true --set prepare.size="$size" --set prepare.channels="$channels") > "$log" 2>&1
}

files=$(find "$corpus" -type f | wc -l)
echo "corpus: $corpus ($files files, $(du -sh "$corpus" | cut -f1)), prepared to ${channels}x${size}x${size}; $(nproc) cores," \
  "$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'); load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for i in "${!names[@]}"; do # build each tree once, before any timing; write the archives that are asked for
  say "building ${names[$i]} (${trees[$i]}${envs[$i]:+, ${envs[$i]}})"
  (cd "${trees[$i]}" && scripts/run-local.sh prepare --help > /dev/null)
  if [[ ",${envs[$i]}," == *",SPARK_DIFFUSION_CDS=auto,"* ]]; then
    say "writing ${names[$i]}'s class data sharing archive (one untimed run)"
    run "$i" "$logs/${names[$i]}-dump.log" SPARK_DIFFUSION_CDS=dump
  fi
done
for r in $(seq 1 "$rounds"); do
  for i in $(rotate "$r" "${!names[@]}"); do
    name="${names[$i]}" log="$logs/${names[$i]}-$r.log"
    say "round $r/$rounds: $name (load $(cut -d' ' -f1 /proc/loadavg))"
    if ! run "$i" "$log"; then
      say "$name failed in round $r, see $log"
      continue
    fi
    read -r wall user sys < "$log.time"
    echo "$wall" >> "$logs/$name.wall"
    awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }' >> "$logs/$name.cpu"
    # the stage clock: "... committed the output (_SUCCESS written) after 6.1 s (JVM CPU time 9.8 s)"
    sed -n 's/.*committed the output.* after \([0-9.]*\) s (JVM CPU time.*/\1/p' "$log" | tail -n 1 >> "$logs/$name.processing"
    sed -n 's/.*PrepareStages: listed .* after \([0-9.]*\) s (JVM CPU time.*/\1/p' "$log" | tail -n 1 >> "$logs/$name.listing"
  done
done

first="${names[0]}"
echo
echo "| contender | wall, end to end (s) | CPU time (s) | processing (s) | listing (s) | wall vs $first | CPU vs $first | processing vs $first | rounds |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
for name in "${names[@]}"; do
  w="$(median "$logs/$name.wall")" c="$(median "$logs/$name.cpu")" p="$(median "$logs/$name.processing")"
  echo "| $name | $w | $c | $p | $(median "$logs/$name.listing") | $(ratio "$w" "$(median "$logs/$first.wall")")" \
    "| $(ratio "$c" "$(median "$logs/$first.cpu")") | $(ratio "$p" "$(median "$logs/$first.processing")") |" \
    "$(grep -c . "$logs/$name.wall" || true) |"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
say "logs: $logs"
