#!/usr/bin/env bash
# The whole pipeline on this machine, on the bundled demo corpus (data/fashion-mnist-demo: 1,000
# Fashion-MNIST images as PNG). Until the Spark jobs land it runs the single-JVM path: train the default
# U-Net, checkpoint it, and sample a grid with DDIM-50 from the EMA weights.
#   scripts/demo.sh [--steps N] [--run-dir DIR] [--set local.key=value ...]
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v mvn >/dev/null 2>&1 || ! command -v javac >/dev/null 2>&1; then
  echo "installing Java 17 and Maven ..." >&2
  apt-get update -q && apt-get install -y -q openjdk-17-jdk-headless maven
fi

steps=1500
run_dir="runs/demo"
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --steps) steps="$2"; shift 2 ;;
    --run-dir) run_dir="$2"; shift 2 ;;
    --set) extra+=(--set "$2"); shift 2 ;;
    -h|--help) sed -n '2,6p' "$0"; exit 0 ;;
    *) echo "demo.sh: unknown option $1" >&2; exit 2 ;;
  esac
done

. scripts/java-flags.sh
. scripts/core-classpath.sh
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-$(nproc)}"

echo "training for $steps steps (run directory $run_dir) ..."
java "${SPARK_DIFFUSION_JAVA_FLAGS[@]}" -cp "$CORE_CLASSPATH" io.sparkdiffusion.cli.LocalTrainAndSample \
  --set local.data=data/fashion-mnist-demo --set "local.run-dir=$run_dir" --set "local.steps=$steps" \
  --set local.checkpoint-every=500 "${extra[@]}"
