#!/usr/bin/env bash
# The pipeline on this machine with local Spark, on the bundled demo corpus (data/fashion-mnist-demo:
# 1,000 Fashion-MNIST images as PNG, 100 per class): PrepareJob → TrainJob (parameter averaging over 2
# workers) → SampleJob (50 images per class) → EvaluateJob (feature classifier, then the scores).
#   scripts/demo.sh [--epochs N] [--out DIR] [--cluster] [--full] [--smoke] [--rgb] [--single-jvm] [--set key=value ...]
#   --cluster      the same jobs submitted (scripts/submit.sh, the shaded jar) to a Spark standalone cluster of
#                  2 one-core workers started for the demo (scripts/cluster/start.sh) and stopped at the end
#   --full         the whole Fashion-MNIST training set (60,000 images; installs Debian's dataset-fashion-mnist
#                  when missing), 7 epochs by default (~25 minutes on a 2-core AVX-512 machine)
#   --smoke        a check that the pipeline runs, not a model (CI, 1-2 minutes): all four jobs on the ~200
#                  bundled images whose file names end in 0 or 5, a few training steps, 2 samples per class;
#                  output in runs/smoke unless --out; exit 1 with one line when an expected output is missing
#   --rgb          the colour path, a check like --smoke, not a model: all four jobs on the bundled colour icons
#                  (data/tango-icons-demo: 207 Tango icons in 8 categories) at 3x32x32 with the small32 preset,
#                  3 epochs, 2 samples per class; output in runs/rgb unless --out; exit 1 also when the grid, a
#                  sample or the manifest is not RGB
#   --single-jvm   train and sample in one JVM without Spark (io.sparkdiffusion.cli.LocalTrainAndSample)
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v mvn >/dev/null 2>&1 || ! command -v javac >/dev/null 2>&1; then
  echo "installing Java 17 and Maven ..." >&2
  apt-get update -q && apt-get install -y -q openjdk-17-jdk-headless maven
fi

epochs=""
out="runs/demo"
single_jvm=false
cluster=false
full=false
smoke=false
rgb=false
extra=()
sample_steps=50 # conf/sample.conf's
sample_settings=()
evaluate_settings=()
while [ $# -gt 0 ]; do
  case "$1" in
    --epochs) epochs="$2"; shift 2 ;;
    --out) out="$2"; out_given=true; shift 2 ;;
    --single-jvm) single_jvm=true; shift ;;
    --cluster) cluster=true; shift ;;
    --full) full=true; shift ;;
    --smoke) smoke=true; shift ;;
    --rgb) rgb=true; shift ;;
    --set) extra+=(--set "$2"); shift 2 ;;
    -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "demo.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
if $smoke && { $full || $single_jvm; }; then
  echo "demo.sh: --smoke runs the Spark jobs on the bundled images; it does not go with --full or --single-jvm" >&2
  exit 2
fi
if $rgb && { $smoke || $full || $single_jvm; }; then
  echo "demo.sh: --rgb runs the Spark jobs on the bundled icons; it does not go with --smoke, --full or --single-jvm" >&2
  exit 2
fi
if $smoke && [ -z "${out_given:-}" ]; then
  out="runs/smoke"
fi
if $rgb && [ -z "${out_given:-}" ]; then
  out="runs/rgb"
fi
start=$(date +%s)

if $single_jvm; then
  . scripts/java-flags.sh
  . scripts/core-classpath.sh
  export OMP_NUM_THREADS="${OMP_NUM_THREADS:-$(nproc)}"
  rm -rf "$out/single-jvm" # a demo starts over, as the Spark path does with $out/train (the trainer refuses a used run-dir)
  java "${SPARK_DIFFUSION_JAVA_FLAGS[@]}" -cp "$CORE_CLASSPATH" io.sparkdiffusion.cli.LocalTrainAndSample \
    --set local.data=data/fashion-mnist-demo --set "local.run-dir=$out/single-jvm" --set local.max-steps=600 \
    --set local.checkpoint-every=300 "${extra[@]}"
  echo "demo finished in $(( $(date +%s) - start )) s"
  exit 0
fi

