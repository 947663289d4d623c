# Sourced by the scripts: builds core (once, or when its sources changed) and sets CORE_CLASSPATH.
# In the reactor, installing nothing into ~/.m2: a build that works only after an install fails on a fresh machine.
CORE_CP_FILE=core/target/classpath.txt
if [ ! -f core/target/classes/reference.conf ] || [ ! -f "$CORE_CP_FILE" ] \
   || [ -n "$(find core/src pom.xml core/pom.xml -newer "$CORE_CP_FILE" -print -quit)" ]; then
  echo "building core ..." >&2
  mvn -q -B -pl core compile dependency:build-classpath -Dmdep.outputFile=target/classpath.txt >&2
  touch "$CORE_CP_FILE" # the plugin leaves an unchanged file alone, which would mean a rebuild every run
fi
CORE_CLASSPATH="core/target/classes:$(cat "$CORE_CP_FILE")"
