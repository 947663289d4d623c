# Sourced by the scripts: JVM flags for running the project's classes with plain `java`.
# Spark on Java 17 needs the module openings of org.apache.spark.launcher.JavaModuleOptions (DESIGN.md);
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
# lower resident set. Measured in bench/README.md, "Memory of a training JVM". JVMs before 17.0.9 lack the flag and
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
