#!/usr/bin/env bash
# Every benchmark of spark-diffusion side by side in one run; writes a dated markdown results file.
#   bench/all.sh [--quick] [--rounds N] [--only SECTIONS] [--shapes CxS,...] [--tune "OMP,BATCH,FREQ ..."] [--out FILE|DIR]
# SECTIONS (comma-separated; default all): flops, prepare, train, sample, tune
#   flops    the U-Net's FLOPs (io.sparkdiffusion.bench.FlopReport, cross-checked against the PyTorch reference's
#            count) and the CPU's measured peak FP32 GFLOP/s (bench/reference/peak.py, oneDNN rows)
#   prepare  PrepareJob on local[2] vs the decode-only floor, on the Fashion-MNIST PNG tree (bench/prepare.sh)
#   train    training images/s, batch 64 per worker: single JVM (ThroughputBenchmark, 2 native threads) vs TrainJob
#            on local[2] (2 workers, 1 native thread each, averaging every 10 steps; steady state from its
#            metrics.jsonl after warm-up rounds, Spark start-up excluded) vs the PyTorch reference (2 threads);
#            with the achieved GFLOP/s as a share of the peak when flops ran too
#   sample   DDIM-50 sampling of 256 images, DL4J vs PyTorch; and bench/sample.sh (SampleJob vs one JVM) if present
#   tune     TrainJob on local[2] over native threads per task x batch per worker x averaging frequency: the full
#            grid {1,2} x {32,64} x {1,5,10}, or the configurations given with --tune (e.g. "1,64,5 2,64,5")
# --shapes (default 1x28): the image shapes of the flops, train and sample sections, e.g. 3x32,3x64; at each the
#   U-Net is FlopReport's benchSpec (the reference network at 1x28, else the auto preset for the size) without
#   self-attention, the PyTorch reference gets the same layout (--size --in-channels --mults; the parameter counts
#   are compared), single-JVM and PyTorch train on random images of the shape and TrainJob on the bundled Tango
#   icons in 24 variants each (bench/icon-variants.py, ~5,000 images) prepared at that size in RGB.
# Within a round every contender runs once, in an order that rotates from round to round; tables give the
# medians over all windows (JVM, PyTorch) or averaging rounds (Spark) of all rounds, and their ratios.
# --quick: one short round of everything (a few minutes; proves the harness, not a measurement to quote).
# The full run takes about 20 minutes on a quiet 2-core machine. Results go to FILE, or to
# DIR/results-<UTC time>.md, or to stdout; progress and the logs' location go to stderr.
# Environment: BENCH_WORK (corpora, prepared data, runs, logs; default ${TMPDIR:-/tmp}/spark-diffusion-bench),
# DDPM_REF (default bench/reference/ddpm_ref.py), PEAK (default bench/reference/peak.py).
# Needs: apt-get install -y python3-torch python3-numpy dataset-fashion-mnist
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; }
quick=false
rounds=""
sections="flops,prepare,train,sample,tune"
out=""
tune_list=""
shapes="1x28"
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=true ;;
    --rounds) rounds="$2"; shift ;;
    --only) sections="$2"; shift ;;
    --out) out="$2"; shift ;;
    --tune) tune_list="$2"; shift ;;
    --shapes) shapes="$2"; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "bench/all.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
  shift
done
for s in ${sections//,/ }; do
  case "$s" in flops|prepare|train|sample|tune) ;; *) echo "bench/all.sh: unknown section '$s'" >&2; exit 2 ;; esac
