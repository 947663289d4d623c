#!/usr/bin/env bash
# Scaling benchmark of TrainJob's parameter averaging: what adding workers does to the model per image processed.
#   bench/scaling.sh [--epochs N] [--runs "W:H:OUTER[:key=value,...] ..."] [--samples-per-class N] [--out FILE]
# Every run trains the default U-Net on the whole Fashion-MNIST training split (54,000 images after PrepareJob's
# 10 % validation split) for --epochs epochs (default 1) with the same batch per worker (64) and the same seed;
# only the worker count W, the averaging frequency H, the outer optimizer and the extra keys differ. On local[2]
# W is only a partition count, so wall time is not the measure: images processed are. Each run logs its validation
# loss (1,000 held-out images, fixed noise) about every 5,000 images; at the end SampleJob draws --samples-per-class
# images per class (DPM-Solver++ 20 steps, guidance 3, EMA weights) and EvaluateJob scores them against the
# validation split (Fréchet distance on the feature classifier, class consistency; no TSTR).
# Default runs: W = 1, 2, 4, 8, 16 at H = 10 with plain averaging (W = 1 is the reference a perfectly scaling
# cluster would match per image), and at W = 8 and 16: H = 10 and 50 with average and nesterov.
# A finished run is kept and not repeated (delete its directory to redo it), so the benchmark can be stopped and
# started again. Results: a markdown table on stdout or in FILE, and the plot bench/scaling.png.
# Runtime, measured on a 2-core AMD EPYC with AVX-512 at load average 4-11: 2 h 20 min for 15 runs; a W = 1 run
# trains on one core (~40 min), W = 8 and 16 on both (12-15 min); sampling and scoring add 1-5 min per run.
# Environment: BENCH_WORK (default ${TMPDIR:-/tmp}/spark-diffusion-bench). Needs: apt-get install -y
# dataset-fashion-mnist python3-matplotlib
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; }
epochs=1
out=""
per_class=100
runs="1:10:average 2:10:average 4:10:average 8:10:average 16:10:average 8:10:nesterov 16:10:nesterov
      8:50:average 8:50:nesterov 16:50:average 16:50:nesterov"
while [ $# -gt 0 ]; do
  case "$1" in
    --epochs) epochs="$2"; shift ;;
    --runs) runs="$2"; shift ;;
    --samples-per-class) per_class="$2"; shift ;;
    --out) out="$2"; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "bench/scaling.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
  shift
done
fm=/usr/share/datasets/fashion-mnist
[ -f "$fm/train-images-idx3-ubyte.gz" ] || { echo "bench/scaling.sh: needs $fm (apt-get install -y dataset-fashion-mnist)" >&2; exit 2; }
/usr/bin/python3 -c 'import matplotlib' 2>/dev/null || { echo "bench/scaling.sh: needs python3-matplotlib" >&2; exit 2; }

work="${BENCH_WORK:-${TMPDIR:-/tmp}/spark-diffusion-bench}/scaling"
mkdir -p "$work/logs"
export SPARK_MASTER="local[2]"
log() { echo "[$(date +%H:%M:%S)] $*" >&2; }
started=$(date +%s)

if [ ! -f "$work/prepared/_SUCCESS" ]; then
  log "PrepareJob: Fashion-MNIST training set -> $work/prepared"
  scripts/run-local.sh prepare --config conf/prepare.conf --set "prepare.input=$fm/train-images-idx3-ubyte.gz" \
    --set prepare.layout=idx \
    --set "prepare.class-names=[t-shirt-top,trouser,pullover,dress,coat,sandal,shirt,sneaker,bag,ankle-boot]" \
    --set "prepare.output=$work/prepared" --set prepare.overwrite=true > "$work/logs/prepare.log" 2>&1
fi
if [ ! -f "$work/classifier/classifier.json" ]; then
  log "EvaluateJob: feature classifier on 20,000 training images -> $work/classifier"
  scripts/run-local.sh evaluate --config conf/evaluate.conf --set evaluate.mode=train-classifier \
    --set "evaluate.data=$work/prepared" --set "evaluate.classifier=$work/classifier" \
    --set evaluate.train-images=20000 --set evaluate.overwrite=true > "$work/logs/classifier.log" 2>&1
fi

names=()
for spec in $runs; do
  IFS=: read -r w h outer extra <<< "$spec"
  name="w${w}-h${h}-${outer}${extra:+-${extra//[=,\/]/_}}"
  names+=("$name")
  dir="$work/runs/$name"
  # about one validation per 5,000 images: a round is W x H x 64 images
  every=$(( 5000 / (w * h * 64) )); [ "$every" -ge 1 ] || every=1
  sets=(--set "train.data=$work/prepared" --set "train.run-dir=$dir/train" --set "train.epochs=$epochs"
    --set "train.workers=$w" --set "train.averaging-frequency=$h" --set "train.outer-optimizer=$outer"
    --set train.batch-size=64 --set train.seed=0 --set train.sample-every-epochs=0
    --set train.checkpoint-every-epochs=1 --set "train.keep-checkpoints=$epochs"
    --set "train.validation.every-rounds=$every")
  if [ -n "$extra" ]; then
    IFS=, read -r -a kvs <<< "$extra"
    for kv in "${kvs[@]}"; do sets+=(--set "train.$kv"); done
  fi
  if [ ! -f "$dir/train/done" ]; then
    rm -rf "$dir"
    mkdir -p "$dir"
    log "TrainJob $name"
    t0=$(date +%s)
    scripts/run-local.sh train --config conf/train.conf "${sets[@]}" > "$dir/train.log" 2>&1 \
      || { echo "bench/scaling.sh: TrainJob $name failed, see $dir/train.log" >&2; exit 1; }
    echo $(( $(date +%s) - t0 )) > "$dir/train/done"
  fi
  if [ ! -f "$dir/evaluation/metrics.json" ]; then
    log "SampleJob + EvaluateJob $name"
    scripts/run-local.sh sample --config conf/sample.conf --set "sample.run-dir=$dir/train" \
      --set "sample.output=$dir/samples" --set "sample.per-class=$per_class" --set sample.sampler=dpm-solver++ \
      --set sample.steps=20 --set sample.guidance=3 --set sample.overwrite=true > "$dir/sample.log" 2>&1 \
      || { echo "bench/scaling.sh: SampleJob $name failed, see $dir/sample.log" >&2; exit 1; }
    scripts/run-local.sh evaluate --config conf/evaluate.conf --set "evaluate.classifier=$work/classifier" \
      --set "evaluate.generated=$dir/samples" --set "evaluate.reference=$work/prepared" \
      --set evaluate.reference-split=validation --set evaluate.tstr-images=0 \
      --set "evaluate.output=$dir/evaluation" --set evaluate.overwrite=true > "$dir/evaluate.log" 2>&1 \
      || { echo "bench/scaling.sh: EvaluateJob $name failed, see $dir/evaluate.log" >&2; exit 1; }
  fi
done

cpu="$(lscpu | sed -n 's/^Model name: *//p' | head -1)"
flags="$(grep -m1 -o -w -E 'avx512f|avx2|fma' /proc/cpuinfo | sort -u | tr '\n' ' ')"
report=$( /usr/bin/python3 bench/scaling_report.py --work "$work" --plot bench/scaling.png \
  --header "commit $(git rev-parse --short HEAD), $(date -u +%Y-%m-%d), $cpu ($flags), $epochs epoch(s), $(( ($(date +%s) - started) / 60 )) min in this invocation" \
  "${names[@]}" )
if [ -n "$out" ]; then echo "$report" > "$out"; log "results in $out"; else echo "$report"; fi
