#!/usr/bin/env bash
# Starts a Spark standalone cluster on this machine from the Maven jars (no Spark distribution needed): one
# master and N workers on 127.0.0.1, each its own JVM, and returns when every worker has registered.
#   scripts/cluster/start.sh [--workers N] [--cores C] [--memory M] [--port P] [--webui-port P] [--dir DIR]
#   --workers 2  --cores 1 (per worker)  --memory 2g (per worker, for its executors)
#   --port 7077 (master)  --webui-port 8080 (master's UI and JSON status)  --dir runs/cluster
# DIR gets spark-home/ (jars/ links to the Spark runtime, conf/log4j2.properties), logs/, pids/, worker-dirs/
# (the executors' directories and logs) and master-url. Stop with scripts/cluster/stop.sh [--dir DIR].
# Submit with: scripts/submit.sh JOB CONFIG --master "$(cat DIR/master-url)"
set -euo pipefail
cd "$(dirname "$0")/../.."

usage() { sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; }
workers=2 cores=1 memory=2g port=7077 webui_port=8080 dir=runs/cluster
while [ $# -gt 0 ]; do
  case "$1" in
    --workers) workers="$2"; shift 2 ;;
    --cores) cores="$2"; shift 2 ;;
    --memory) memory="$2"; shift 2 ;;
    --port) port="$2"; shift 2 ;;
    --webui-port) webui_port="$2"; shift 2 ;;
    --dir) dir="$2"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "start.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
done
dir="$(realpath -m "$dir")"
. scripts/cluster/daemons.sh
for pid_file in "$dir"/pids/*.pid; do
  if [ -f "$pid_file" ] && daemon_alive "$pid_file"; then
    echo "start.sh: a cluster started from $dir is running (pid $(cat "$pid_file")); stop it first" >&2
    exit 2
  fi
done

# Spark would move a master on a taken port to the next one, and the workers would join whatever listens on
# the taken port: refuse instead.
for taken in "$port" "$webui_port"; do
  if port_taken "$taken"; then
    echo "start.sh: port $taken on 127.0.0.1 is already in use (another master?); free it or pass --port/--webui-port" >&2
    exit 2
  fi
done

. scripts/java-flags.sh
. scripts/spark-runtime.sh
# A directory that looks like a Spark distribution to the master, the workers and the executor launcher.
spark_home="$dir/spark-home"
# a fresh start: the previous cluster's logs and executor directories (each holds a copy of the app jar) go
rm -rf "$spark_home" "$dir/pids" "$dir/logs" "$dir/worker-dirs"
mkdir -p "$spark_home/jars" "$spark_home/conf" "$dir/logs" "$dir/pids" "$dir/worker-dirs"
tr ':' '\n' <<< "$SPARK_RUNTIME_CLASSPATH" | while read -r jar; do
  [ -n "$jar" ] && ln -s "$jar" "$spark_home/jars/$(basename "$jar")"
done
cp conf/log4j2.properties "$spark_home/conf/"

export SPARK_HOME="$spark_home"
export SPARK_SCALA_VERSION=2.12 # else executors fail: "Cannot find any build directories"
export SPARK_LOCAL_IP=127.0.0.1
# the executors inherit it: one native thread per Spark task (measured faster); spark.executorEnv overrides it
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
daemon_flags=("${SPARK_JAVA17_FLAGS[@]}" -Xmx256m -cp "$spark_home/conf:$spark_home/jars/*")

master_url="spark://127.0.0.1:$port"
echo "starting master $master_url (UI http://127.0.0.1:$webui_port) in $dir"
# spark.port.maxRetries=0: should the port be taken after the check above, the master fails instead of moving
nohup java "${daemon_flags[@]}" -Dspark.port.maxRetries=0 org.apache.spark.deploy.master.Master --host 127.0.0.1 --port "$port" \
  --webui-port "$webui_port" > "$dir/logs/master.log" 2>&1 < /dev/null &
echo $! > "$dir/pids/master.pid"
for i in $(seq 1 "$workers"); do
  mkdir -p "$dir/worker-dirs/worker-$i"
  # port 0: any free port, so that several workers (and clusters) share the machine
  nohup java "${daemon_flags[@]}" org.apache.spark.deploy.worker.Worker "$master_url" --host 127.0.0.1 \
    --port 0 --webui-port 0 --cores "$cores" --memory "$memory" --work-dir "$dir/worker-dirs/worker-$i" \
    > "$dir/logs/worker-$i.log" 2>&1 < /dev/null &
  echo $! > "$dir/pids/worker-$i.pid"
done

# Ready when the master's JSON status lists every worker ALIVE.
alive=0
for _ in $(seq 1 120); do
  sleep 0.5
  alive="$(master_status "$webui_port" | grep -o '"aliveworkers" *: *[0-9]*' | grep -o '[0-9]*$' || true)"
  if [ "${alive:-0}" -ge "$workers" ]; then
    echo "$master_url" > "$dir/master-url"
    echo "cluster ready: $master_url, $workers workers x $cores cores ($memory each); logs in $dir/logs"
    exit 0
  fi
  for pid_file in "$dir"/pids/*.pid; do
    if ! kill -0 "$(cat "$pid_file")" 2>/dev/null; then
      echo "start.sh: $(basename "$pid_file" .pid) exited; its log:" >&2
      tail -20 "$dir/logs/$(basename "$pid_file" .pid).log" >&2
      scripts/cluster/stop.sh --dir "$dir" >&2
      exit 1
    fi
  done
done
echo "start.sh: only ${alive:-0} of $workers workers registered within 60 s; see $dir/logs" >&2
scripts/cluster/stop.sh --dir "$dir" >&2
exit 1
