package io.sparkdiffusion.jobs;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import io.sparkdiffusion.data.PreparedManifest;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * One local[2] SparkSession for all PrepareJob tests ({@link SparkPrepareTest} starts and stops it around a test
 * class), and helpers to run the job and read what it wrote.
 */
abstract class PrepareJobTestSupport {
    static SparkSession spark;

    static {
        // Start logging now: its console appender keeps the System.err it first sees, and that must not be
        // the stream a test swaps in to catch the job's one-line messages.
        org.slf4j.LoggerFactory.getLogger(PrepareJobTestSupport.class).debug("logging started");
    }

    /** Exit code and stderr of one run. */
    record Run(int exitCode, String stderr) {
        List<String> stderrLines() {
            return stderr.lines().filter(l -> !l.isBlank()).toList();
        }
    }

    static void startSpark() {
        spark = SparkSession.builder().master("local[2]").appName("prepare-test")
                .config("spark.ui.enabled", "false")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.sql.shuffle.partitions", "4")
                .getOrCreate();
    }

    static void stopSpark() {
        if (spark != null) {
            spark.stop();
        }
    }

    static Run prepare(Path input, Path output, String... sets) {
        List<String> args = new ArrayList<>(List.of("--set", "prepare.input=" + input, "--set", "prepare.output=" + output));
        for (String set : sets) {
            args.add("--set");
            args.add(set);
        }
        return capture(() -> PrepareJob.run(args.toArray(String[]::new)));
    }

    /** Runs a job's {@code run} and catches what it printed on stderr. */
    static Run capture(java.util.function.IntSupplier job) {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            int code = job.getAsInt();
            return new Run(code, captured.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(original);
        }
    }

    static PreparedManifest manifest(Path output) throws IOException {
        try (InputStream in = Files.newInputStream(output.resolve("manifest.json"))) {
            return PreparedManifest.read(in);
        }
    }

    /** All shard rows (tests only: a few dozen). */
    static List<Row> shardRows(Path output) {
        return spark.read().parquet(output.resolve("shards").toString()).orderBy("source").collectAsList();
    }

    /** JSON-lines rows of rejects/ or duplicates/, ordered by source. */
    static List<Row> jsonRows(Path output, String dir) {
        return spark.read().json(output.resolve(dir).toString()).orderBy("source").collectAsList();
    }

    static void write(Path file, byte[] bytes) throws IOException {
        Files.createDirectories(file.getParent());
        Files.write(file, bytes);
    }

    /** Files and folders in a directory (to show that a failed run left nothing behind); Hadoop's .crc side files aside. */
    static List<String> listing(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> !n.endsWith(".crc")).sorted().toList();
        }
    }

    static String uri(Path file) {
        return "file:" + file.toAbsolutePath();
    }
}