done
has() { [[ ",$sections," == *",$1,"* ]]; }
for shape in ${shapes//,/ }; do
  [[ "$shape" =~ ^(1|3)x[1-9][0-9]*$ ]] || { echo "bench/all.sh: --shapes wants CxS with C 1 or 3, e.g. 3x32, got '$shape'" >&2; exit 2; }
done

ref="${DDPM_REF:-bench/reference/ddpm_ref.py}"
peak="${PEAK:-bench/reference/peak.py}"
fm=/usr/share/datasets/fashion-mnist
[ -f "$ref" ] || { echo "bench/all.sh: PyTorch reference $ref not found (set DDPM_REF)" >&2; exit 2; }
[ -f "$peak" ] || { echo "bench/all.sh: $peak not found (set PEAK)" >&2; exit 2; }
/usr/bin/python3 -c 'import torch' 2>/dev/null || { echo "bench/all.sh: needs Debian's python3-torch" >&2; exit 2; }
[ -f "$fm/train-images-idx3-ubyte.gz" ] || { echo "bench/all.sh: needs $fm (apt-get install -y dataset-fashion-mnist)" >&2; exit 2; }
ref="$(realpath "$ref")"
peak="$(realpath "$peak")"

# ---------------------------------------------------------------------------------------------- sizes
if $quick; then
  rounds="${rounds:-1}"
  train_windows=2; train_warmup=3; spark_warmup=2; spark_measured=3; sample_reps=1; peak_args=(--reps 2 --min-sec 0.5)
  corpus_per_class=500; tune_grid=("1 64 5" "1 32 5"); tune_images=1500; tune_warm_steps=10
else
  rounds="${rounds:-3}"
  # warm-up: DL4J's JIT-compiled Java side and its workspaces take ~100 steps to reach their steady rate (windows of
  # 8 steps after 3 warm-up steps rose from ~150 to ~205 images/s), PyTorch is steady after 3; every contender gets
  # the same ~100 steps (Spark: 10 rounds of 2 workers x 5 steps) before it is measured
  train_windows=5; train_warmup=100; spark_warmup=10; spark_measured=8; sample_reps=2; peak_args=(--reps 5 --min-sec 2)
  corpus_per_class=""
  tune_grid=()
  for omp in 1 2; do for batch in 32 64; do for freq in 1 5 10; do tune_grid+=("$omp $batch $freq"); done; done; done
  tune_images=3000; tune_warm_steps=50
fi

# shape_sizes SHAPE: the run lengths at that shape (beyond 1x28 a step costs 1.4x (3x32) to 5.4x (3x64) as much, and
# the Java side's share of it, which is what needs the long warm-up, is smaller): sets s_steps (training steps per
# window), s_windows, s_warmup (steps), s_spark_warmup and s_spark_measured (averaging rounds of 2 x 64 x 10 images),
# s_sample_n (images per sampling repetition, one batch) and s_sample_reps
shape_sizes() {
  s_steps=8; s_windows=$train_windows; s_warmup=$train_warmup; s_spark_warmup=$spark_warmup
  s_spark_measured=$spark_measured; s_sample_n=256; s_sample_reps=$sample_reps
  local size="${1#*x}"
  if [ "$1" != 1x28 ]; then
    if $quick; then s_steps=2; s_windows=2; s_warmup=2; s_spark_warmup=1; s_spark_measured=1; s_sample_n=8; s_sample_reps=1
    # sampling: DL4J's per-layer overhead weighs on small batches (3x32, one repetition each: 0.77 x PyTorch at 32
    # images, 1.11 x at 128), so batches of SampleJob's default 128, and 64 at 64 px where one costs 4x as much
    elif [ "$size" -ge 64 ]; then s_steps=2; s_windows=4; s_warmup=10; s_spark_warmup=1; s_spark_measured=2; s_sample_n=64; s_sample_reps=1
    else s_steps=4; s_windows=4; s_warmup=30; s_spark_warmup=2; s_spark_measured=3; s_sample_n=128
    fi
  fi
}
# file-name suffix of a shape's rates: none at 1x28 (as before shapes existed)
sfx() { [ "$1" = 1x28 ] && echo "" || echo "-$1"; }

if [ -n "$tune_list" ]; then
  tune_grid=()
  for cfg in $tune_list; do
    [[ "$cfg" =~ ^[1-9][0-9]*,[1-9][0-9]*,[1-9][0-9]*$ ]] || { echo "bench/all.sh: --tune wants OMP,BATCH,FREQ, got '$cfg'" >&2; exit 2; }
    tune_grid+=("${cfg//,/ }")
  done
fi

work="$(realpath -m "${BENCH_WORK:-${TMPDIR:-/tmp}/spark-diffusion-bench}")"
stamp="$(date -u +%Y-%m-%dT%H%MZ)"
logs="$work/logs-$stamp"
mkdir -p "$logs"
echo "bench/all.sh: logs in $logs" >&2
say() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }
summ() { /usr/bin/python3 bench/summarize.py "$@"; }
# percent PART WHOLE: PART / WHOLE as a whole percentage, or n/a
percent() { summ ratio "$1" "$2" | awk '$1 == "n/a" { print; next } { printf "%.0f %%\n", 100 * $1 }'; }
. bench/trainjob.sh
load() { echo "load $(cut -d' ' -f1 /proc/loadavg), cpu psi $(head -1 /proc/pressure/cpu 2>/dev/null | cut -d' ' -f2 || echo n/a)"; }
count() { if [ -f "$1" ]; then grep -c . "$1" || true; else echo 0; fi; } # numbers in a rates file
# rotate: the order of the contenders in round r (1-based): a left rotation by r-1
rotate() { local r="$1"; shift; local a=("$@") n=$#; for ((i = 0; i < n; i++)); do echo "${a[$(((i + r - 1) % n))]}"; done; }

# ---------------------------------------------------------------------------------------------- build
say "building (in the reactor; nothing is installed into ~/.m2)"
scripts/run-local.sh prepare --help >/dev/null
. scripts/java-flags.sh
. bench/classpath.sh # builds the bench module when a source changed
cp="$BENCH_CLASSPATH"
java_main() { java "${SPARK_DIFFUSION_JAVA_FLAGS[@]}" -cp "$cp" "$@"; }
# the CPU flags that decide which native build loads and much of its speed: compare results only between like CPUs
cpu_flags() {
  local have=() lack=() f
  for f in avx2 fma avx512f avx512cd avx512bw avx512dq avx512vl avx512_vnni avx512_bf16 amx_tile; do
    if grep -qm1 -w "$f" /proc/cpuinfo; then have+=("$f"); else lack+=("$f"); fi
  done
  echo "${have[*]:-none}${lack[*]:+ (not: ${lack[*]})}"
}

report="$logs/results.md"
md() { printf '%s\n' "$*" >> "$report"; }
commit="$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- core spark-jobs bench scripts pom.xml || echo ' + uncommitted changes')"
{
  echo "# bench/all.sh results, $stamp$($quick && echo ' (--quick: a harness check, not figures to quote)')"
  echo
  echo "- commit $commit; \`bench/all.sh $($quick && echo '--quick ')--rounds $rounds --only $sections --shapes $shapes${tune_list:+ --tune \"$tune_list\"}\`"
  echo "- machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'),"\
       "$(awk '/MemTotal/ {printf "%.0f GB", $2 / 1048576}' /proc/meminfo); $(java -version 2>&1 | head -1)"
  echo "- CPU flags: $(cpu_flags)"
  echo "- native build (NativeRuntime, as the benchmarks' JVMs load it): $(java_main io.sparkdiffusion.runtime.NativeRuntime 2>&1 | tail -1)"
  echo "- at start: $(load); uptime load averages $(cut -d' ' -f1-3 /proc/loadavg)"
} > "$report"

# ---------------------------------------------------------------------------------------------- flops
peak_wall=""; peak_cpu=""
declare -A fwd_of=() ref_flops_of=() ref_args_of=() params_of=() ref_params_of=()
if has flops || has train || has sample; then
  for shape in ${shapes//,/ }; do
    say "flops: FlopReport and the reference's own count at $shape"
    java_main io.sparkdiffusion.bench.FlopReport --shape "$shape" --no-attention 2>/dev/null > "$logs/flopcount$(sfx "$shape").txt"
    fwd_of[$shape]="$(sed -nE 's/^forward FLOPs\/image: ([0-9]+) .*/\1/p' "$logs/flopcount$(sfx "$shape").txt")"
    params_of[$shape]="$(sed -nE 's/^params: ([0-9,]+).*/\1/p' "$logs/flopcount$(sfx "$shape").txt")"
    ref_args_of[$shape]="$(sed -nE 's/^reference: (--size [0-9]+ --in-channels [0-9]+ --mults [0-9,]+).*/\1/p' "$logs/flopcount$(sfx "$shape").txt")"
    # shellcheck disable=SC2086
    (cd "$logs" && /usr/bin/python3 "$ref" ${ref_args_of[$shape]} > "$logs/ref-flops$(sfx "$shape").txt" 2>&1)
    ref_params_of[$shape]="$(sed -nE 's/^params: ([0-9,]+).*/\1/p' "$logs/ref-flops$(sfx "$shape").txt")"
    ref_macs="$(sed -nE 's/^forward MACs\/image: conv=([0-9,]+) linear=([0-9,]+).*/\1 \2/p' "$logs/ref-flops$(sfx "$shape").txt" | tr -d ,)"
    ref_flops_of[$shape]="$(awk -v c="${ref_macs% *}" -v l="${ref_macs#* }" 'BEGIN { printf "%.0f", 2 * (c + l) }')"
    if [ "${params_of[$shape]}" != "${ref_params_of[$shape]}" ]; then
      say "flops: at $shape the U-Net has ${params_of[$shape]} parameters, the reference ${ref_params_of[$shape]}: not the same network"
    fi
  done
fi
if has flops; then
  say "flops: peak FP32 GEMM ($peak ${peak_args[*]})"
  md ""; md "## FLOPs and peak"; md ""; md "- before: $(load)"
  OMP_NUM_THREADS=2 /usr/bin/python3 "$peak" --skip-numpy --skip-torch "${peak_args[@]}" > "$logs/peak.txt" 2>&1
  peak_wall="$(sed -nE 's/^oneDNN.* wall GFLOP\/s med= *([0-9.]+).*/\1/p' "$logs/peak.txt" | sort -g | tail -1)"
  peak_cpu="$(sed -nE 's/^oneDNN.*per-[0-9]+-CPU-s med= *([0-9.]+).*/\1/p' "$logs/peak.txt" | sort -g | tail -1)"
  md ""
  md "| shape | U-Net (FlopReport --shape, no attention) | parameters, ours / reference | forward FLOPs per image, FlopCount | the same, the reference's own count (2 × conv + linear MACs) | training FLOPs per image (3 × forward) |"
  md "| --- | --- | --- | --- | --- | --- |"
  for shape in ${shapes//,/ }; do
    md "| ${shape/x/×}×${shape#*x} | $(grep -m1 '^UNetSpec' "$logs/flopcount$(sfx "$shape").txt" | sed 's/^UNetSpec//') | ${params_of[$shape]} / ${ref_params_of[$shape]} | $(awk -v f="${fwd_of[$shape]}" 'BEGIN { printf "%.2f MFLOP", f / 1e6 }') | $(awk -v f="${ref_flops_of[$shape]}" 'BEGIN { printf "%.2f MFLOP", f / 1e6 }') | $(awk -v f="${fwd_of[$shape]}" 'BEGIN { printf "%.2f MFLOP", 3 * f / 1e6 }') |"
  done
  md ""
  md "Peak FP32, oneDNN GEMM, 2 threads: best row's median ${peak_wall:-n/a} wall GFLOP/s; per 2 CPU-seconds of the process ${peak_cpu:-n/a}."
  md ""; md "Command: \`OMP_NUM_THREADS=2 /usr/bin/python3 peak.py --skip-numpy --skip-torch ${peak_args[*]}\`; after: $(load)"
fi

# ---------------------------------------------------------------------------------------------- prepare
if has prepare; then
  if $quick; then corpus="$work/fashion-mnist-${corpus_per_class}-per-class"; else corpus="$work/fashion-mnist-70k"; fi
  if [ ! -d "$corpus" ]; then
    say "prepare: writing the corpus $corpus"
    tmp="$corpus.tmp"; rm -rf "$tmp" "$tmp-test"
    java_main io.sparkdiffusion.cli.IdxToPngTree "$fm/train-images-idx3-ubyte.gz" "$fm/train-labels-idx1-ubyte.gz" "$tmp" $corpus_per_class >&2
    if ! $quick; then # the 10,000 test images too, as scripts/fashion-mnist-tree.sh does: 70,000 files
      java_main io.sparkdiffusion.cli.IdxToPngTree "$fm/t10k-images-idx3-ubyte.gz" "$fm/t10k-labels-idx1-ubyte.gz" "$tmp-test" >&2
      for d in "$tmp-test"/*/; do (cd "$d" && for f in *.png; do mv "$f" "$tmp/$(basename "$d")/t10k-$f"; done); done
      rm -rf "$tmp-test"
    fi
    mv "$tmp" "$corpus"
  fi
  files=$(find "$corpus" -type f -name '*.png' | wc -l)
  # the plain-ImageIO floor's images/s with N threads (not the ImagePreparer line) in bench/prepare.sh's output
  floor_rate() { grep -E "threads=$1 " "$2" | grep -iv preparer | sed -nE 's/.*images\/s=([0-9.]+).*/\1/p' | head -1 || true; }
  md ""; md "## PrepareJob vs the decode-only floor"; md ""
  md "Corpus: Fashion-MNIST as a PNG tree, $files files of 28×28 grey, prepared to 1×28×28. Floor: plain ImageIO in one JVM"
  md "(\`DecodeFloorBenchmark\`, after a warm-up pass); job: PrepareJob on local[2], driver heap 4 GB, end to end (JVM start"
  md "to exit) and processing (the job's stage clock: Spark session ready to \`_SUCCESS\`); steady state: the whole job run 8 times"
  md "in one JVM (\`WarmPrepareBenchmark\`), median of runs 4-8, with the job's JVM flags (C1 only) and with the default JIT (C2)."
  md "Command: \`bench/prepare.sh CORPUS OUT\`, $rounds time(s)."; md ""
  md "| run | load before | floor 1 thread img/s | floor 2 threads img/s | PrepareJob wall s | PrepareJob img/s | job / floor 1 thread | job / floor 2 threads | processing s | processing img/s | processing / floor 1 thread | steady img/s, job flags | steady img/s, C2 | steady C2 / floor 1 thread |"
  md "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
  for r in $(seq 1 "$rounds"); do
    say "prepare: round $r/$rounds"
    before="$(load)"
    bench/prepare.sh "$corpus" "$work/prepared-tree" > "$logs/prepare-$r.txt" 2>&1 || say "prepare: bench/prepare.sh failed, see $logs/prepare-$r.txt"
    floor1="$(floor_rate 1 "$logs/prepare-$r.txt")"
    floor2="$(floor_rate 2 "$logs/prepare-$r.txt")"
    job_s="$(sed -nE 's/^job wall time ([0-9.]+) s.*/\1/p' "$logs/prepare-$r.txt")"
    job_rate="$(sed -nE 's/^job wall time .*: ([0-9.]+) images\/s.*/\1/p' "$logs/prepare-$r.txt")"
    proc_s="$(sed -nE 's/^job processing time ([0-9.]+) s.*/\1/p' "$logs/prepare-$r.txt")"
    proc_rate="$(sed -nE 's/^job processing time .*: ([0-9.]+) images\/s.*/\1/p' "$logs/prepare-$r.txt")"
    echo "$floor1" >> "$logs/prepare-floor1.rates"; echo "$floor2" >> "$logs/prepare-floor2.rates"; echo "$job_rate" >> "$logs/prepare-job.rates"
    echo "$proc_rate" >> "$logs/prepare-processing.rates"
    steady1="$(sed -nE 's/^job steady state \(job flags.*: ([0-9.]+) images\/s.*/\1/p' "$logs/prepare-$r.txt")"
    steady2="$(sed -nE 's/^job steady state \(C2.*: ([0-9.]+) images\/s.*/\1/p' "$logs/prepare-$r.txt")"
    echo "$steady1" >> "$logs/prepare-steady1.rates"; echo "$steady2" >> "$logs/prepare-steady2.rates"
    md "| $r | $before | ${floor1:-n/a} | ${floor2:-n/a} | ${job_s:-n/a} | ${job_rate:-n/a} | $(summ ratio "$job_rate" "$floor1") | $(summ ratio "$job_rate" "$floor2") | ${proc_s:-n/a} | ${proc_rate:-n/a} | $(summ ratio "$proc_rate" "$floor1") | ${steady1:-n/a} | ${steady2:-n/a} | $(summ ratio "$steady2" "$floor1") |"
  done
  f1="$(summ median "$logs/prepare-floor1.rates")"; f2="$(summ median "$logs/prepare-floor2.rates")"; j="$(summ median "$logs/prepare-job.rates")"
  p="$(summ median "$logs/prepare-processing.rates")"
  s1="$(summ median "$logs/prepare-steady1.rates")"; s2="$(summ median "$logs/prepare-steady2.rates")"
  md "| **median** | | $f1 | $f2 | | $j | **$(summ ratio "$j" "$f1")** | $(summ ratio "$j" "$f2") | | $p | **$(summ ratio "$p" "$f1")** | $s1 | $s2 | **$(summ ratio "$s2" "$f1")** |"
fi

# ---------------------------------------------------------------------------------------------- TrainJob runs
prepared="$work/fashion-mnist-prepared"
ensure_prepared() {
  if [ ! -f "$prepared/_SUCCESS" ]; then
    say "preparing Fashion-MNIST's training idx for TrainJob into $prepared"
    SPARK_MASTER='local[2]' scripts/run-local.sh prepare --set prepare.input="$fm/train-images-idx3-ubyte.gz" \
      --set prepare.layout=idx --set prepare.output="$prepared" --set prepare.overwrite=true > "$logs/prepare-idx.txt" 2>&1
  fi
}
# prepared_for SHAPE: the prepared data TrainJob trains on at that shape (made on first use): Fashion-MNIST at 1x28,
# else the icon variants (bench/icon-variants.py on data/tango-icons-demo) at that size and channel count
prepared_for() {
  if [ "$1" = 1x28 ]; then ensure_prepared; echo "$prepared"; return; fi
  local icons="$work/tango-icon-variants" out="$work/tango-icon-variants-$1-prepared"
  if [ ! -d "$icons" ]; then
    /usr/bin/python3 bench/icon-variants.py data/tango-icons-demo "$icons.tmp" >&2 && mv "$icons.tmp" "$icons"
  fi
  if [ ! -f "$out/_SUCCESS" ]; then
    say "preparing the icon variants at $1 for TrainJob into $out"
    SPARK_MASTER='local[2]' scripts/run-local.sh prepare --set prepare.input="$icons" --set prepare.size="${1#*x}" \
      --set prepare.channels="${1%x*}" --set prepare.background=white --set prepare.validation-fraction=0 \
      --set prepare.output="$out" --set prepare.overwrite=true > "$logs/prepare-$1.txt" 2>&1
  fi
  echo "$out"
}
# spark_train NAME OMP_THREADS BATCH FREQ WARMUP_ROUNDS MEASURED_ROUNDS [SHAPE]: TrainJob on local[2] with 2 workers
# (bench/trainjob.sh); appends the measured rounds' images/s to $logs/NAME.rates and the steady rate to
# $logs/NAME.steady. At a SHAPE other than 1x28: the auto preset (TrainJob's default) without self-attention.
spark_train() {
  local shape="${7:-1x28}"
  trainjob_extra=()
  [ "$shape" = 1x28 ] || trainjob_extra=(--set 'train.model.attention-resolutions=[]' --set train.model.attention=false)
  trainjob_measure . "$logs" "$1" "$1" "$(prepared_for "$shape")" "$2" "$3" "$4" "$5" "$6" || say "TrainJob $1 failed, see $logs/$1.log"
  trainjob_extra=()
}

# ---------------------------------------------------------------------------------------------- train
if has train; then
  md ""; md "## Training images/s: single JVM vs Spark local[2] vs PyTorch"; md ""
  md "Same U-Net on both sides at each shape (see the FLOPs table: parameters equal), unconditional, Adam, no gradient"
  md "clipping, batch 64 per optimizer step."
  md "- single JVM: \`OMP_NUM_THREADS=2 ThroughputBenchmark --shape SHAPE --no-attention --bench-train STEPS --windows W --warmup K\`"
  md "- single JVM, replicas: \`OMP_NUM_THREADS=1 ThroughputBenchmark ... --replicas 2\` (every batch split across 2 threads with 1 native thread each, one update: the same optimizer step)"
  md "- Spark: \`SPARK_MASTER=local[2] OMP_NUM_THREADS=1 scripts/run-local.sh train\` with 2 workers × batch 64, averaging every 10 steps;"
  md "  images/s of each averaging round (1,280 images) after the warm-up rounds, from metrics.jsonl"
  md "- PyTorch: \`/usr/bin/python3 ddpm_ref.py REFERENCE-ARGS --bench-train STEPS --windows W --warmup K\` (torch 1.13, 2 threads)"
  md "- 1×28×28: Fashion-MNIST (TrainJob: its prepared idx); other shapes: random images (TrainJob: the icon variants prepared at that shape)"
  gf() { summ gflops "$1" "$((3 * ${fwd_of[$shape]:-0}))"; }
  # windows LOG NAME: the wall and per-2-CPU-s images/s of every window line (ThroughputBenchmark and ddpm_ref.py print both)
  windows() {
    sed -nE 's/^  window [0-9]+: +([0-9.]+) img\/s wall.*/\1/p' "$1" >> "$logs/$2.rates"
    sed -nE 's/^  window .* ([0-9.]+) img\/s per [0-9]+ CPU-s.*/\1/p' "$1" >> "$logs/$2.cpurates"
  }
  for shape in ${shapes//,/ }; do
    shape_sizes "$shape"; x="$(sfx "$shape")"
    prepared_for "$shape" > /dev/null
    md ""; md "### ${shape/x/×}×${shape#*x}"; md ""
    md "\`--shape $shape --no-attention\` / \`${ref_args_of[$shape]}\`; windows of $s_steps steps ($((s_steps * 64)) images), $s_windows windows after $s_warmup warm-up steps;"
    md "Spark: $((s_spark_warmup + s_spark_measured)) rounds, the first $s_spark_warmup warm-up; $rounds round(s) of all contenders."
    md ""
    for r in $(seq 1 "$rounds"); do
      for who in $(rotate "$r" jvm replicas spark torch); do
        say "train $shape: round $r/$rounds, $who"
        echo "round $r $who: $(load)" >> "$logs/train$x-load.txt"
        case "$who" in
          jvm) OMP_NUM_THREADS=2 java_main io.sparkdiffusion.bench.ThroughputBenchmark --shape "$shape" --no-attention \
                 --bench-train "$s_steps" --windows "$s_windows" --warmup "$s_warmup" 2>/dev/null > "$logs/train$x-jvm-$r.txt" \
                 || say "single-JVM run failed"
               windows "$logs/train$x-jvm-$r.txt" "train$x-jvm" ;;
          replicas) OMP_NUM_THREADS=1 java_main io.sparkdiffusion.bench.ThroughputBenchmark --shape "$shape" --no-attention \
                 --bench-train "$s_steps" --windows "$s_windows" --warmup "$s_warmup" --replicas 2 2>/dev/null \
                 > "$logs/train$x-replicas-$r.txt" || say "single-JVM replicas run failed"
               windows "$logs/train$x-replicas-$r.txt" "train$x-replicas" ;;
          spark) spark_train "train$x-spark" 1 64 10 "$s_spark_warmup" "$s_spark_measured" "$shape" ;;
          # shellcheck disable=SC2086
          torch) (cd "$logs" && /usr/bin/python3 "$ref" ${ref_args_of[$shape]} --bench-train "$s_steps" --windows "$s_windows" \
                   --warmup "$s_warmup" > "$logs/train$x-torch-$r.txt" 2>&1) || say "PyTorch run failed"
                 windows "$logs/train$x-torch-$r.txt" "train$x-torch" ;;
        esac
      done
    done
    jvm="$(summ median "$logs/train$x-jvm.rates")"; jvm_cpu="$(summ median "$logs/train$x-jvm.cpurates")"
    replicas="$(summ median "$logs/train$x-replicas.rates")"; replicas_cpu="$(summ median "$logs/train$x-replicas.cpurates")"
    spark="$(summ median "$logs/train$x-spark.rates")"; spark_cpu="$(summ median "$logs/train$x-spark.cpurates")"
    torch="$(summ median "$logs/train$x-torch.rates")"; torch_cpu="$(summ median "$logs/train$x-torch.cpurates")"
    spark_steady="$(summ median "$logs/train$x-spark.steady")"
    row() { # LABEL WALL CPU N
      md "| $1 | $2 | $3 | $4 | $(summ ratio "$2" "$jvm") | $(summ ratio "$3" "$jvm_cpu") | $(summ ratio "$2" "$torch") | $(summ ratio "$3" "$torch_cpu") | $(gf "$2") | $(gf "$3") | $(percent "$(gf "$2")" "$peak_wall") | $(percent "$(gf "$3")" "$peak_cpu") |"
    }
    md "| contender | wall images/s | images per 2 CPU-s | windows or rounds | vs single JVM, wall | vs single JVM, CPU | vs PyTorch, wall | vs PyTorch, CPU | GFLOP/s wall | GFLOP/s per 2 CPU-s | share of peak, wall${peak_wall:+ ($peak_wall)} | share of peak, per 2 CPU-s${peak_cpu:+ ($peak_cpu)} |"
    md "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
    row "single JVM, 2 threads" "$jvm" "$jvm_cpu" "$(count "$logs/train$x-jvm.rates")"
    row "**single JVM, 2 replicas × 1 thread**" "$replicas" "$replicas_cpu" "$(count "$logs/train$x-replicas.rates")"
    row "**Spark local[2], 2 × 1 thread**" "$spark" "$spark_cpu" "$(count "$logs/train$x-spark.rates")"
    row "PyTorch 1.13, 2 threads" "$torch" "$torch_cpu" "$(count "$logs/train$x-torch.rates")"
    md ""
    md "Medians over all windows / rounds of all runs. GFLOP/s: images/s × $(awk -v f="${fwd_of[$shape]:-0}" 'BEGIN { printf "%.2f", 3 * f / 1e6 }') MFLOP"
    md "(3 × FlopCount's forward). Spark's images per 2 CPU-s: the measured rounds' images over the CPU time its JVM (driver and both"
    md "workers) used meanwhile, sampled every 0.2 s from /proc."
    md "Spark's steady rate (all images of the measured rounds / their wall time, median over runs): $spark_steady images/s."
    md "Load before each run: $(awk '{ sub(/^round /, ""); printf "%s%s", sep, $0; sep = "; " }' "$logs/train$x-load.txt")."
  done
  md ""
  md "Target at 1×28×28: Spark ≥ 0.9 × single JVM (wall on a quiet machine; the per-CPU-second figures are the ones to"
  md "compare when other work shares the machine)."
fi

# ---------------------------------------------------------------------------------------------- sample
if has sample; then
  md ""; md "## DDIM-50 sampling: DL4J vs PyTorch"; md ""
  md "50 DDIM steps of N images in one batch, same (untrained) U-Net at each shape; $rounds round(s)."
  md "Commands: \`OMP_NUM_THREADS=2 ThroughputBenchmark --shape SHAPE --no-attention --bench-sample --sample-reps R --sample-n N\`,"
  md "\`ddpm_ref.py REFERENCE-ARGS --bench-sample --sample-reps R --sample-n N\`."
  md ""
  md "| shape | N, repetitions per run | contender | wall images/s | images per 2 CPU-s | repetitions | vs PyTorch, wall | vs PyTorch, CPU | forward GFLOP/s wall (50 × forward) | share of peak, wall${peak_wall:+ ($peak_wall)} | share of peak, per 2 CPU-s${peak_cpu:+ ($peak_cpu)} |"
  md "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
  sgf() { summ gflops "$1" "$((50 * ${fwd_of[$shape]:-0}))"; }
  for shape in ${shapes//,/ }; do
    shape_sizes "$shape"; x="$(sfx "$shape")"
    for r in $(seq 1 "$rounds"); do
      for who in $(rotate "$r" jvm torch); do
        say "sample $shape: round $r/$rounds, $who"
        echo "round $r $who: $(load)" >> "$logs/sample$x-load.txt"
        if [ "$who" = jvm ]; then
          OMP_NUM_THREADS=2 java_main io.sparkdiffusion.bench.ThroughputBenchmark --shape "$shape" --no-attention --bench-sample \
            --sample-reps "$s_sample_reps" --sample-n "$s_sample_n" 2>/dev/null > "$logs/sample$x-jvm-$r.txt" || say "DL4J sampling failed"
        else
          # shellcheck disable=SC2086
          (cd "$logs" && /usr/bin/python3 "$ref" ${ref_args_of[$shape]} --bench-sample --sample-reps "$s_sample_reps" \
            --sample-n "$s_sample_n" > "$logs/sample$x-torch-$r.txt" 2>&1) || say "PyTorch sampling failed"
        fi
        sed -nE 's/^  rep [0-9]+: ([0-9.]+) samples\/s wall.*/\1/p' "$logs/sample$x-$who-$r.txt" >> "$logs/sample$x-$who.rates"
        sed -nE 's/^  rep .* ([0-9.]+) samples per [0-9]+ CPU-s.*/\1/p' "$logs/sample$x-$who-$r.txt" >> "$logs/sample$x-$who.cpurates"
      done
    done
    sj="$(summ median "$logs/sample$x-jvm.rates")"; st="$(summ median "$logs/sample$x-torch.rates")"
    sjc="$(summ median "$logs/sample$x-jvm.cpurates")"; stc="$(summ median "$logs/sample$x-torch.cpurates")"
    md "| ${shape/x/×}×${shape#*x} | $s_sample_n, $s_sample_reps | DL4J (NHWC twin, oneDNN), 2 threads | $sj | $sjc | $(count "$logs/sample$x-jvm.rates") | **$(summ ratio "$sj" "$st")** | $(summ ratio "$sjc" "$stc") | $(sgf "$sj") | $(percent "$(sgf "$sj")" "$peak_wall") | $(percent "$(sgf "$sjc")" "$peak_cpu") |"
    md "| | | PyTorch 1.13, 2 threads | $st | $stc | $(count "$logs/sample$x-torch.rates") | 1.00 | 1.00 | $(sgf "$st") | $(percent "$(sgf "$st")" "$peak_wall") | $(percent "$(sgf "$stc")" "$peak_cpu") |"
  done
  md ""
  for shape in ${shapes//,/ }; do
    md "Load before each run at $shape: $(awk '{ sub(/^round /, ""); printf "%s%s", sep, $0; sep = "; " }' "$logs/sample$(sfx "$shape")-load.txt")."
  done
  if [[ ",$shapes," == *",1x28,"* ]]; then
    md ""; md "### SampleJob vs one JVM (bench/sample.sh)"; md ""
    if [ -x bench/sample.sh ]; then
      say "sample: bench/sample.sh"
      # its options are its own; BENCH_QUICK=1 tells it that this is a --quick run
      if BENCH_QUICK="$($quick && echo 1 || echo 0)" bench/sample.sh > "$logs/sample-sh.txt" 2>&1; then
        md "\`bench/sample.sh\` printed (last 25 lines):"; md ""; md '```'; tail -25 "$logs/sample-sh.txt" >> "$report"; md '```'
      else
        md "bench/sample.sh failed; its last lines:"; md ""; md '```'; tail -10 "$logs/sample-sh.txt" >> "$report"; md '```'
      fi
    else
      md "bench/sample.sh is not in this checkout yet (SampleJob's branch adds it): to be measured by bench/all.sh."
    fi
  fi
fi

# ---------------------------------------------------------------------------------------------- tune
if has tune; then
  ensure_prepared
  md ""; md "## TrainJob tuning on local[2]: native threads per task × batch per worker × averaging frequency"; md ""
  md "2 workers; each configuration runs once (the grid in order, one after another), ~$tune_warm_steps warm-up steps per worker"
  md "(as many averaging rounds as that takes), then at least"
  md "$tune_images images of measured rounds. images/s: median of the measured averaging rounds, and all their images / their time."
  md ""
  md "| OMP threads per task | batch per worker | averaging frequency | median round images/s | steady images/s | images per 2 CPU-s | rounds | load before |"
  md "| --- | --- | --- | --- | --- | --- | --- | --- |"
  for cfg in "${tune_grid[@]}"; do
    read -r omp batch freq <<< "$cfg"
    per_round=$((2 * batch * freq))
    measured=$(((tune_images + per_round - 1) / per_round)); [ "$measured" -lt 3 ] && measured=3
    name="tune-omp$omp-b$batch-f$freq"
    warm=$(((tune_warm_steps + freq - 1) / freq)) # DL4J's rate still rises over its first ~50-100 steps
    say "tune: $name ($warm warm-up, $measured measured rounds)"
    before="$(load)"
    spark_train "$name" "$omp" "$batch" "$freq" "$warm" "$measured"
    md "| $omp | $batch | $freq | $(summ median "$logs/$name.rates") | $(summ median "$logs/$name.steady") | $(summ median "$logs/$name.cpurates") | $measured | $before |"
  done
fi

md ""; md "At the end: $(load); uptime load averages $(cut -d' ' -f1-3 /proc/loadavg). Finished $(date -u +%H:%MZ)."
say "done"
if [ -z "$out" ]; then
  cat "$report"
else
  [ -d "$out" ] && out="$out/results-$stamp.md"
  cp "$report" "$out"
  echo "bench/all.sh: results in $out" >&2
fi
