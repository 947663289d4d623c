#!/usr/bin/env bash
# A scheduled augmentation run: PrepareJob prepares what arrived in a growing image tree since the last run
# (prepare.mode = incremental), AugmentJob varies those new images (augment.versions = newest), EvaluateJob scores
# the variations. Cron-ready: one dated output per run, a lock against overlapping runs, and for every stage its
# exit code, log and report.html in a status file.
#   scripts/nightly-augment.sh --corpus PATH --run-dir PATH --out PATH [--master URL [--conf key=value ...]] [--logs DIR]
#                              [--set job.key=value ...]
# --corpus   the folder-per-class image tree that grows (any Hadoop path)
# --run-dir  a TrainJob run directory: its LATEST checkpoint makes the variations
# --out      any Hadoop path: OUT/prepared (the versioned prepared data, kept across runs), OUT/classifier
#            (EvaluateJob's feature classifier, trained by the first run), OUT/<run>/augmented and OUT/<run>/evaluation,
#            where <run> is the run's UTC start, e.g. 2026-12-08T021500Z
# --master   a Spark master, e.g. spark://127.0.0.1:7077 (scripts/cluster/start.sh): the jobs go through
#            scripts/submit.sh and the shaded jar with conf/spark-defaults.conf; without it they run on local Spark
#            (scripts/run-local.sh)
# --conf     a Spark setting for spark-submit over conf/spark-defaults.conf, e.g. --conf spark.executor.memory=1g
# --logs     a local directory for the lock and every run's logs and status (default runs/nightly)
# --set      a setting for the job its key names (prepare.*, augment.*, evaluate.*), e.g. --set prepare.size=64;
#            the examples conf/prepare.conf, conf/augment.conf and conf/evaluate.conf give the rest
# LOGS/<run>/status.tsv: one line per stage (stage, exit code, seconds, report, log). Exit code: 0 when every stage
# succeeded or no image was new (a night of only duplicates or rejects also stops after the prepare); otherwise the
# failing stage's (2: bad input or settings, 1: a failure), and the later stages do not run; 75 when another run
# still holds the lock; 2 for a usage error.
# crontab, every night at 02:15:
#   15 2 * * * cd /opt/spark-diffusion && scripts/nightly-augment.sh --corpus hdfs://nn/corpus --run-dir hdfs://nn/runs/main --out hdfs://nn/nightly --master spark://master:7077 >> /var/log/spark-diffusion-nightly.log 2>&1
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; }
fail_usage() { echo "nightly-augment.sh: $1" >&2; exit 2; }
corpus="" run_dir="" out="" master="" logs="runs/nightly"
prepare_sets=() augment_sets=() evaluate_sets=() spark_confs=()
while [ $# -gt 0 ]; do
  case "$1" in
    --corpus|--run-dir|--out|--master|--conf|--logs|--set) [ $# -ge 2 ] || fail_usage "$1 needs a value" ;;&
    --corpus) corpus="$2"; shift ;;
    --run-dir) run_dir="$2"; shift ;;
    --out) out="${2%/}"; shift ;;
    --master) master="$2"; shift ;;
    --conf) spark_confs+=(--conf "$2"); shift ;;
    --logs) logs="$2"; shift ;;
    --set)
      case "$2" in
        prepare.*) prepare_sets+=(--set "$2") ;;
        augment.*) augment_sets+=(--set "$2") ;;
        evaluate.*) evaluate_sets+=(--set "$2") ;;
        *) fail_usage "--set $2: the key must start with prepare., augment. or evaluate." ;;
      esac
      shift ;;
    -h|--help) usage; exit 0 ;;
    *) fail_usage "unknown argument '$1' (--help lists the options)" ;;
  esac
  shift
done
[ -n "$corpus" ] || fail_usage "--corpus is missing: the image tree to prepare"
[ -n "$run_dir" ] || fail_usage "--run-dir is missing: the TrainJob run whose checkpoint varies the images"
[ -n "$out" ] || fail_usage "--out is missing: where the prepared data and every run's outputs go"

mkdir -p "$logs"
exec 9> "$logs/.lock"
if ! flock -n 9; then
  echo "nightly-augment.sh: another run still holds $logs/.lock; this one does nothing" >&2
  exit 75
fi

run="$(date -u +%Y-%m-%dT%H%M%SZ)"
run_logs="$logs/$run"
mkdir -p "$run_logs"
status="$run_logs/status.tsv"
printf 'stage\texit\tseconds\treport\tlog\n' > "$status"
say() { echo "[$(date -u +%H:%M:%S)] nightly-augment: $*"; }

# Runs one job as stage NAME (its log in LOGS/<run>/NAME.log) and records it; stops the run with its exit code.
stage() {
  local name="$1" job="$2" report="$3"
  shift 3
  local log="$run_logs/$name.log" started code=0
  started=$(date +%s)
  say "$name: $job ($log)"
  if [ -n "$master" ]; then
    scripts/submit.sh "$job" "conf/$job.conf" --master "$master" --properties-file conf/spark-defaults.conf \
      "${spark_confs[@]}" -- "$@" > "$log" 2>&1 || code=$?
  else
    scripts/run-local.sh "$job" --config "conf/$job.conf" "$@" > "$log" 2>&1 || code=$?
  fi
  printf '%s\t%d\t%d\t%s\t%s\n' "$name" "$code" $(( $(date +%s) - started )) "$report" "$log" >> "$status"
  if [ "$code" -ne 0 ]; then
    say "$name failed with exit $code: $(grep -v '^\s*$' "$log" | tail -1)"
    say "status: $status"
    exit "$code"
  fi
}

stage prepare prepare "$out/prepared/report.html" --set "prepare.input=$corpus" --set "prepare.output=$out/prepared" \
  --set prepare.mode=incremental "${prepare_sets[@]}"
# PrepareJob's line: "prepare: nothing new under ..." or "prepare: version N of OUT: ...; +I images, -R; ..."
if grep -q '^prepare: nothing new' "$run_logs/prepare.log" \
    || grep -q '^prepare: version .*; +0 images' "$run_logs/prepare.log"; then
  say "no new image under $corpus: no augmentation tonight"
  say "status: $status"
  exit 0
fi
# the feature classifier is trained once, so that every night's scores compare; delete the marker to train anew
if [ ! -f "$logs/classifier.done" ]; then
  stage classifier evaluate "$out/classifier/report.html" --set evaluate.mode=train-classifier \
    --set "evaluate.data=$out/prepared" --set "evaluate.classifier=$out/classifier" --set evaluate.overwrite=true \
    "${evaluate_sets[@]}"
  echo "$out/classifier" > "$logs/classifier.done"
fi
stage augment augment "$out/$run/augmented/report.html" --set "augment.data=$out/prepared" --set augment.versions=newest \
  --set "augment.run-dir=$run_dir" --set "augment.output=$out/$run/augmented" "${augment_sets[@]}"
stage evaluate evaluate "$out/$run/evaluation/report.html" --set evaluate.mode=evaluate \
  --set "evaluate.classifier=$out/classifier" --set "evaluate.generated=$out/$run/augmented" \
  --set "evaluate.reference=$out/prepared" --set "evaluate.output=$out/$run/evaluation" "${evaluate_sets[@]}"
say "done: $out/$run (status: $status)"
