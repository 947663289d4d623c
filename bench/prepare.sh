#!/usr/bin/env bash
# PrepareJob throughput (issue 3): the job on local[2] against the decode-only floor, on the same corpus.
#   bench/prepare.sh [CORPUS_DIR] [OUT_DIR]
# CORPUS_DIR defaults to ${TMPDIR:-/tmp}/fashion-mnist-70k (made first with scripts/fashion-mnist-tree.sh if missing);
# OUT_DIR to ${TMPDIR:-/tmp}/fashion-mnist-70k-prepared. The timed runs give the driver the heap scripts/run-local.sh
# gives it (4 GB) unless DRIVER_MEMORY says otherwise; one more cold run, untimed, checks that the job also goes
# through with the driver at MEMORY_CHECK (default 512m: the issue's memory check; empty = skipped). A small heap
# costs throughput (the warm job ~12 % slower at 512 MB, in collections), not correctness. SIZE and CHANNELS
# (default 28 and 1) set the job's output shape. ROUNDS (default 1) alternates floor and job that many times and ends
# with the medians and their ratios. Prints the floor lines, the job's wall and CPU time (CPU time says more than
# wall time on a shared machine) and images/s, and the load.
# The job is timed two ways: end to end (JVM start to exit, by /usr/bin/time) and its processing time from its
# own stage clock (Spark session ready to _SUCCESS written, the job's last "after W s" log line: no JVM and Spark
# start-up, no shutdown). The job runs with its class data sharing archive (scripts/run-local.sh, made first by a
# run on the demo corpus) unless SPARK_DIFFUSION_CDS=off.
# The job's marginal rate, cold: the job also runs on the first half of the corpus's top folders (hard links in
# OUT_DIR-half-input, copies across file systems: PrepareJob reads no file through a symbolic link out of its input);
# (files - half's files) / (wall - half's wall), paired within a round, is what the second half cost, JVM and Spark
# start-up and the job's fixed work excluded.
# The job's steady state: WarmPrepareBenchmark runs the whole job WARM_RUNS times (default 8; 0 = not measured) in
# one JVM and one Spark application on local[2], each into a fresh directory; the runs after the first three (the JIT
# compiler is still busy in the third) are the steady state, as warm as the floor (which decodes after a warm-up pass). Two such JVMs per round: with the job's
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
scripts/run-local.sh prepare --help >/dev/null # builds the jobs, writes spark-jobs/target/classpath.txt
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
. bench/classpath.sh # builds the bench module when a source changed
cp="$BENCH_CLASSPATH"
log="$(mktemp)"
joblog="$(mktemp)"
half="$out-half-input"
trap 'rm -rf "$log" "$joblog" "$half"' EXIT

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR) print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
rate() { awk -v w="$1" -v n="$files" 'BEGIN { printf "%.0f", n / w }'; }
warm_runs="${WARM_RUNS:-8}"
warm_skip=3

# The first half (by name) of the corpus's top folders, hard-linked: the marginal-rate contender's input.
rm -rf "$half"
mkdir -p "$half"
mapfile -t tops < <(find "$corpus" -mindepth 1 -maxdepth 1 -type d ! -name '.*' ! -name '_*' | sort)
for top in "${tops[@]:0:$(( ${#tops[@]} / 2 ))}"; do
  cp -al "$top" "$half/" 2>/dev/null || cp -a "$top" "$half/"
done
half_files=$(find -L "$half" -type f \( -name '*.png' -o -name '*.jpg' \) | wc -l)

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

# run_cold INPUT [HEAP]: the job once, cold, on INPUT; leaves "wall user sys" in $log and its output in $joblog.
run_cold() {
  SPARK_MASTER='local[2]' DRIVER_MEMORY="${2:-${DRIVER_MEMORY:-}}" /usr/bin/time -f '%e %U %S' -o "$log" scripts/run-local.sh prepare \
    --set prepare.input="$1" --set prepare.output="$out" --set prepare.overwrite=true \
    --set prepare.size="$size" --set prepare.channels="$channels" 2>&1 | tee "$joblog"
}

