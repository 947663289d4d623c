#!/usr/bin/env bash
# Runs one Spark job on local Spark (in this JVM, master local[*]) from the built modules' classpath.
#   scripts/run-local.sh JOB [--config FILE] [--set key=value ...] [--help]
# JOB is prepare, train, sample, augment or evaluate. Environment:
#   SPARK_MASTER           Spark master (default local[*]); a job's <job>.spark-master key wins over it
#   DRIVER_MEMORY          driver heap, e.g. 512m (default: the 4g of scripts/java-flags.sh)
#   JAVA_OPTS              more JVM options, e.g. -Xlog:gc:file=gc.log (given last: they win over a job's own)
# Exit code: the job's (0 ok, 2 usage/config/input error, 1 failure); 2 for an unknown job.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; }

if [ $# -lt 1 ]; then
  usage >&2
  exit 2
fi
job="$1"
shift
# PrepareJob's JVM lives seconds and runs each of a great many code paths (listing, decoding, Spark's row
# conversions, shuffle, Parquet) just long enough for the optimizing C2 compiler to spend more CPU compiling them
# than its code saves: on the 70,000-file tree C2 took ~8 of the job's ~20 CPU-seconds, and with the quick C1
# compiler alone the tasks' own CPU time was the same. It is a throughput batch job: the parallel collector
# spares it G1's concurrent marking and write barriers (~1.5 of the remaining ~11 CPU-seconds). Measured in
# bench/README.md, "PrepareJob vs the decode-only floor". JAVA_OPTS="-XX:TieredStopAtLevel=4 -XX:-UseParallelGC"
# undoes both. Spark's classes fill ~110 MB of metaspace, and every time the default threshold (~21 MB, then raised
# step by step) is crossed the parallel collector runs a full collection: 4 of them, ~0.6 s, in a 70,000-file run.
# Starting the threshold at 256 MB leaves only the young collections.
job_flags=()
case "$job" in
  prepare) class=PrepareJob; job_flags=(-XX:TieredStopAtLevel=1 -XX:+UseParallelGC -XX:MetaspaceSize=256m) ;;
  train) class=TrainJob ;;
  sample) class=SampleJob ;;
  augment) class=AugmentJob ;;
  evaluate) class=EvaluateJob ;;
  -h|--help) usage; exit 0 ;;
  *) echo "run-local.sh: unknown job '$job' (expected prepare, train, sample, augment or evaluate)" >&2; exit 2 ;;
esac

# Build (when sources changed) and write the classpath with Spark's "provided" jars: there is no
# spark-submit here to bring them. One reactor run, so that core comes from core/target/classes, not from
# whatever snapshot another checkout installed into ~/.m2.
CP_FILE=spark-jobs/target/classpath.txt
if [ ! -f "$CP_FILE" ] || [ ! -d spark-jobs/target/classes ] \
   || [ -n "$(find core/src spark-jobs/src pom.xml core/pom.xml spark-jobs/pom.xml -newer "$CP_FILE" -print -quit)" ]; then
  echo "building ..." >&2
  mvn -q -B -pl spark-jobs -am compile dependency:build-classpath \
    -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=compile >&2
  touch "$CP_FILE" # the plugin leaves an unchanged file alone, which would mean a rebuild every run
fi
if [ ! -f "spark-jobs/target/classes/io/sparkdiffusion/jobs/$class.class" ]; then
  echo "run-local.sh: job '$job' ($class) does not exist yet in this build" >&2
  exit 2
fi

. scripts/java-flags.sh
flags=("${SPARK_DIFFUSION_JAVA_FLAGS[@]}" "${job_flags[@]}")
if [ -n "${DRIVER_MEMORY:-}" ]; then
  flags+=("-Xmx$DRIVER_MEMORY") # the last -Xmx wins
fi
if [ -n "${JAVA_OPTS:-}" ]; then
  read -r -a extra <<< "$JAVA_OPTS"
  flags+=("${extra[@]}")
fi
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
export SPARK_LOCAL_IP="${SPARK_LOCAL_IP:-127.0.0.1}" # else Spark warns and may bind to another interface
exec java "${flags[@]}" \
  -Dspark.master="${SPARK_MASTER:-local[*]}" \
  -Dlog4j2.configurationFile=conf/log4j2.properties \
  -cp "spark-jobs/target/classes:$(cat "$CP_FILE")" "io.sparkdiffusion.jobs.$class" "$@"
