#!/usr/bin/env bash
# Submits one job with the shaded jar (spark-jobs/target/spark-diffusion.jar, built when missing) through
# spark-submit: $SPARK_HOME/bin/spark-submit when SPARK_HOME holds one, otherwise Spark's own SparkSubmit class
# run from the Maven jars (the spark-runtime module), which does the same for client deploy mode.
#   scripts/submit.sh JOB CONFIG [spark-submit options] [-- job options]
#   scripts/submit.sh train conf/train.conf --master spark://127.0.0.1:7077 --properties-file conf/spark-defaults.conf -- --resume
# JOB is prepare, train, sample, augment or evaluate; CONFIG a HOCON file (local path or any Hadoop URI; in
# cluster deploy mode the driver's machine must see it, so use hdfs://... or ship it with --files). Job options
# after `--`: --set key=value (repeatable), --resume, --help. Environment for the Maven-jars path only:
#   DRIVER_MEMORY (default 2g) and DRIVER_JAVA_OPTS: the driver JVM runs in this process in client mode
#   SPARK_DIFFUSION_JAR: another jar to submit
# Relative paths are taken from the repository root. Exit code: the job's in client mode (0 ok, 2 usage/config/
# input error, 1 failure).
# The driver (its UI on port 4040 included) listens on SPARK_LOCAL_IP: 127.0.0.1 for a local master or one on
# 127.0.0.1/localhost (from --set JOB.spark-master, --master, --conf spark.master or the properties file). For another
# master in client mode, or one submit.sh cannot tell (none given, CONFIG names JOB.spark-master, or CONFIG is not a
# local file), set it yourself to this machine's address on the cluster network: submit.sh refuses to guess, which
# would mean all interfaces. The UI's kill links are off unless you pass --conf spark.ui.killEnabled=true.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; }
if [ $# -lt 2 ]; then
  case "${1:-}" in -h|--help) usage; exit 0 ;; esac
  usage >&2
  exit 2
fi
job="$1" config="$2"
shift 2
case "$job" in
  prepare) class=PrepareJob ;;
  train) class=TrainJob ;;
  sample) class=SampleJob ;;
  augment) class=AugmentJob ;;
  evaluate) class=EvaluateJob ;;
  *) echo "submit.sh: unknown job '$job' (expected prepare, train, sample, augment or evaluate)" >&2; exit 2 ;;
esac
submit_options=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
  submit_options+=("$1")
  shift
