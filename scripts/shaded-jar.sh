# Sourced by the scripts: the jar users hand to spark-submit, SPARK_DIFFUSION_JAR (default
# spark-jobs/target/spark-diffusion.jar, built with `mvn package`, tests skipped, when it is missing; rebuild
# it yourself after changing the sources).
if [ -n "${SPARK_DIFFUSION_JAR:-}" ]; then
  if [ ! -f "$SPARK_DIFFUSION_JAR" ]; then
    echo "SPARK_DIFFUSION_JAR=$SPARK_DIFFUSION_JAR does not exist" >&2
    exit 2
  fi
else
  SPARK_DIFFUSION_JAR=spark-jobs/target/spark-diffusion.jar
  if [ ! -f "$SPARK_DIFFUSION_JAR" ]; then
    echo "building $SPARK_DIFFUSION_JAR ..." >&2
    mvn -q -B -pl spark-jobs -am package -DskipTests >&2
  fi
fi
