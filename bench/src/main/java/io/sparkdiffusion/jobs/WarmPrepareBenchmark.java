package io.sparkdiffusion.jobs;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import io.sparkdiffusion.data.PreparedManifest;
import io.sparkdiffusion.jobs.session.SparkSessions;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * PrepareJob's steady state: the whole job ({@link PrepareJob#run}: settings, listing, decoding, duplicates,
 * shards, rejects, manifest, {@code _SUCCESS}) run several times in one JVM and one Spark application, each time
 * into a fresh output directory. The first run pays for class loading, JIT compilation and Spark's first jobs, as
 * a cold job does; the later ones show the rate a long job settles at, which is what the warm decode-only floor
 * ({@code DecodeFloorBenchmark}) is measured at.
 *
 * <pre>WarmPrepareBenchmark CORPUS OUT_DIR RUNS [--set prepare.key=value ...]</pre>
 * The master is {@code -Dspark.master} (default {@code local[2]}). Prints one line per run: wall seconds, this JVM's
 * CPU seconds, input files and images/s (input files per wall second, as bench/prepare.sh counts the cold job).
 *
 * <p>In PrepareJob's package (in the bench module, not in the product) for {@link PrepareJob#localDefaults()}: the
 * session it makes here must be the one PrepareJob would make, and PrepareJob keeps those settings to itself.
 */
public final class WarmPrepareBenchmark {

    private WarmPrepareBenchmark() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 3) {
            System.err.println("usage: WarmPrepareBenchmark CORPUS OUT_DIR RUNS [--set prepare.key=value ...]");
            System.exit(2);
        }
        String corpus = args[0];
        Path outDir = new Path(args[1]);
        int runs = Integer.parseInt(args[2]);
        List<String> extra = Arrays.asList(args).subList(3, args.length);
        Configuration conf = new Configuration();
        FileSystem fs = outDir.getFileSystem(conf);
        String master = System.getProperty("spark.master", "local[2]");
        // The session PrepareJob would make; every run finds it and leaves it running.
        try (SparkSessions spark = SparkSessions.open("prepare", Optional.of(master), PrepareJob.localDefaults())) {
            for (int run = 1; run <= runs; run++) {
                Path output = new Path(outDir, "run-" + run);
                List<String> jobArgs = new ArrayList<>(List.of("--set", "prepare.input=" + corpus,
                        "--set", "prepare.output=" + output, "--set", "prepare.overwrite=true"));
                jobArgs.addAll(extra);
                long wallStart = System.nanoTime();
                long cpuStart = cpuNanos();
                int code = PrepareJob.run(jobArgs.toArray(String[]::new));
                double seconds = (System.nanoTime() - wallStart) / 1e9;
                double cpuSeconds = (cpuNanos() - cpuStart) / 1e9;
                if (code != 0) {
                    System.err.println("WarmPrepareBenchmark: run " + run + " failed with exit code " + code);
                    System.exit(code);
                }
                long files = manifest(fs, output).files();
                System.out.printf("warm-prepare run=%d seconds=%.2f cpu-seconds=%.2f files=%d images/s=%.0f%n",
                        run, seconds, cpuSeconds, files, files / seconds);
                fs.delete(output, true);
            }
        }
    }

    private static PreparedManifest manifest(FileSystem fs, Path output) throws IOException {
        try (InputStream in = fs.open(new Path(output, PreparedManifest.FILE_NAME))) {
            return PreparedManifest.read(in);
        }
    }

    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }
}
