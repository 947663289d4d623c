#!/usr/bin/env bash
# What an averaging round costs beyond the workers' own steps, on a real Spark standalone cluster of 2 one-core
# workers on this machine (scripts/cluster/start.sh; the shaded jar through scripts/submit.sh): TrainJob on the
# Fashion-MNIST training set, 2 workers x batch 64, averaging every H steps (default 10, TrainJob's default), for
# --rounds rounds; the first 3 rounds (JIT warm-up) are left out. Per round, from metrics.jsonl:
#   round_s          the round's wall time on the driver (broadcast, tasks, aggregation, outer step, EMA)
#   worker_steps_s   the workers' optimizer steps, summed over both workers
#   overhead share   1 - (worker_steps_s / 2) / round_s: the part of a round that is not a worker training
#                    (communication, task start-up, averaging; an upper bound on the averaging step's share)
#   driver share     driver_update_ms / round_s: the driver's own step after the average (outer step, EMA)
#   bench/cluster-rounds.sh [--rounds N] [--frequency H] [--out FILE]
# Environment: BENCH_WORK (default ${TMPDIR:-/tmp}/spark-diffusion-bench). Needs dataset-fashion-mnist.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; }
rounds=20
frequency=10
out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds="$2"; shift ;;
    --frequency) frequency="$2"; shift ;;
    --out) out="$2"; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "bench/cluster-rounds.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
  shift
done
fm=/usr/share/datasets/fashion-mnist
[ -f "$fm/train-images-idx3-ubyte.gz" ] || { echo "bench/cluster-rounds.sh: needs $fm (apt-get install -y dataset-fashion-mnist)" >&2; exit 2; }
work="$(realpath -m "${BENCH_WORK:-${TMPDIR:-/tmp}/spark-diffusion-bench}/cluster-rounds")"
mkdir -p "$work"
cluster="$work/cluster"
scripts/cluster/start.sh --dir "$cluster" --workers 2 --cores 1 --memory 3g >&2
trap 'scripts/cluster/stop.sh --dir "$cluster" >&2' EXIT
export SPARK_LOCAL_IP=127.0.0.1
options=(--master "$(cat "$cluster/master-url")" --properties-file conf/spark-defaults.conf
  --conf spark.executor.cores=1 --conf spark.executor.memory=1g
  --conf "spark.executor.extraJavaOptions=-XX:TrimNativeHeapInterval=30000 -Dorg.bytedeco.javacpp.maxbytes=2g -Dorg.bytedeco.javacpp.maxphysicalbytes=3g")
if [ ! -f "$work/prepared/_SUCCESS" ]; then
  scripts/submit.sh prepare conf/prepare.conf "${options[@]}" -- --set "prepare.input=$fm/train-images-idx3-ubyte.gz" \
    --set prepare.layout=idx --set "prepare.output=$work/prepared" --set prepare.overwrite=true > "$work/prepare.log" 2>&1
fi
rm -rf "$work/train"
scripts/submit.sh train conf/train.conf "${options[@]}" -- --set "train.data=$work/prepared" \
  --set "train.run-dir=$work/train" --set train.workers=2 --set train.batch-size=64 \
  --set "train.averaging-frequency=$frequency" --set "train.max-steps=$(( rounds * frequency ))" \
  --set train.sample-every-epochs=0 --set train.validation.images=0 > "$work/train.log" 2>&1 \
  || { echo "bench/cluster-rounds.sh: TrainJob failed, see $work/train.log" >&2; exit 1; }

report=$(/usr/bin/python3 - "$work/train/metrics.jsonl" "$frequency" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
rows = [r for r in rows if "round_s" in r][3:]
overhead = [1 - r["worker_steps_s"] / 2 / r["round_s"] for r in rows]
driver = [r["driver_update_ms"] / 1000 / r["round_s"] for r in rows]
print(f"rounds measured: {len(rows)} (H = {sys.argv[2]}, 2 workers x batch 64)")
print(f"round wall time: median {statistics.median(r['round_s'] for r in rows):.2f} s")
print(f"workers' steps per worker: median {statistics.median(r['worker_steps_s'] / 2 for r in rows):.2f} s")
print(f"overhead share of a round (not a worker step): median {statistics.median(overhead) * 100:.1f} %, "
      f"range {min(overhead) * 100:.1f}-{max(overhead) * 100:.1f} %")
print(f"driver's own update (outer step + EMA): median {statistics.median(r['driver_update_ms'] for r in rows):.1f} ms "
      f"= {statistics.median(driver) * 100:.2f} % of a round")
print(f"bytes per worker per round: {rows[0]['bytes_per_worker'] / 1e6:.1f} MB")
PY
)
header="commit $(git rev-parse --short HEAD), $(date -u +%Y-%m-%dT%H:%MZ), $(lscpu | sed -n 's/^Model name: *//p' | head -1)"
if [ -n "$out" ]; then printf '%s\n%s\n' "$header" "$report" > "$out"; else printf '%s\n%s\n' "$header" "$report"; fi