cold() {
  echo "--- round $round: PrepareJob on local[2], driver heap ${DRIVER_MEMORY:-4g}"
  run_cold "$corpus"
  read -r wall user sys < "$log"
  cold_wall[$round]="$wall"
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

cold_half() {
  echo "--- round $round: PrepareJob on local[2] on the first half of the top folders ($half_files files)"
  run_cold "$half" > /dev/null || { tail -n 20 "$joblog"; echo "bench/prepare.sh: the job failed on $half" >&2; exit 1; }
  grep '^prepare: ' "$joblog"
  read -r wall _ _ < "$log"
  half_wall[$round]="$wall"
  echo "job wall time on the half corpus $wall s"
}

# warm NAME JVM-FLAGS...: the whole job WARM_RUNS times in one JVM; the runs after the first $warm_skip count.
warm() {
  local name="$1"
  shift
  echo "--- round $round: PrepareJob run $warm_runs times in one JVM on local[2] ($name), driver heap ${DRIVER_MEMORY:-4g}"
  SPARK_LOCAL_IP="${SPARK_LOCAL_IP:-127.0.0.1}" java "${SPARK_DIFFUSION_JAVA_FLAGS[@]}" "$@" -Xmx"${DRIVER_MEMORY:-4g}" \
    -Dspark.master='local[2]' -Dlog4j2.configurationFile=conf/log4j2.properties -cp "$cp" \
    io.sparkdiffusion.jobs.WarmPrepareBenchmark "$corpus" "$out-warm" "$warm_runs" \
    --set prepare.size="$size" --set prepare.channels="$channels" > "$joblog" 2>&1 || { tail -n 20 "$joblog"; exit 1; }
  grep '^warm-prepare ' "$joblog"
  local s c
  s=$(awk -v k="$warm_skip" '/^warm-prepare / { split($2, r, "="); if (r[2] > k) { sub(/seconds=/, "", $3); print $3 } }' "$joblog" | median)
  c=$(awk -v k="$warm_skip" '/^warm-prepare / { split($2, r, "="); if (r[2] > k) { sub(/cpu-seconds=/, "", $4); print $4 } }' "$joblog" | median)
  steady[$name]+="$s "
  steady_cpu[$name]+="$c "
  printf "job steady state (%s, median of runs %d-%d) %.2f s, JVM CPU time %.2f s: %.0f images/s\n" "$name" $((warm_skip + 1)) "$warm_runs" "$s" "$c" "$(rate "$s")"
}
warm_c1() { warm "job flags" "${PREPARE_JAVA_FLAGS[@]}"; }
warm_c2() { warm "C2" "${PREPARE_JAVA_FLAGS[@]}" -XX:TieredStopAtLevel=4; } # the last -XX setting wins

declare -a cold_wall half_wall
contenders=(floor cold)
if [ "$half_files" -gt 0 ] && [ "$half_files" -lt "$files" ]; then
  contenders+=(cold_half)
fi
if [ "$warm_runs" -gt "$warm_skip" ]; then
  contenders+=(warm_c1 warm_c2)
fi
for round in $(seq 1 "$rounds"); do
  for i in $(seq 0 $((${#contenders[@]} - 1))); do
    "${contenders[$(((i + round - 1) % ${#contenders[@]}))]}"
  done
  echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
done
rm -rf "$out-warm" "$half"
if [ -n "${MEMORY_CHECK-512m}" ]; then
  run_cold "$corpus" "${MEMORY_CHECK-512m}" > /dev/null \
    || { tail -n 20 "$joblog"; echo "bench/prepare.sh: the memory check failed (driver heap ${MEMORY_CHECK-512m})" >&2; exit 1; }
  read -r wall _ _ < "$log"
  echo "memory check: PrepareJob with the driver heap at ${MEMORY_CHECK-512m}: $(grep '^prepare: ' "$joblog") (wall $wall s)"
fi
floor=$(printf '%s\n' "${floors[@]}" | median)
floor2=$(printf '%s\n' "${floors2[@]}" | median)
job=$(printf '%s\n' "${jobs[@]}" | median)
proc=$(printf '%s\n' "${processing[@]}" | median)
awk -v f="$floor" -v j="$job" -v p="$proc" -v r="$rounds" 'BEGIN {
  printf "medians of %d round(s): floor (ImageIO, 1 thread) %.0f images/s; PrepareJob end to end (JVM start to exit) %.0f images/s: job / floor = %.2f; PrepareJob processing (session ready to _SUCCESS) %.0f images/s: processing / floor = %.2f\n", r, f, j, j / f, p, p / f }'
fc=$(printf '%s\n' "${floor_cpu[@]}" | median)
awk -v f="$floor" -v f2="$floor2" -v fc="$fc" -v jc="$(printf '%s\n' "${job_cpu[@]}" | median)" -v pc="$(printf '%s\n' "${proc_cpu[@]}" | median)" 'BEGIN {
  printf "medians: floor with 2 threads %.0f images/s (%.2f x 1 thread); floor CPU time (1 thread) %.2f s; cold job CPU time %.1f s end to end, %.1f s processing\n", f2, f2 / f, fc, jc, pc }'
if [ -n "${half_wall[*]:-}" ]; then
  marginal=$(for r in "${!half_wall[@]}"; do
    awk -v n="$files" -v h="$half_files" -v w="${cold_wall[$r]}" -v hw="${half_wall[$r]}" 'BEGIN { if (w > hw) print (n - h) / (w - hw) }'
  done | median)
  awk -v f="$floor" -v m="$marginal" -v h="$half_files" -v n="$files" 'BEGIN {
    if (m == "") { printf "medians: PrepareJob cold, marginal rate: n/a (no round took longer on the whole corpus than on half of it)\n"; exit }
    printf "medians: PrepareJob cold, marginal rate (the %d files beyond the half corpus over the extra wall time) %.0f images/s: marginal / floor = %.2f\n", n - h, m, m / f }'
fi
for name in "job flags" "C2"; do
  if [ -n "${steady[$name]:-}" ]; then
    s=$(printf '%s\n' ${steady[$name]} | median)
    c=$(printf '%s\n' ${steady_cpu[$name]} | median)
    awk -v f="$floor" -v f2="$floor2" -v fc="$fc" -v n="$files" -v s="$s" -v c="$c" -v name="$name" 'BEGIN {
      printf "medians: PrepareJob steady state (%s) %.2f s, JVM CPU time %.2f s: %.0f images/s: steady / floor = %.2f (1 thread), %.2f (2 threads); per CPU-second %.2f x the floor\n", name, s, c, n / s, n / s / f, n / s / f2, fc / c }'
  fi
done
