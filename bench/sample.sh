#!/usr/bin/env bash
# SampleJob throughput (issue 5): DDIM-50 images/s of SampleJob on local[2] against the single-JVM sampler
# (io.sparkdiffusion.bench.ThroughputBenchmark --bench-sample: batches of 256 in one JVM, 2 native threads) and the
# PyTorch reference (bench/reference/ddpm_ref.py --bench-sample, 2 threads), on the same network (the reference
# U-Net, 624,161 parameters, 1x28x28, unconditional, the same initial weights as ThroughputBenchmark), taking turns
# so that all three see the same machine load. Prints every measurement, then medians and ratios.
#   bench/sample.sh [ROUNDS] [IMAGES]     default 3 rounds, SampleJob making 1024 images per round
#   bench/sample.sh 1 512                 short mode (~3 minutes)
# SampleJob runs with one native thread per task (OMP_NUM_THREADS=1, two tasks at a time), batches and units of
# 256 images. Its rate is that of its units stage (the Spark job that broadcasts the model, loads it on the
# executors, generates and commits); its end-to-end rate also counts JVM and Spark start-up and samples.parquet.
# Besides wall-clock rates, each is given per 2 CPU-seconds of its own process (for SampleJob: the CPU time of
# the local-mode JVM during the units stage), the figure to compare when other work shares the machine.
# Needs: apt-get install -y python3-torch python3-numpy
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-3}"
images="${2:-1024}"
reps=2
ref="${DDPM_REF:-bench/reference/ddpm_ref.py}"
[ -f "$ref" ] || { echo "bench/sample.sh: PyTorch reference $ref not found (set DDPM_REF)" >&2; exit 2; }
/usr/bin/python3 -c 'import torch' 2>/dev/null || { echo "bench/sample.sh: needs Debian's python3-torch" >&2; exit 2; }
ref="$(cd "$(dirname "$ref")" && pwd)/$(basename "$ref")"

scripts/run-local.sh sample --help >/dev/null # builds, writes spark-jobs/target/classpath.txt
. scripts/java-flags.sh
. bench/classpath.sh # builds the bench module when a source changed
cp="$BENCH_CLASSPATH"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
java "${SPARK_DIFFUSION_JAVA_FLAGS[@]}" -cp "$cp" io.sparkdiffusion.bench.BenchCheckpoint "$work/run" 2>/dev/null

echo "$(nproc) cores; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq 1 "$rounds"); do
  echo "== round $r: SampleJob on local[2], $images images, DDIM-50, batch 256"
  start=$(date +%s.%N)
  SPARK_MASTER='local[2]' OMP_NUM_THREADS=1 scripts/run-local.sh sample --set "sample.run-dir=$work/run" \
    --set "sample.output=$work/out-$r" --set "sample.count=$images" --set sample.batch-size=256 \
    --set sample.images-per-unit=256 --set sample.progress-seconds=30 2>/dev/null | grep '^sample:' > "$work/job-$r.txt"
  end=$(date +%s.%N)
  cat "$work/job-$r.txt"
  # "sample: units stage 45.1 s for ~512 images (11.35 img/s); CPU time of the driver JVM 88.0 s"
  grep 'units stage' "$work/job-$r.txt" | sed -E 's/.*\(([0-9.]+) img\/s.*/\1/' >> "$work/job-rate.txt"
  grep 'units stage' "$work/job-$r.txt" | sed -E 's/.*~([0-9]+) images.* JVM ([0-9.]+) s.*/\1 \2/' \
    | awk '{ printf "%.2f\n", $1 / ($2 / 2) }' >> "$work/job-cpu.txt"
  awk -v s="$start" -v e="$end" -v n="$images" 'BEGIN { printf "%.2f\n", n / (e - s) }' | tee -a "$work/job-e2e.txt" \
    | sed 's/^/  end to end (JVM start to exit) img\/s: /'
  rm -rf "$work/out-$r"
  echo "== round $r: single JVM (ThroughputBenchmark), $reps batches of 256"
  OMP_NUM_THREADS=2 java "${SPARK_DIFFUSION_JAVA_FLAGS[@]}" -cp "$cp" io.sparkdiffusion.bench.ThroughputBenchmark \
    --bench-sample --sample-reps "$reps" 2>/dev/null | tee -a "$work/jvm.txt"
  echo "== round $r: PyTorch, $reps batches of 256"
  (cd "$work" && /usr/bin/python3 "$ref" --bench-sample --sample-reps "$reps") | tee -a "$work/torch.txt"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
reps_of() { grep -h '^  rep' "$1" | awk '{print $3}' | median; }
cpu_of() { grep -h '^  rep' "$1" | sed -E 's/.* ([0-9.]+) samples per [0-9]+ CPU-s.*/\1/' | median; }
job=$(median < "$work/job-rate.txt"); job_cpu=$(median < "$work/job-cpu.txt")
e2e=$(median < "$work/job-e2e.txt")
jvm=$(reps_of "$work/jvm.txt"); jvm_cpu=$(cpu_of "$work/jvm.txt")
torch=$(reps_of "$work/torch.txt"); torch_cpu=$(cpu_of "$work/torch.txt")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
echo
echo "SUMMARY (DDIM-50 images/s: medians over $rounds rounds; wall clock, and per 2 CPU-seconds of the process)"
printf '  SampleJob local[2]      wall %7.2f  per CPU %7.2f   (end to end, wall: %.2f)\n' "$job" "$job_cpu" "$e2e"
printf '  single JVM, 2 threads   wall %7.2f  per CPU %7.2f\n' "$jvm" "$jvm_cpu"
printf '  PyTorch, 2 threads      wall %7.2f  per CPU %7.2f\n' "$torch" "$torch_cpu"
echo "  SampleJob / single JVM  wall $(ratio "$job" "$jvm")  per CPU $(ratio "$job_cpu" "$jvm_cpu")   (target >= 0.9)"
echo "  single JVM / PyTorch    wall $(ratio "$jvm" "$torch")  per CPU $(ratio "$jvm_cpu" "$torch_cpu")   (target >= 1.0)"
echo "  SampleJob / PyTorch     wall $(ratio "$job" "$torch")  per CPU $(ratio "$job_cpu" "$torch_cpu")"
