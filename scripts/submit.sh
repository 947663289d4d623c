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
# 127.0.0.1/localhost; for another master in client mode set it to this machine's address on the cluster network
# (submit.sh refuses to guess, which would mean all interfaces). The UI's kill links are off unless you pass
# --conf spark.ui.killEnabled=true.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; }
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

# The value of spark-submit option $1 (--opt V or --opt=V), else key $2 of the --properties-file, else empty.
submit_setting() { # option property
  local i value="" props=""
  for ((i = 0; i < ${#submit_options[@]}; i++)); do
    case "${submit_options[$i]}" in
      "$1") value="${submit_options[$((i + 1))]:-}" ;;
      "$1"=*) value="${submit_options[$i]#*=}" ;;
      --properties-file) props="${submit_options[$((i + 1))]:-}" ;;
      --properties-file=*) props="${submit_options[$i]#*=}" ;;
    esac
  done
  if [ -z "$value" ] && [ -n "$props" ] && [ -f "$props" ]; then
    value="$(awk -v key="$2" '$1 == key { print $2 }' "$props" | tail -1)"
  fi
  printf '%s' "$value"
}
# Where the driver listens: never all interfaces by default (Spark's UI binds 0.0.0.0 without SPARK_LOCAL_IP).
if [ -z "${SPARK_LOCAL_IP:-}" ]; then
  master="$(submit_setting --master spark.master)"
  case "$master" in
    ""|local|local\[*|local-cluster\[*|spark://127.*|spark://localhost:*|spark://localhost) export SPARK_LOCAL_IP=127.0.0.1 ;;
    *)
      if [ "$(submit_setting --deploy-mode spark.submit.deployMode)" != cluster ]; then
        echo "submit.sh: the driver for $master must listen where the executors reach it; set SPARK_LOCAL_IP to this machine's address on the cluster network" >&2
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
