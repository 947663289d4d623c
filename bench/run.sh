#!/usr/bin/env bash
# Side-by-side throughput of spark-diffusion's denoiser and the PyTorch reference (bench/reference/ddpm_ref.py,
# the same U-Net), alternating the two so both see the same machine load. Prints every window and the
# medians; the ratio of medians is the figure to quote (timings on a shared 2-core machine are noisy).
# bench/all.sh runs the same comparison together with all the others and writes a results table.
#   bench/run.sh [ROUNDS]      (default 2 rounds of: java train, torch train, java sample, torch sample)
# Needs: apt-get install -y python3-torch python3-numpy dataset-fashion-mnist
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-2}"
ref="${DDPM_REF:-bench/reference/ddpm_ref.py}"
[ -f "$ref" ] || { echo "bench/run.sh: PyTorch reference $ref not found (set DDPM_REF)" >&2; exit 2; }
/usr/bin/python3 -c 'import torch' 2>/dev/null || { echo "bench/run.sh: needs Debian's python3-torch" >&2; exit 2; }

. scripts/java-flags.sh
. bench/classpath.sh # builds the bench module when a source changed
cp="$BENCH_CLASSPATH"
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-2}"
out="$(mktemp -d)"
java_bench() { java "${SPARK_DIFFUSION_JAVA_FLAGS[@]}" -cp "$cp" io.sparkdiffusion.bench.ThroughputBenchmark "$@" 2>/dev/null; }
torch_bench() { (cd "$out" && /usr/bin/python3 "$OLDPWD/$ref" "$@"); }

for r in $(seq 1 "$rounds"); do
  echo "== round $r: training, batch 64"
  java_bench --bench-train 8 --windows 5 --warmup 3 | tee -a "$out/java-train.txt"
  torch_bench --bench-train 8 --windows 5 --warmup 3 | tee -a "$out/torch-train.txt"
  echo "== round $r: DDIM-50 sampling, batch 256"
  java_bench --bench-sample --sample-reps 3 | tee -a "$out/java-sample.txt"
  torch_bench --bench-sample --sample-reps 3 | tee -a "$out/torch-sample.txt"
done

# medians over all windows / repetitions of all rounds: wall clock, and throughput per 2 CPU-seconds of the
# process (robust when other work shares the machine)
median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
wall() { grep -h "^  $2" "$1" | awk '{print $3}' | median; }
per_cpu() { grep -h "^  $2" "$1" | sed -E 's/.* ([0-9.]+) (img\/s|samples) per [0-9]+ CPU-s.*/\1/' | median; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
report() { # name java-file torch-file line-prefix
  local jw tw jc tc
  jw=$(wall "$2" "$4"); tw=$(wall "$3" "$4"); jc=$(per_cpu "$2" "$4"); tc=$(per_cpu "$3" "$4")
  printf '  %-20s wall: spark-diffusion %7.2f  PyTorch %7.2f  ratio %s   per CPU-time: %7.2f vs %7.2f  ratio %s\n' \
    "$1" "$jw" "$tw" "$(ratio "$jw" "$tw")" "$jc" "$tc" "$(ratio "$jc" "$tc")"
}
echo
echo "SUMMARY (images/s, medians over $rounds rounds, OMP_NUM_THREADS=$OMP_NUM_THREADS)"
report "training batch 64" "$out/java-train.txt" "$out/torch-train.txt" window
report "DDIM-50 batch 256" "$out/java-sample.txt" "$out/torch-sample.txt" rep
rm -rf "$out"
