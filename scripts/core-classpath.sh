# Sourced by the scripts: builds core (once, or when its sources changed) and sets CORE_CLASSPATH.
CORE_CP_FILE=core/target/classpath.txt
if [ ! -f core/target/classes/reference.conf ] || [ ! -f "$CORE_CP_FILE" ] \
   || [ -n "$(find core/src pom.xml core/pom.xml -newer "$CORE_CP_FILE" -print -quit)" ]; then
  echo "building core ..." >&2
  mvn -q -B -pl core -am install -DskipTests >&2
  mvn -q -B -pl core dependency:build-classpath -Dmdep.outputFile=target/classpath.txt >&2
fi
CORE_CLASSPATH="core/target/classes:$(cat "$CORE_CP_FILE")"