done
[ $# -gt 0 ] && shift # the --
job_options=(--config "$config" "$@")

# The value of key $1 in Java properties file $2 (`key value`, `key=value` or `key: value`; the last one wins).
properties_value() { # key file
  awk -v key="$1" '
    { sub(/^[ \t\f]+/, "") }
    /^[#!]/ || $0 == "" { next }
    match($0, /^[^=: \t\f]+/) && substr($0, 1, RLENGTH) == key {
      rest = substr($0, RLENGTH + 1); sub(/^[ \t\f]*[=:]?[ \t\f]*/, "", rest); sub(/[ \t\f\r]+$/, "", rest); value = rest
    }
    END { printf "%s", value }' "$2"
}
# As spark-submit settles it: option $1 (--opt V or --opt=V), else --conf $2=V, else key $2 of its properties file
# (--properties-file, else spark-defaults.conf in SPARK_CONF_DIR or SPARK_HOME/conf), else empty.
submit_setting() { # option property
  local i value="" conf="" props=""
  for ((i = 0; i < ${#submit_options[@]}; i++)); do
    case "${submit_options[$i]}" in
      "$1") value="${submit_options[$((i + 1))]:-}" ;;
      "$1"=*) value="${submit_options[$i]#*=}" ;;
      --conf|-c) case "${submit_options[$((i + 1))]:-}" in "$2"=*) conf="${submit_options[$((i + 1))]#*=}" ;; esac ;;
      --conf="$2"=*) conf="${submit_options[$i]#--conf=*=}" ;;
      --properties-file) props="${submit_options[$((i + 1))]:-}" ;;
      --properties-file=*) props="${submit_options[$i]#*=}" ;;
    esac
  done
  [ -n "$value" ] || value="$conf"
  if [ -z "$props" ]; then
    if [ -n "${SPARK_CONF_DIR:-}" ]; then props="$SPARK_CONF_DIR/spark-defaults.conf"
    elif [ -n "${SPARK_HOME:-}" ]; then props="$SPARK_HOME/conf/spark-defaults.conf"; fi
  fi
  if [ -z "$value" ] && [ -n "$props" ] && [ -f "$props" ]; then
    value="$(properties_value "$2" "$props")"
  fi
  printf '%s' "$value"
}
# The master the job will use: its own spark-master key wins over spark-submit's (a --set of it is read here; a
# config file that mentions it, or one that is not a local file, makes the master unknown: printed empty).
job_master() {
  local i value="" set=0
  for ((i = 0; i < ${#job_options[@]}; i++)); do
    case "${job_options[$i]}" in
      --set) case "${job_options[$((i + 1))]:-}" in "$job.spark-master="*) value="${job_options[$((i + 1))]#*=}" set=1 ;; esac ;;
      --set="$job.spark-master="*) value="${job_options[$i]#--set=*=}" set=1 ;;
    esac
  done
  if [ "$set" = 0 ]; then
    if [ ! -f "$config" ] || awk '!/^[[:space:]]*(#|\/\/)/ && /spark-master/ { found = 1 } END { exit !found }' "$config"; then
      return
    fi
    value="$(submit_setting --master spark.master)"
  fi
  printf '%s' "$value"
}
# Where the driver listens: never all interfaces by default (Spark's UI binds 0.0.0.0 without SPARK_LOCAL_IP).
if [ -z "${SPARK_LOCAL_IP:-}" ]; then
  master="$(job_master)"
  case "$master" in
    local|local\[*|local-cluster\[*|spark://127.*|spark://localhost:*|spark://localhost) export SPARK_LOCAL_IP=127.0.0.1 ;;
    *)
      if [ "$(submit_setting --deploy-mode spark.submit.deployMode)" != cluster ]; then
        if [ -z "$master" ]; then
          echo "submit.sh: cannot tell which Spark master the driver serves (none in the spark-submit options or properties file, or $config names $job.spark-master); pass --master, or set SPARK_LOCAL_IP to the address the driver listens on (127.0.0.1 for a local master)" >&2
        else
          echo "submit.sh: the driver for $master must listen where the executors reach it; set SPARK_LOCAL_IP to this machine's address on the cluster network" >&2
        fi
        exit 2
      fi ;;
  esac
fi
# Kill links off unless the user's own --conf (which comes later and wins) turns them on.
submit_options=(--conf spark.ui.killEnabled=false "${submit_options[@]}")

. scripts/shaded-jar.sh
if command -v unzip >/dev/null && ! unzip -l "$SPARK_DIFFUSION_JAR" "io/sparkdiffusion/jobs/$class.class" >/dev/null 2>&1; then
  echo "submit.sh: job '$job' ($class) is not in $SPARK_DIFFUSION_JAR" >&2
  exit 2
fi
app=(--class "io.sparkdiffusion.jobs.$class" "$SPARK_DIFFUSION_JAR" "${job_options[@]}")

if [ -n "${SPARK_HOME:-}" ] && [ -x "$SPARK_HOME/bin/spark-submit" ]; then
  exec "$SPARK_HOME/bin/spark-submit" "${submit_options[@]}" "${app[@]}"
fi

# Spark from the Maven jars. In client mode this JVM is the driver: it needs what stock spark-submit would give
# it (the Java 17 openings, its heap, ND4J's off-heap limit, a log4j2 configuration).
. scripts/java-flags.sh
. scripts/spark-runtime.sh
flags=("${SPARK_JAVA17_FLAGS[@]}" "${NATIVE_HEAP_FLAGS[@]}" "-Xmx${DRIVER_MEMORY:-2g}" -Dorg.bytedeco.javacpp.maxbytes=4g
  -Dorg.bytedeco.javacpp.maxphysicalbytes=8g -Dlog4j2.configurationFile=conf/log4j2.properties)
if [ -n "${DRIVER_JAVA_OPTS:-}" ]; then
  read -r -a extra <<< "$DRIVER_JAVA_OPTS"
  flags+=("${extra[@]}")
fi
exec java "${flags[@]}" -cp "$SPARK_RUNTIME_CLASSPATH" org.apache.spark.deploy.SparkSubmit \
  "${submit_options[@]}" "${app[@]}"
