# Sourced by the bench scripts: builds the bench module (with core and spark-jobs, in one reactor run that installs
# nothing into ~/.m2) when a source changed, and sets BENCH_CLASSPATH: the benchmarks' classes, the jobs' and core's,
# and every library with Spark's "provided" jars (there is no spark-submit here to bring them). As in
# scripts/run-local.sh, test-compile makes core's test classes that the reactor resolves spark-jobs' test-jar to;
# excludeClassifiers=tests keeps them off the classpath.
BENCH_CP_FILE=bench/target/classpath.txt
if [ ! -f "$BENCH_CP_FILE" ] || [ ! -d bench/target/classes ] \
   || [ -n "$(find core/src spark-jobs/src bench/src pom.xml core/pom.xml spark-jobs/pom.xml bench/pom.xml \
        -newer "$BENCH_CP_FILE" -print -quit)" ]; then
  echo "building the bench module ..." >&2
  mvn -q -B -pl bench -am test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=compile -DexcludeClassifiers=tests >&2
  touch "$BENCH_CP_FILE" # the plugin leaves an unchanged file alone, which would mean a rebuild every run
fi
BENCH_CLASSPATH="bench/target/classes:$(cat "$BENCH_CP_FILE")"
