#!/usr/bin/env bash
# Quality per compute: the PyTorch reference and spark-diffusion train the same U-Net (unconditional, 624,161
# parameters) for the same wall time on the same machine; each then samples COUNT images (DDIM-50) and EvaluateJob
# scores both sets against Fashion-MNIST's test images with the same feature classifier.
#   bench/quality.sh [--minutes W] [--count N] [--averaging F] [--out DIR] [--skip-torch] [--skip-spark]
# Defaults: 30 minutes, 10,000 images, TrainJob's averaging frequency 10 (its default), DIR = ${BENCH_WORK:-${TMPDIR:-/tmp}/spark-diffusion-bench}/quality.
# Steps (each leaves its output in DIR; a finished step is not rerun):
#   1. PrepareJob: Fashion-MNIST's training idx (TrainJob's data, the classifier's data) and test idx (the reference)
#   2. EvaluateJob mode=train-classifier: the feature classifier, on the training set
#   3. PyTorch: ddpm_ref.py --train-minutes W (batch 64, 2 threads; its clock starts after loading the data)
#   4. spark-diffusion: TrainJob on local[2] (2 workers x batch 64, 1 native thread each, averaging every F steps,
#      no label, EMA as configured). TrainJob stops by steps, not time: a short calibration run measures its steady
#      images/s, and max-steps = W minutes at that rate. Its clock (metrics.jsonl wall_s) also starts after Spark
#      start-up and data loading; the table reports both trainers' actual training seconds.
#   5. Sampling: SampleJob (EMA weights, DDIM-50) and bench/ref_sample.py (the reference's weights; it keeps no EMA)
#   6. EvaluateJob on each sample set (unlabeled: Frechet distance and its real-vs-real floor; no TSTR)
# Prints a markdown table and the two metrics.json files. STEPS=n skips the calibration (step 4).
# Needs SampleJob and EvaluateJob in the build (without them steps 5-6 are skipped, exit 2) and
# apt-get install -y python3-torch python3-numpy dataset-fashion-mnist.
set -euo pipefail
cd "$(dirname "$0")/.."

minutes=30
count=10000
averaging=10
out=""
torch=true
spark=true
while [ $# -gt 0 ]; do
  case "$1" in
    --minutes) minutes="$2"; shift ;;
    --count) count="$2"; shift ;;
    --averaging) averaging="$2"; shift ;;
    --out) out="$2"; shift ;;
    --skip-torch) torch=false ;;
    --skip-spark) spark=false ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "bench/quality.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
  shift
done
ref="$(realpath "${DDPM_REF:-bench/reference/ddpm_ref.py}")"
fm=/usr/share/datasets/fashion-mnist
[ -f "$ref" ] || { echo "bench/quality.sh: PyTorch reference not found (set DDPM_REF)" >&2; exit 2; }
[ -f "$fm/t10k-images-idx3-ubyte.gz" ] || { echo "bench/quality.sh: needs $fm (apt-get install -y dataset-fashion-mnist)" >&2; exit 2; }
work="$(realpath -m "${BENCH_WORK:-${TMPDIR:-/tmp}/spark-diffusion-bench}")"
out="$(realpath -m "${out:-$work/quality}")"
mkdir -p "$out"
say() { echo "[$(date -u +%H:%M:%S)] quality: $*" >&2; }
have_job() { [ -f "spark-jobs/target/classes/io/sparkdiffusion/jobs/$1.class" ]; }
job() { SPARK_MASTER='local[2]' scripts/run-local.sh "$@"; }

scripts/run-local.sh prepare --help >/dev/null # builds in the reactor

# 1. data
prepare_idx() { # IMAGES LABELS OUT
  if [ ! -f "$3/_SUCCESS" ]; then
    say "PrepareJob $1 -> $3"
    job prepare --set prepare.input="$fm/$1" --set prepare.layout=idx --set prepare.output="$3" \
      --set prepare.overwrite=true > "$3.log" 2>&1
  fi
}
train_data="$work/fashion-mnist-prepared" # the same as bench/all.sh's
test_data="$work/fashion-mnist-test-prepared"
prepare_idx train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz "$train_data"
prepare_idx t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz "$test_data"

# 2. feature classifier
classifier="$out/classifier"
if have_job EvaluateJob && [ ! -d "$classifier" ]; then
  say "EvaluateJob train-classifier"
  job evaluate --set evaluate.mode=train-classifier --set evaluate.data="$train_data" \
    --set evaluate.classifier="$classifier" > "$out/classifier.log" 2>&1
fi

# 3. PyTorch
if $torch && [ ! -f "$out/torch/ddpm_ref_weights_quality.pt" ]; then
  say "PyTorch: training $minutes min"
  mkdir -p "$out/torch"
  (cd "$out/torch" && /usr/bin/python3 "$ref" --train-minutes "$minutes" --tag _quality > train.log 2>&1)
fi

