# Sourced by bench/all.sh and bench/train-ab.sh: one measured TrainJob run on local[2].
#
# trainjob_measure TREE LOGS NAME TAG DATA OMP BATCH FREQ WARMUP MEASURED [JAVA_OPTS]
#   Runs TrainJob from the source tree TREE (its scripts/run-local.sh) on the prepared DATA with 2 workers x BATCH,
#   OMP native threads per task, averaging every FREQ steps, for WARMUP + MEASURED averaging rounds; the model is the
#   single JVM's and PyTorch's (unconditional, no gradient clipping), no checkpoints or sample grids during the run.
#   Writes LOGS/TAG.log, LOGS/TAG.cpu and LOGS/TAG.summary, and appends the measured rounds' images/s, the steady rate
#   and the images per 2 CPU-s to LOGS/NAME.rates, NAME.steady and NAME.cpurates. Returns non-zero if the run failed.
#   LOGS and DATA must be absolute paths. The array trainjob_extra, if set, holds more arguments for the job (e.g.
#   --set train.model.attention=false).

trainjob_summarize() { /usr/bin/python3 "$(dirname "${BASH_SOURCE[0]}")/summarize.py" "$@"; }

# trainjob_cpu_trace PID LOG: while the job runs, "ROUNDS_LOGGED CPU_SECONDS" of its process every 0.2 s (run-local.sh
# execs java, so PID is the JVM); summarize.py turns it into images per 2 CPU-seconds of the measured rounds
trainjob_cpu_trace() {
  local tick; tick="$(getconf CLK_TCK)"
  while kill -0 "$1" 2>/dev/null; do
    awk -v t="$tick" -v r="$(grep -c '^train: step ' "$2" || true)" '{ printf "%d %.2f\n", r, ($14 + $15) / t }' \
      "/proc/$1/stat" 2>/dev/null || true
    sleep 0.2
  done
}

trainjob_measure() {
  local tree="$1" logs="$2" name="$3" tag="$4" data="$5" omp="$6" batch="$7" freq="$8" warm="$9" measured="${10}"
  local java_opts="${11:-${JAVA_OPTS:-}}" run="$2/run-$4" pid status=0
  rm -rf "$run"
  (cd "$tree" && SPARK_MASTER='local[2]' OMP_NUM_THREADS="$omp" JAVA_OPTS="$java_opts" \
    scripts/run-local.sh train --set train.data="$data" --set train.run-dir="$run" --set train.workers=2 \
    --set train.batch-size="$batch" --set train.averaging-frequency="$freq" \
    --set train.max-steps=$(((warm + measured) * freq)) --set train.epochs=1000 \
    --set train.checkpoint-every-epochs=1000 --set train.sample-every-epochs=0 \
    --set 'train.conditional="false"' --set train.gradient-clip=0 ${trainjob_extra[@]+"${trainjob_extra[@]}"}) > "$logs/$tag.log" 2>&1 &
  pid=$!
  trainjob_cpu_trace "$pid" "$logs/$tag.log" > "$logs/$tag.cpu"
  if wait "$pid" && trainjob_summarize rounds "$run/metrics.jsonl" "$warm" "$logs/$tag.cpu" > "$logs/$tag.summary"; then
    sed -n 's/^rate //p' "$logs/$tag.summary" >> "$logs/$name.rates"
    sed -n 's/^steady //p' "$logs/$tag.summary" >> "$logs/$name.steady"
    sed -n 's/^per_cpu //p' "$logs/$tag.summary" >> "$logs/$name.cpurates"
  else
    status=1
  fi
  rm -rf "$run"
  return $status
}
