#!/usr/bin/env bash
# PrepareJob throughput (issue 3): the job on local[2] against the decode-only floor, on the same corpus.
#   bench/prepare.sh [CORPUS_DIR] [OUT_DIR]
# CORPUS_DIR defaults to ${TMPDIR:-/tmp}/fashion-mnist-70k (made first with scripts/fashion-mnist-tree.sh if missing);
# OUT_DIR to ${TMPDIR:-/tmp}/fashion-mnist-70k-prepared. The job runs with the driver heap at DRIVER_MEMORY (default
# 512m: the issue's memory check); SIZE and CHANNELS (default 28 and 1) set the job's output shape. ROUNDS (default
# 1) alternates floor and job that many times and ends with the medians and their ratios. Prints the floor lines,
# the job's wall and CPU time (CPU time says more than wall time on a shared machine) and images/s, and the load.
# The job is timed two ways: end to end (JVM start to exit, by /usr/bin/time) and its processing time from its
# own stage clock (Spark session ready to _SUCCESS written, the job's last "after W s" log line: no JVM and Spark
# start-up, no shutdown). The job runs with its class data sharing archive (scripts/run-local.sh, made first by a
# run on the demo corpus) unless SPARK_DIFFUSION_CDS=off.
# The job's steady state: WarmPrepareBenchmark runs the whole job WARM_RUNS times (default 5; 0 = not measured) in
# one JVM and one Spark application on local[2], each into a fresh directory; the runs after the first two are the
# steady state, as warm as the floor (which decodes after a warm-up pass). Two such JVMs per round: with the job's
# JVM flags (PREPARE_JAVA_FLAGS: C1 compiler only, right for a job of seconds) and with the default tiered JIT (C2,
# what a long job on a large corpus runs best with). Contenders run in an order that rotates from round to round.
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
rounds="${ROUNDS:-1}"
scripts/run-local.sh prepare --help >/dev/null # builds, writes spark-jobs/target/classpath.txt
if [ "${SPARK_DIFFUSION_CDS:-auto}" != off ]; then
  # The job's class data sharing archive (scripts/run-local.sh), written by one small run so that no timed round
  # pays for writing it; SPARK_DIFFUSION_CDS=off times the job without it.
  echo "making PrepareJob's class data sharing archive (one run on data/fashion-mnist-demo) ..."
  cds_out="$(mktemp -d)"
  SPARK_DIFFUSION_CDS=dump SPARK_MASTER='local[2]' scripts/run-local.sh prepare --set prepare.input=data/fashion-mnist-demo \
    --set prepare.output="$cds_out/prepared" >/dev/null 2>&1
  rm -rf "$cds_out"
fi
. scripts/java-flags.sh
cp="spark-jobs/target/classes:$(cat spark-jobs/target/classpath.txt)"
log="$(mktemp)"
joblog="$(mktemp)"
trap 'rm -f "$log" "$joblog"' EXIT

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
rate() { awk -v w="$1" -v n="$files" 'BEGIN { printf "%.0f", n / w }'; }
warm_runs="${WARM_RUNS:-5}"

echo "corpus: $corpus ($files image files, prepared to ${channels}x${size}x${size}); $(nproc) cores; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
floors=(); floors2=(); floor_cpu=(); jobs=(); processing=(); job_cpu=(); proc_cpu=()
declare -A steady steady_cpu

floor() {
  echo "--- round $round: floor: plain ImageIO in one JVM (and our per-file path), 1 and 2 threads"
  java "${SPARK_DIFFUSION_JAVA_FLAGS[@]}" -cp "$cp" io.sparkdiffusion.bench.DecodeFloorBenchmark "$corpus" 2 "$size" "$channels" | tee "$log"
  floors+=("$(awk '/^imageio-decode +threads=1 / { sub(/.*images\/s=/, ""); print }' "$log")")
  floors2+=("$(awk '/^imageio-decode +threads=2 / { sub(/.*images\/s=/, ""); print }' "$log")")
  floor_cpu+=("$(awk '/^imageio-decode +threads=1 / { sub(/.*cpu-seconds=/, ""); print $1 }' "$log")")
}

cold() {
  echo "--- round $round: PrepareJob on local[2], driver heap ${DRIVER_MEMORY:-512m}"
  SPARK_MASTER='local[2]' DRIVER_MEMORY="${DRIVER_MEMORY:-512m}" /usr/bin/time -f '%e %U %S' -o "$log" scripts/run-local.sh prepare \
    --set prepare.input="$corpus" --set prepare.output="$out" --set prepare.overwrite=true \
    --set prepare.size="$size" --set prepare.channels="$channels" 2>&1 | tee "$joblog"
  read -r wall user sys < "$log"
  # The stage clock's last line: "... committed the output (_SUCCESS written) after 6.1 s (JVM CPU time 9.8 s)".
  read -r pwall pcpu < <(sed -n 's/.* after \([0-9.]*\) s (JVM CPU time \([0-9.]*\) s).*/\1 \2/p' "$joblog" | tail -n 1)
  jobs+=("$(rate "$wall")")
  processing+=("$(rate "$pwall")")
  job_cpu+=("$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')")
  proc_cpu+=("$pcpu")
  awk -v w="$wall" -v u="$user" -v s="$sys" -v n="$files" 'BEGIN {
    printf "job wall time %.1f s (end to end: JVM start, Spark start, all stages, exit), CPU time %.1f s: %.0f images/s\n", w, u + s, n / w }'
  awk -v w="$pwall" -v c="$pcpu" -v n="$files" 'BEGIN {
    printf "job processing time %.1f s (its stage clock: Spark session ready to _SUCCESS), JVM CPU time %.1f s: %.0f images/s\n", w, c, n / w }'
}

