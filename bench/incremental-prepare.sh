#!/usr/bin/env bash
# Incremental PrepareJob (issue 20, item 3) against a full prepare, on the 70,000-PNG Fashion-MNIST tree.
#   bench/incremental-prepare.sh [CORPUS_DIR]
# CORPUS_DIR defaults to ${TMPDIR:-/tmp}/fashion-mnist-70k (made first with scripts/fashion-mnist-tree.sh if missing).
# It is copied once under BENCH_WORK (default ${TMPDIR:-/tmp}/spark-diffusion-bench)/incremental-prepare/tree with
# 1 % of its files (every 100th by name) held back. Each round (ROUNDS, default 3) runs, cold, on local[2]:
#   full         prepare.mode = full on the whole tree (70,000 files), into a fresh output;
#   first        prepare.mode = incremental on the tree without the held-back files: version 1 of a new output;
#   one-percent  the held-back files put back, prepare.mode = incremental: version 2 decodes only them;
#   nothing-new  prepare.mode = incremental again: lists, compares, decodes nothing.
# Each is timed end to end (JVM start to exit, /usr/bin/time: wall and CPU) and by the job's own stage clock (Spark
# session ready to the commit: the last "after W s (JVM CPU time C s)" log line). Writes a Markdown summary to
# OUT (default bench/results/incremental-prepare-<UTC timestamp>.md) with the medians and the ratios to full.
# The job runs with its class data sharing archive (scripts/run-local.sh) unless SPARK_DIFFUSION_CDS=off.
set -euo pipefail
cd "$(dirname "$0")/.."
corpus="${1:-${TMPDIR:-/tmp}/fashion-mnist-70k}"
rounds="${ROUNDS:-3}"
stamp="$(date -u +%Y-%m-%dT%H%MZ)"
result="${OUT:-bench/results/incremental-prepare-$stamp.md}"
work="$(realpath -m "${BENCH_WORK:-${TMPDIR:-/tmp}/spark-diffusion-bench}/incremental-prepare")"
[ -d "$corpus" ] || scripts/fashion-mnist-tree.sh "$corpus"
scripts/run-local.sh prepare --help >/dev/null # builds
if [ "${SPARK_DIFFUSION_CDS:-auto}" != off ]; then
  # The job's class data sharing archive (scripts/run-local.sh), as bench/prepare.sh makes it, but from an incremental
  # first version: it loads every class a full prepare loads, and those of the file index.
  echo "making PrepareJob's class data sharing archive (one run on data/fashion-mnist-demo) ..."
  cds_out="$(mktemp -d)"
  SPARK_DIFFUSION_CDS=dump SPARK_MASTER='local[2]' scripts/run-local.sh prepare --set prepare.input=data/fashion-mnist-demo \
    --set prepare.output="$cds_out/prepared" --set prepare.mode=incremental >/dev/null 2>&1
  rm -rf "$cds_out"
fi

tree="$work/tree"
held="$work/held-back"
if [ ! -d "$tree" ]; then
  rm -rf "$work"
  mkdir -p "$work"
  cp -r "$corpus" "$tree"
fi
# Every 100th file by name is held back (outside the tree) for the runs that need the tree without it.
hold_back() {
  rm -rf "$held"
  mkdir -p "$held"
  (cd "$tree" && find . -type f -name '*.png' | sort | awk 'NR % 100 == 0') | while read -r f; do
    mkdir -p "$held/$(dirname "$f")"
    mv "$tree/$f" "$held/$f"
  done
}
put_back() {
  (cd "$held" && find . -type f -name '*.png') | while read -r f; do mv "$held/$f" "$tree/$f"; done
}
[ ! -d "$held" ] || put_back # a run stopped half-way
files=$(find "$tree" -type f -name '*.png' | wc -l)

log="$(mktemp)"
joblog="$(mktemp)"
trap 'rm -f "$log" "$joblog"' EXIT
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR) print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
declare -A wall cpu pwall pcpu

# run NAME MODE OUTPUT: the job once, cold; its figures appended to the NAME series.
run() {
  local name="$1" mode="$2" output="$3"
  SPARK_MASTER='local[2]' /usr/bin/time -f '%e %U %S' -o "$log" scripts/run-local.sh prepare \
    --set prepare.input="$tree" --set prepare.output="$output" --set prepare.mode="$mode" >"$joblog" 2>&1 \
    || { tail -n 20 "$joblog"; echo "bench/incremental-prepare.sh: $name failed" >&2; exit 1; }
  local w u s pw pc
  read -r w u s < "$log"
  read -r pw pc < <(sed -n 's/.* after \([0-9.]*\) s (JVM CPU time \([0-9.]*\) s).*/\1 \2/p' "$joblog" | tail -n 1)
  wall[$name]+="$w "
  cpu[$name]+="$(awk -v u="$u" -v s="$s" 'BEGIN { print u + s }') "
  pwall[$name]+="$pw "
  pcpu[$name]+="$pc "
  printf '%-12s wall %6.1f s, CPU %6.1f s; stage clock %5.1f s, JVM CPU %5.1f s | %s\n' "$name" "$w" \
    "$(awk -v u="$u" -v s="$s" 'BEGIN { print u + s }')" "$pw" "$pc" "$(grep '^prepare: ' "$joblog" | cut -c1-160)"
}

echo "corpus: $tree ($files files); $(nproc) cores; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq 1 "$rounds"); do
  echo "--- round $round"
  rm -rf "$work/full" "$work/incremental"
  run full full "$work/full"
  hold_back
  run first incremental "$work/incremental"
  put_back
  run one-percent incremental "$work/incremental"
  run nothing-new incremental "$work/incremental"
done
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"

m() { tr ' ' '\n' <<<"$1" | grep -v '^$' | median; }
cpu_model="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
avx512="$(grep -qw avx512f /proc/cpuinfo && echo yes || echo no)"
{
  echo "# Incremental PrepareJob against a full prepare ($stamp)"
  echo
  echo "\`ROUNDS=$rounds bench/incremental-prepare.sh\` on the Fashion-MNIST PNG tree ($files files; 1 % = every 100th"
  echo "file held back for version 1, then put back). Commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- core spark-jobs || echo ' (with uncommitted changes)');"
  echo "CPU: $cpu_model, $(nproc) cores, AVX-512: $avx512; load average $load_before before, $load_after after."
  echo "Cold runs on local[2] (scripts/run-local.sh); medians of $rounds rounds; ratios to the full prepare's median."
  echo
  echo "| run | wall, end to end | CPU, end to end | stage clock (session ready to commit) | its JVM CPU | wall / full | stage clock / full |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
  fw="$(m "${wall[full]}")"
  fp="$(m "${pwall[full]}")"
  for name in full first one-percent nothing-new; do
    w="$(m "${wall[$name]}")"; c="$(m "${cpu[$name]}")"; p="$(m "${pwall[$name]}")"; pc="$(m "${pcpu[$name]}")"
    awk -v n="$name" -v w="$w" -v c="$c" -v p="$p" -v pc="$pc" -v fw="$fw" -v fp="$fp" 'BEGIN {
      printf "| %s | %.1f s | %.1f s | %.1f s | %.1f s | %.2f | %.2f |\n", n, w, c, p, pc, w / fw, p / fp }'
  done
  echo
  echo "Every run (wall s, CPU s, stage clock s, its JVM CPU s):"
  echo
  for name in full first one-percent nothing-new; do
    echo "- $name: wall ${wall[$name]}; CPU ${cpu[$name]}; stage clock ${pwall[$name]}; JVM CPU ${pcpu[$name]}"
  done
} > "$result"
cat "$result"