# The corpus: the bundled 1,000 PNGs, or the whole training set read straight from its idx file.
if $full; then
  fm=/usr/share/datasets/fashion-mnist
  if [ ! -f "$fm/train-images-idx3-ubyte.gz" ]; then
    echo "installing dataset-fashion-mnist ..." >&2
    apt-get update -q && apt-get install -y -q dataset-fashion-mnist
  fi
  corpus="$fm/train-images-idx3-ubyte.gz"
  corpus_settings=(--set prepare.layout=idx
    --set "prepare.class-names=[t-shirt-top,trouser,pullover,dress,coat,sandal,shirt,sneaker,bag,ankle-boot]")
  epochs="${epochs:-7}"
  train_settings=(--set train.batch-size=64 --set train.averaging-frequency=10 --set train.checkpoint-every-epochs=1)
  per_class=100
  reference_split=validation
  # the feature classifier learns from 20,000 of the 54,000 training images: a few minutes instead of ~12
  classifier_images=20000
elif $smoke; then
  corpus=data/fashion-mnist-demo
  # 196 of the 1,000 images (15-27 per class): PrepareJob's glob is matched against file names
  corpus_settings=(--set "prepare.glob=*[05].png")
  epochs="${epochs:-2}"
  # ~180 training images: 2 workers x 16 per batch, averaging every 2 steps, a 20-image grid with DDIM-10
  train_settings=(--set train.batch-size=16 --set train.averaging-frequency=2 --set train.checkpoint-every-epochs=1
    --set train.warmup-steps=5 --set train.sample.count=20 --set train.sample.steps=10)
  per_class=2
  sample_steps=10
  sample_settings=(--set "sample.steps=$sample_steps")
  reference_split=all
  classifier_images=0
  evaluate_settings=(--set evaluate.classifier-training.epochs=1)
elif $rgb; then
  corpus=data/tango-icons-demo
  corpus_settings=(--set prepare.size=32 --set prepare.channels=3 --set prepare.background=white)
  epochs="${epochs:-3}"
  # ~185 training images: 2 workers x 16 per batch, averaging every 2 steps, a 16-image grid with DDIM-10
  train_settings=(--set train.model.preset=small32 --set train.batch-size=16 --set train.averaging-frequency=2
    --set train.checkpoint-every-epochs=1 --set train.warmup-steps=5 --set train.sample.count=16
    --set train.sample.steps=10)
  per_class=2
  sample_steps=10
  # sample.channels: SampleJob refuses a checkpoint that makes other than RGB images
  sample_settings=(--set "sample.steps=$sample_steps" --set sample.channels=3)
  reference_split=all
  classifier_images=0
  evaluate_settings=(--set evaluate.classifier-training.epochs=2)
else
  corpus=data/fashion-mnist-demo
  corpus_settings=()
  epochs="${epochs:-120}"
  train_settings=(--set train.batch-size=32 --set train.averaging-frequency=4 --set train.checkpoint-every-epochs=10)
  # 1,000 images are too few to hold out a fair reference: the samples are scored against all of them
  per_class=50
  reference_split=all
  classifier_images=0
fi

