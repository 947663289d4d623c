#!/usr/bin/env bash
# Runs one Spark job on local Spark (in this JVM, master local[*]) from the built modules' classpath.
#   scripts/run-local.sh JOB [--config FILE] [--set key=value ...] [--help]
# JOB is prepare, train, sample, augment or evaluate. Environment:
#   SPARK_MASTER           Spark master (default local[*]); a job's <job>.spark-master key wins over it
#   DRIVER_MEMORY          driver heap, e.g. 512m (default: the 4g of scripts/java-flags.sh)
#   JAVA_OPTS              more JVM options, e.g. -Xlog:gc:file=gc.log (given last: they win over a job's own)
#   SPARK_DIFFUSION_CDS    prepare only: class data sharing archive of the JVM (spark-jobs/target/cds/prepare.jsa).
#                          auto (default): used when it exists and matches this build; dump: this run writes it
#                          (replaced only when the job succeeds; the run is slower by the dump); off: not used
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
. scripts/java-flags.sh
# prepare: PREPARE_JAVA_FLAGS of scripts/java-flags.sh (JIT, collector and metaspace for a job of seconds).
job_flags=()
case "$job" in
  prepare) class=PrepareJob; job_flags=("${PREPARE_JAVA_FLAGS[@]}") ;;
  train) class=TrainJob ;;
  sample) class=SampleJob ;;
  augment) class=AugmentJob ;;
  evaluate) class=EvaluateJob ;;
  -h|--help) usage; exit 0 ;;
  *) echo "run-local.sh: unknown job '$job' (expected prepare, train, sample, augment or evaluate)" >&2; exit 2 ;;
esac

# Build (when sources changed) and write the classpath with Spark's "provided" jars: there is no
# spark-submit here to bring them. One reactor run, so that core comes from core/target/classes, not from
# whatever snapshot another checkout installed into ~/.m2; nothing is installed there either. It goes to
# test-compile, not compile: dependency:build-classpath resolves spark-jobs' test dependencies too, core's
# test-jar among them, which the reactor only provides (as core/target/test-classes) once core's tests are
# compiled; a compile reactor finds it nowhere on a machine whose ~/.m2 has no artifact of this project.
# excludeClassifiers=tests keeps that directory off the jobs' classpath.
CP_FILE=spark-jobs/target/classpath.txt
if [ ! -f "$CP_FILE" ] || [ ! -d spark-jobs/target/classes ] \
   || [ -n "$(find core/src spark-jobs/src pom.xml core/pom.xml spark-jobs/pom.xml -newer "$CP_FILE" -print -quit)" ]; then
  echo "building ..." >&2
  mvn -q -B -pl spark-jobs -am test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=compile -DexcludeClassifiers=tests >&2
  touch "$CP_FILE" # the plugin leaves an unchanged file alone, which would mean a rebuild every run
fi
if [ ! -f "spark-jobs/target/classes/io/sparkdiffusion/jobs/$class.class" ]; then
  echo "run-local.sh: job '$job' ($class) does not exist yet in this build" >&2
  exit 2
fi

flags=("${SPARK_DIFFUSION_JAVA_FLAGS[@]}" "${job_flags[@]}")
if [ -n "${DRIVER_MEMORY:-}" ]; then
  flags+=("-Xmx$DRIVER_MEMORY") # the last -Xmx wins
fi
if [ -n "${JAVA_OPTS:-}" ]; then
  read -r -a extra <<< "$JAVA_OPTS"
  flags+=("${extra[@]}")
fi
classpath="spark-jobs/target/classes:$(cat "$CP_FILE")"

# Class data sharing (prepare only): a short job spends a large part of its CPU time loading, parsing and verifying
# ~12,000 classes (Spark, Scala, Hadoop, Parquet) from ~200 jars. A dynamic archive written by one run
# (-XX:ArchiveClassesAtExit) maps them ready-made into the next ones: a quarter less CPU time for PrepareJob on 4,000
# photos, half the start-up (bench/README.md, "PrepareJob's local fast paths"). The JVM archives classes from jars
# only, so the class directories of this build are packed into jars first; it checks those jars against the archive
# and ignores an archive that no longer matches, which is also checked here (then the run goes without it, as with
# SPARK_DIFFUSION_CDS=off).
cds="${SPARK_DIFFUSION_CDS:-auto}"
dump=""
if [ "$job" = prepare ] && [ "$cds" != off ]; then
  cds_dir=spark-jobs/target/cds
  archive="$cds_dir/prepare.jsa"
  mkdir -p "$cds_dir"
  jarred=()
  IFS=: read -r -a entries <<< "$classpath"
  for entry in "${entries[@]}"; do
    if [ -d "$entry" ]; then
      jar_file="$cds_dir/$(basename "$(dirname "$(dirname "$entry")")")-classes.jar" # <module>/target/classes
      if [ ! -f "$jar_file" ] || [ -n "$(find "$CP_FILE" "$entry" -newer "$jar_file" -print -quit)" ]; then
        rm -f "$archive"
        jar --create --file "$jar_file" -C "$entry" .
      fi
      entry="$jar_file"
    fi
    jarred+=("$entry")
  done
  if [ "$cds" = dump ]; then
    dump="$archive.tmp-$$"
    flags+=("-XX:ArchiveClassesAtExit=$dump" "-Xlog:cds*=error") # it lists every class it cannot keep
    classpath="$(IFS=:; echo "${jarred[*]}")"
  elif [ -f "$archive" ] && [ -z "$(find "$CP_FILE" "${jarred[@]}" -newer "$archive" -print -quit)" ]; then
    flags+=("-XX:SharedArchiveFile=$archive")
    classpath="$(IFS=:; echo "${jarred[*]}")"
  fi
fi

export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
export SPARK_LOCAL_IP="${SPARK_LOCAL_IP:-127.0.0.1}" # else Spark warns and may bind to another interface
command=(java "${flags[@]}" -Dspark.master="${SPARK_MASTER:-local[*]}" -Dlog4j2.configurationFile=conf/log4j2.properties
  -cp "$classpath" "io.sparkdiffusion.jobs.$class" "$@")
if [ -z "$dump" ]; then
  exec "${command[@]}"
fi
status=0
"${command[@]}" || status=$?
if [ "$status" -eq 0 ] && [ -f "$dump" ]; then
  mv -f "$dump" "$archive"
else
  rm -f "$dump"
fi
exit "$status"
