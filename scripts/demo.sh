#!/usr/bin/env bash
# The pipeline on this machine with local Spark, on the bundled demo corpus (data/fashion-mnist-demo:
# 1,000 Fashion-MNIST images as PNG, 100 per class): PrepareJob → TrainJob (parameter averaging over 2
# workers) → a grid of EMA samples. Sampling and evaluation jobs join as they land.
#   scripts/demo.sh [--epochs N] [--out DIR] [--single-jvm] [--set key=value ...]
#   --single-jvm   train and sample in one JVM without Spark (io.sparkdiffusion.cli.LocalTrainAndSample)
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v mvn >/dev/null 2>&1 || ! command -v javac >/dev/null 2>&1; then
  echo "installing Java 17 and Maven ..." >&2
  apt-get update -q && apt-get install -y -q openjdk-17-jdk-headless maven
fi

epochs=120
out="runs/demo"
single_jvm=false
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --epochs) epochs="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --single-jvm) single_jvm=true; shift ;;
    --set) extra+=(--set "$2"); shift 2 ;;
    -h|--help) sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "demo.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
start=$(date +%s)

if $single_jvm; then
  . scripts/java-flags.sh
  . scripts/core-classpath.sh
  export OMP_NUM_THREADS="${OMP_NUM_THREADS:-$(nproc)}"
  java "${SPARK_DIFFUSION_JAVA_FLAGS[@]}" -cp "$CORE_CLASSPATH" io.sparkdiffusion.cli.LocalTrainAndSample \
    --set local.data=data/fashion-mnist-demo --set "local.run-dir=$out/single-jvm" --set local.steps=600 \
    --set local.checkpoint-every=300 "${extra[@]}"
  echo "demo finished in $(( $(date +%s) - start )) s"
  exit 0
fi

echo "== PrepareJob: data/fashion-mnist-demo -> $out/prepared"
scripts/run-local.sh prepare --config conf/prepare.conf --set prepare.input=data/fashion-mnist-demo \
  --set "prepare.output=$out/prepared" --set prepare.overwrite=true
echo "== TrainJob: $epochs epochs on 2 workers -> $out/train"
rm -rf "$out/train"
SPARK_MASTER="local[2]" scripts/run-local.sh train --set "train.data=$out/prepared" --set "train.run-dir=$out/train" \
  --set "train.epochs=$epochs" --set train.workers=2 --set train.batch-size=32 --set train.averaging-frequency=4 \
  --set "train.sample-every-epochs=$epochs" --set train.checkpoint-every-epochs=10 --set train.sample.guidance=3 \
  "${extra[@]}"

echo
echo "demo finished in $(( $(date +%s) - start )) s"
echo "  sample grid : $(ls -1 "$out"/train/samples/*.png | tail -1)"
echo "  loss curve  : $out/train/loss.png"
echo "  metrics     : $out/train/metrics.jsonl"
echo "  checkpoint  : $out/train/checkpoints/$(cat "$out/train/checkpoints/LATEST")"
echo "  prepared    : $out/prepared (manifest.json, shards/)"
