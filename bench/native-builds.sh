#!/usr/bin/env bash
# What the portable ND4J build costs: ThroughputBenchmark with the oneDNN AVX-512 build and with the oneDNN AVX2
# fallback (both in the jar; NativeRuntime picks one from the CPU's flags), forced with JavaCPP's
# -Dorg.bytedeco.javacpp.platform.extension and alternated so both see the same machine load. Prints every
# window / repetition and the medians; the ratio of medians is the figure to quote. Needs an AVX-512 CPU.
#   bench/native-builds.sh [ROUNDS]      (default 3 rounds of: avx512 train, avx2 train, avx512 sample, avx2 sample)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-3}"
grep -qw avx512f /proc/cpuinfo || { echo "bench/native-builds.sh: this CPU has no AVX-512" >&2; exit 2; }

. scripts/java-flags.sh
. bench/classpath.sh # builds the bench module when a source changed
cp="$BENCH_CLASSPATH"
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-2}"
out="$(mktemp -d)"
bench() { # build, benchmark arguments...
  local build="$1"; shift
  java "${SPARK_DIFFUSION_JAVA_FLAGS[@]}" -Dorg.bytedeco.javacpp.platform.extension="-onednn-$build" -cp "$cp" \
    io.sparkdiffusion.bench.ThroughputBenchmark "$@" 2>/dev/null
}

for r in $(seq 1 "$rounds"); do
  for build in avx512 avx2; do
    echo "== round $r: training, batch 64, onednn-$build"
    bench "$build" --bench-train 8 --windows 3 | tee -a "$out/$build-train.txt"
  done
  for build in avx512 avx2; do
    echo "== round $r: DDIM-50 sampling, batch 256, onednn-$build"
    bench "$build" --bench-sample --sample-reps 1 | tee -a "$out/$build-sample.txt"
  done
done

# medians over all windows / repetitions of all rounds: wall clock, and throughput per CPU-time of the process
median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
wall() { grep -h "^  $2" "$1" | awk '{print $3}' | median; }
per_cpu() { grep -h "^  $2" "$1" | sed -E 's/.* ([0-9.]+) (img\/s|samples) per [0-9]+ CPU-s.*/\1/' | median; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
report() { # name line-prefix kind
  local aw bw ac bc
  aw=$(wall "$out/avx512-$3.txt" "$2"); bw=$(wall "$out/avx2-$3.txt" "$2")
  ac=$(per_cpu "$out/avx512-$3.txt" "$2"); bc=$(per_cpu "$out/avx2-$3.txt" "$2")
  printf '  %-20s wall: avx512 %7.2f  avx2 %7.2f  avx2/avx512 %s   per CPU-time: %7.2f vs %7.2f  ratio %s\n' \
    "$1" "$aw" "$bw" "$(ratio "$bw" "$aw")" "$ac" "$bc" "$(ratio "$bc" "$ac")"
}
echo
echo "SUMMARY (images/s, medians over $rounds rounds, OMP_NUM_THREADS=$OMP_NUM_THREADS)"
report "training batch 64" window train
report "DDIM-50 batch 256" rep sample
rm -rf "$out"
