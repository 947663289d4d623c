# Sourced by the scripts: JVM flags for running the project's classes with plain `java`.
# Spark on Java 17 needs the module openings of org.apache.spark.launcher.JavaModuleOptions;
# stock spark-submit adds them itself, every other JVM that runs Spark code needs them on its command line.
SPARK_JAVA17_FLAGS=(
  -XX:+IgnoreUnrecognizedVMOptions
  --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/sun.nio.cs=ALL-UNNAMED
  --add-opens=java.base/sun.security.action=ALL-UNNAMED --add-opens=java.base/sun.util.calendar=ALL-UNNAMED
  --add-opens=java.security.jgss/sun.security.krb5=ALL-UNNAMED -Djdk.reflect.useDirectMethodHandle=false
)
# glibc's malloc keeps the pages of freed native memory (ND4J's arrays, libnd4j's temporaries) in its arenas instead
# of returning them: a training JVM's native part held ~0.7 GB of free pages and grew with every heap expansion. The
# JVM returns them to the OS every 30 s (malloc_trim); every 5 s cost ~10 % of training throughput under load for no
# lower resident set. Measured in bench/results/readme-until-2026-12-07.md, "Memory of a training JVM". JVMs before 17.0.9 lack the flag and
# ignore it (-XX:+IgnoreUnrecognizedVMOptions above).
NATIVE_HEAP_FLAGS=(-XX:TrimNativeHeapInterval=30000)
# ... plus the heap and the off-heap limit, where ND4J keeps its arrays.
SPARK_DIFFUSION_JAVA_FLAGS=(
  "${SPARK_JAVA17_FLAGS[@]}" "${NATIVE_HEAP_FLAGS[@]}"
  -Xmx4g -Dorg.bytedeco.javacpp.maxbytes=8g -Dorg.bytedeco.javacpp.maxphysicalbytes=12g
)
# OpenMP threads of ND4J/oneDNN wait passively (sleep) instead of spinning: on a machine shared with other work,
# GNU OpenMP's default spin-waiting lets threads burn their time slices waiting for a descheduled partner
# (measured: +30 % training images per CPU-second under load; PyTorch's reference sets the same).
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"

# PrepareJob's JVM lives seconds and runs each of a great many code paths (listing, decoding, Spark's row
# conversions, shuffle, Parquet) just long enough for the optimizing C2 compiler to spend more CPU compiling them
# than its code saves: on the 70,000-file tree C2 took ~8 of the job's ~20 CPU-seconds, and with the quick C1
# compiler alone the tasks' own CPU time was the same. It is a throughput batch job: the parallel collector
# spares it G1's concurrent marking and write barriers (~1.5 of the remaining ~11 CPU-seconds). Measured in
# bench/results/readme-until-2026-12-07.md, "PrepareJob vs the decode-only floor". JAVA_OPTS="-XX:TieredStopAtLevel=4 -XX:-UseParallelGC"
# undoes both. Spark's classes fill ~110 MB of metaspace, and every time the default threshold (~21 MB, then raised
# step by step) is crossed the parallel collector runs a full collection: 4 of them, ~0.6 s, in a 70,000-file run.
# Starting the threshold at 256 MB leaves only the young collections. A run over millions of files is another matter:
# in the job's steady state C2 was 1.3x faster than C1 (bench/results/readme-until-2026-12-07.md, "Warm"); JAVA_OPTS=-XX:TieredStopAtLevel=4.
PREPARE_JAVA_FLAGS=(-XX:TieredStopAtLevel=1 -XX:+UseParallelGC -XX:MetaspaceSize=256m)
