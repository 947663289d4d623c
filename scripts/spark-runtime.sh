# Sourced by the scripts: Spark from the Maven jars, for machines without a Spark distribution. Resolves the
# spark-runtime module (Spark core and SQL, Scala, the Hadoop client: what a cluster provides to the shaded
# jar) once, or when its POM changed, and sets SPARK_RUNTIME_CLASSPATH (jar paths separated by ':').
SPARK_RUNTIME_CP_FILE=spark-runtime/target/classpath.txt
if [ ! -s "$SPARK_RUNTIME_CP_FILE" ] || [ -n "$(find pom.xml spark-runtime/pom.xml -newer "$SPARK_RUNTIME_CP_FILE" -print -quit)" ]; then
  echo "resolving the Spark runtime jars ..." >&2
  mvn -q -B -pl spark-runtime generate-resources >&2
  touch "$SPARK_RUNTIME_CP_FILE" # the plugin leaves an unchanged file alone
fi
SPARK_RUNTIME_CLASSPATH="$(cat "$SPARK_RUNTIME_CP_FILE")"