# warm NAME JVM-FLAGS...: the whole job WARM_RUNS times in one JVM; the runs after the first two count.
warm() {
  local name="$1"
  shift
  echo "--- round $round: PrepareJob run $warm_runs times in one JVM on local[2] ($name), driver heap ${DRIVER_MEMORY:-512m}"
  SPARK_LOCAL_IP="${SPARK_LOCAL_IP:-127.0.0.1}" java "${SPARK_DIFFUSION_JAVA_FLAGS[@]}" "$@" -Xmx"${DRIVER_MEMORY:-512m}" \
    -Dspark.master='local[2]' -Dlog4j2.configurationFile=conf/log4j2.properties -cp "$cp" \
    io.sparkdiffusion.jobs.bench.WarmPrepareBenchmark "$corpus" "$out-warm" "$warm_runs" \
    --set prepare.size="$size" --set prepare.channels="$channels" > "$joblog" 2>&1 || { tail -n 20 "$joblog"; exit 1; }
  grep '^warm-prepare ' "$joblog"
  local s c
  s=$(awk '/^warm-prepare / && $2 != "run=1" && $2 != "run=2" { sub(/seconds=/, "", $3); print $3 }' "$joblog" | median)
  c=$(awk '/^warm-prepare / && $2 != "run=1" && $2 != "run=2" { sub(/cpu-seconds=/, "", $4); print $4 }' "$joblog" | median)
  steady[$name]+="$s "
  steady_cpu[$name]+="$c "
  printf "job steady state (%s, median of runs 3-%d) %.2f s, JVM CPU time %.2f s: %.0f images/s\n" "$name" "$warm_runs" "$s" "$c" "$(rate "$s")"
}
warm_c1() { warm "job flags" "${PREPARE_JAVA_FLAGS[@]}"; }
warm_c2() { warm "C2" "${PREPARE_JAVA_FLAGS[@]}" -XX:TieredStopAtLevel=4; } # the last -XX setting wins

contenders=(floor cold)
if [ "$warm_runs" -gt 2 ]; then
  contenders+=(warm_c1 warm_c2)
fi
for round in $(seq 1 "$rounds"); do
  for i in $(seq 0 $((${#contenders[@]} - 1))); do
    "${contenders[$(((i + round - 1) % ${#contenders[@]}))]}"
  done
  echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
done
rm -rf "$out-warm"
floor=$(printf '%s\n' "${floors[@]}" | median)
floor2=$(printf '%s\n' "${floors2[@]}" | median)
job=$(printf '%s\n' "${jobs[@]}" | median)
proc=$(printf '%s\n' "${processing[@]}" | median)
awk -v f="$floor" -v j="$job" -v p="$proc" -v r="$rounds" 'BEGIN {
  printf "medians of %d round(s): floor (ImageIO, 1 thread) %.0f images/s; PrepareJob end to end (JVM start to exit) %.0f images/s: job / floor = %.2f; PrepareJob processing (session ready to _SUCCESS) %.0f images/s: processing / floor = %.2f\n", r, f, j, j / f, p, p / f }'
fc=$(printf '%s\n' "${floor_cpu[@]}" | median)
awk -v f="$floor" -v f2="$floor2" -v fc="$fc" -v jc="$(printf '%s\n' "${job_cpu[@]}" | median)" -v pc="$(printf '%s\n' "${proc_cpu[@]}" | median)" 'BEGIN {
  printf "medians: floor with 2 threads %.0f images/s (%.2f x 1 thread); floor CPU time (1 thread) %.2f s; cold job CPU time %.1f s end to end, %.1f s processing\n", f2, f2 / f, fc, jc, pc }'
for name in "job flags" "C2"; do
  if [ -n "${steady[$name]:-}" ]; then
    s=$(printf '%s\n' ${steady[$name]} | median)
    c=$(printf '%s\n' ${steady_cpu[$name]} | median)
    awk -v f="$floor" -v f2="$floor2" -v fc="$fc" -v n="$files" -v s="$s" -v c="$c" -v name="$name" 'BEGIN {
      printf "medians: PrepareJob steady state (%s) %.2f s, JVM CPU time %.2f s: %.0f images/s: steady / floor = %.2f (1 thread), %.2f (2 threads); per CPU-second %.2f x the floor\n", name, s, c, n / s, n / s / f, n / s / f2, fc / c }'
  fi
done