# 4. spark-diffusion
run="$out/spark-run"
if $spark && [ ! -f "$run/checkpoints/LATEST" ]; then
  train() { # RUN_DIR MAX_STEPS
    OMP_NUM_THREADS=1 job train --set train.data="$train_data" --set train.run-dir="$1" --set train.workers=2 \
      --set train.batch-size=64 --set train.averaging-frequency="$averaging" --set train.max-steps="$2" --set train.epochs=100000 \
      --set 'train.conditional="false"' --set train.checkpoint-every-epochs=1000 --set train.sample-every-epochs=0
  }
  steps="${STEPS:-}"
  if [ -z "$steps" ]; then
    # 20 rounds, the first 10 not measured: the rate still rises through the first ~50 steps (JIT, workspaces), and
    # 3 warm-up rounds measured 269 images/s where the run then averaged 294 (it stopped after 824 of 900 s)
    say "TrainJob: calibration run (20 rounds)"
    rm -rf "$out/calibration"
    train "$out/calibration" $((20 * averaging)) > "$out/calibration.log" 2>&1
    rate="$(/usr/bin/python3 bench/summarize.py rounds "$out/calibration/metrics.jsonl" 10 | sed -n 's/^steady //p')"
    # W minutes at that rate, in whole averaging rounds of 2 workers x 64 images x F steps
    steps="$(awk -v m="$minutes" -v r="$rate" -v f="$averaging" 'BEGIN { s = int(m * 60 * r / 128 / f) * f; print (s < f ? f : s) }')"
    say "TrainJob: steady $rate images/s -> $steps steps for $minutes min"
  fi
  say "TrainJob: $steps steps"
  train "$run" "$steps" > "$out/spark-train.log" 2>&1
fi

# 5. sampling
torch_samples="$out/torch-samples"
spark_samples="$out/spark-samples"
if $torch && [ ! -f "$torch_samples/_SUCCESS" ]; then
  say "PyTorch: sampling $count images"
  rm -rf "$torch_samples"
  /usr/bin/python3 bench/ref_sample.py --ref "$ref" --weights "$out/torch/ddpm_ref_weights_quality.pt" \
    --count "$count" --out "$torch_samples" > "$out/torch-sample.log" 2>&1
fi
missing=""
have_job SampleJob || missing="SampleJob"
have_job EvaluateJob || missing="${missing:+$missing and }EvaluateJob"
if $spark && [ -z "$missing" ] && [ ! -f "$spark_samples/_SUCCESS" ]; then
  say "SampleJob: $count images"
  job sample --set sample.run-dir="$run" --set sample.output="$spark_samples" --set sample.count="$count" \
    --set sample.sampler=ddim --set sample.steps=50 --set sample.seed=0 > "$out/spark-sample.log" 2>&1
fi

# 6. evaluation
evaluate() { # SAMPLES OUT
  if [ ! -f "$2/metrics.json" ]; then
    say "EvaluateJob $1"
    job evaluate --set evaluate.generated="$1" --set evaluate.reference="$test_data" \
      --set evaluate.classifier="$classifier" --set evaluate.output="$2" --set evaluate.tstr-images=0 \
      --set evaluate.overwrite=true > "$2.log" 2>&1
  fi
}
if [ -z "$missing" ]; then
  $torch && evaluate "$torch_samples" "$out/eval-torch"
  $spark && evaluate "$spark_samples" "$out/eval-spark"
fi

# the table: training time, steps, images/s, last loss, Frechet distance and its floor
torch_line="$(grep '^trained ' "$out/torch/train.log" 2>/dev/null || true)"
/usr/bin/python3 - "$out" "$torch_line" "$averaging" <<'EOF'
import json, os, re, sys
out, torch_line, averaging = sys.argv[1], sys.argv[2], sys.argv[3]
def frechet(path):
    """The Frechet distance to the whole reference, and the same-size pair: real vs real (the floor) and real vs generated."""
    try:
        m = json.load(open(path))
    except OSError:
        return "n/a", "n/a", "n/a"
    same = m.get("sameSize", {})
    fmt = lambda v: f"{v:.2f}" if isinstance(v, (int, float)) else "n/a"
    return fmt(m.get("frechetDistance")), fmt(same.get("realVsGenerated")), fmt(same.get("realVsReal"))
print("| trainer | training s | steps | images seen | images/s | Frechet distance to the test set | same size: real vs generated | same size: real vs real (floor) |")
print("| --- | --- | --- | --- | --- | --- | --- | --- |")
m = re.search(r"trained (\d+) steps \((\d+) images.*in (\d+)s = ([0-9.]+) img/s", torch_line)
fd, pair, floor = frechet(os.path.join(out, "eval-torch", "metrics.json"))
if m:
    print(f"| PyTorch 1.13, 2 threads, batch 64 | {m[3]} | {m[1]} | {m[2]} | {m[4]} | {fd} | {pair} | {floor} |")
rows = [json.loads(l) for l in open(os.path.join(out, "spark-run", "metrics.jsonl"))] if os.path.exists(
    os.path.join(out, "spark-run", "metrics.jsonl")) else []
fd, pair, floor = frechet(os.path.join(out, "eval-spark", "metrics.json"))
if rows:
    seconds, steps = rows[-1]["wall_s"], rows[-1]["step"]
    print(f"| spark-diffusion local[2], 2 x batch 64, averaging every {averaging} | {seconds:.0f} | {steps} | {steps * 128} | {steps * 128 / seconds:.1f} | {fd} | {pair} | {floor} |")
EOF
for f in "$out/eval-torch/metrics.json" "$out/eval-spark/metrics.json"; do
  [ -f "$f" ] && { echo; echo "$f:"; cat "$f"; }
done
if [ -n "$missing" ]; then
  echo "bench/quality.sh: $missing not in this build yet: sampling and evaluation of this project's model skipped" >&2
  exit 2
fi