# Where the jobs run: local Spark in the job's JVM (scripts/run-local.sh), or a standalone cluster started here.
if $cluster; then
  # executors run in their own working directories: every path they see must be absolute
  out="$(realpath -m "$out")"
  [[ "$corpus" = /* ]] || corpus="$(realpath "$corpus")"
  cluster_dir="$out/cluster"
  scripts/cluster/start.sh --dir "$cluster_dir" --workers 2 --cores 1 --memory 3g
  trap 'scripts/cluster/stop.sh --dir "$cluster_dir"' EXIT
  export SPARK_LOCAL_IP=127.0.0.1
  spark_options=(--master "$(cat "$cluster_dir/master-url")" --properties-file conf/spark-defaults.conf
    --conf spark.executor.cores=1 --conf spark.executor.memory=1g
    --conf "spark.executor.extraJavaOptions=-XX:TrimNativeHeapInterval=30000 -Dorg.bytedeco.javacpp.maxbytes=2g -Dorg.bytedeco.javacpp.maxphysicalbytes=3g")
  run_job() { # job config [job options]
    local job="$1" config="$2"
    shift 2
    scripts/submit.sh "$job" "$config" "${spark_options[@]}" -- "$@"
  }
  where="the standalone cluster $(cat "$cluster_dir/master-url") (2 workers)"
else
  run_job() { # job config [job options]
    local job="$1" config="$2"
    shift 2
    SPARK_MASTER="local[2]" scripts/run-local.sh "$job" --config "$config" "$@"
  }
  where="local[2]"
fi

echo "== PrepareJob: $corpus -> $out/prepared on $where"
run_job prepare conf/prepare.conf --set "prepare.input=$corpus" "${corpus_settings[@]}" \
  --set "prepare.output=$out/prepared" --set prepare.overwrite=true
echo "== TrainJob: $epochs epochs on 2 workers -> $out/train"
rm -rf "$out/train"
run_job train conf/train.conf --set "train.data=$out/prepared" --set "train.run-dir=$out/train" \
  --set "train.epochs=$epochs" --set train.workers=2 "${train_settings[@]}" \
  --set "train.sample-every-epochs=$epochs" --set train.sample.guidance=3 "${extra[@]}"

echo "== SampleJob: $per_class images per class, DDIM-$sample_steps, guidance 3 -> $out/samples"
run_job sample conf/sample.conf --set "sample.run-dir=$out/train" --set "sample.output=$out/samples" \
  --set "sample.per-class=$per_class" --set sample.overwrite=true "${sample_settings[@]}"
echo "== EvaluateJob: feature classifier on the prepared train split -> $out/classifier"
run_job evaluate conf/evaluate.conf --set evaluate.mode=train-classifier --set "evaluate.data=$out/prepared" \
  --set "evaluate.classifier=$out/classifier" --set "evaluate.train-images=$classifier_images" \
  --set evaluate.overwrite=true "${evaluate_settings[@]}"
echo "== EvaluateJob: the samples against the prepared images -> $out/evaluation"
run_job evaluate conf/evaluate.conf --set "evaluate.classifier=$out/classifier" \
  --set "evaluate.generated=$out/samples" --set "evaluate.reference=$out/prepared" \
  --set "evaluate.reference-split=$reference_split" --set "evaluate.real-train=$out/prepared" \
  --set "evaluate.output=$out/evaluation" --set evaluate.overwrite=true "${evaluate_settings[@]}"

# Every job exited 0; what a user looks at first must also be there.
missing() { echo "demo.sh: FAILED: $1" >&2; exit 1; }
grid="$(ls -1 "$out"/train/samples/*.png 2>/dev/null | tail -1 || true)"
[ -n "$grid" ] || missing "no training sample grid in $out/train/samples"
[ -f "$out/samples/_SUCCESS" ] || missing "SampleJob wrote no $out/samples/_SUCCESS"
pngs="$(find "$out/samples/images" -name '*.png' 2>/dev/null | wc -l || true)"
[ "$pngs" -gt 0 ] || missing "no sample PNGs in $out/samples/images"
[ -f "$out/evaluation/metrics.json" ] || missing "EvaluateJob wrote no $out/evaluation/metrics.json"
for dir in prepared train samples evaluation; do
  # a job goes on without its report (one warning), so only this check sees a report that never gets written
  [ -f "$out/$dir/report.html" ] || missing "no run report $out/$dir/report.html"
done
if $rgb; then
  # PNG colour type, byte 25 of the file (IHDR): 2 = RGB, 6 = RGBA; 0 and 4 are grey
  png_colour() { od -An -tu1 -j25 -N1 "$1" | tr -d ' '; }
  [ "$(png_colour "$grid")" = 2 ] || missing "the training sample grid $grid is not an RGB PNG"
  sample_png="$(find "$out/samples/images" -name '*.png' | head -1)"
  [ "$(png_colour "$sample_png")" = 2 ] || missing "the sample $sample_png is not an RGB PNG"
  grep -q '"channels" *: *3' "$out/prepared/manifest.json" || missing "$out/prepared/manifest.json is not of 3 channels"
fi

echo
echo "demo finished in $(( $(date +%s) - start )) s"
echo "  sample grid : $grid"
echo "  loss curve  : $out/train/loss.png"
echo "  metrics     : $out/train/metrics.jsonl"
echo "  checkpoint  : $out/train/checkpoints/$(cat "$out/train/checkpoints/LATEST")"
echo "  prepared    : $out/prepared (manifest.json, shards/)"
echo "  images      : $out/samples/images/<class>/*.png ($pngs PNGs, samples.parquet)"
echo "  evaluation  : $out/evaluation/metrics.json"
echo "  reports     : $out/{prepared,train,samples,evaluation}/report.html (open them in a browser)"
