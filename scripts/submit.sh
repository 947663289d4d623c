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
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; }
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
