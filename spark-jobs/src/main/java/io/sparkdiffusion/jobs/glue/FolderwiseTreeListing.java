package io.sparkdiffusion.jobs.glue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.execution.streaming.FileStreamSink;
import org.apache.spark.util.HadoopFSUtils;
import scala.collection.JavaConverters;

/**
 * The files of a tree as one {@link BinaryFileTree} over its root lists them, with the driver's cores working
 * together where Spark would use one. Spark lists a tree on the driver, one folder after another, when its top
 * holds no more than {@value #THRESHOLD_KEY} folders (32 by default; above that it lists them in a Spark job),
 * and then builds its file index (every path hashed into a map, grouped by folder, matched against the glob) on
 * the driver too: for 70,000 small images ~0.5 s of one core, most of it the index, while the executors wait.
 * Such a tree is listed here one top folder per binaryFile source, as many at a time as the driver has cores,
 * and the files right under the root, if any, by one more source that names them.
 *
 * <p>Where a source's root would not read as it does inside the tree, the tree is listed by one source, as before:
 * a top-level name with glob characters (Spark expands a source's root as a glob, never the names it lists), and a
 * streaming sink's output ({@code _spark_metadata}, which Spark honours only at a source's root) at the top or in a
 * top folder. Spark skips names starting with {@code _} or {@code .} below a source's root; the top level is
 * filtered here by the same rule.
 */
public final class FolderwiseTreeListing {
    static final String THRESHOLD_KEY = "spark.sql.sources.parallelPartitionDiscovery.threshold";
    private static final String GLOB_CHARACTERS = "{}[]*?\\";

    private FolderwiseTreeListing() {
    }

    /** Every file below {@code root} (recursively) whose name matches the Hadoop glob {@code glob}. */
    public static List<FileStatus> list(SparkSession spark, Path root, String glob) throws IOException {
        return list(spark, root, glob, Runtime.getRuntime().availableProcessors());
    }

    /** As {@link #list(SparkSession, Path, String)}, with at most {@code cores} sources listed at a time. */
    static List<FileStatus> list(SparkSession spark, Path root, String glob, int cores) throws IOException {
        if (cores < 2) {
            return new BinaryFileTree(spark, root, glob).listing();
        }
        FileSystem fs = root.getFileSystem(spark.sparkContext().hadoopConfiguration());
        List<List<Path>> sources = sources(fs, root, Integer.parseInt(spark.conf().get(THRESHOLD_KEY)));
        if (sources.size() < 2) {
            return new BinaryFileTree(spark, root, glob).listing();
        }
        List<Callable<Optional<List<FileStatus>>>> parts = new ArrayList<>();
        for (List<Path> paths : sources) {
            parts.add(() -> paths.size() == 1 && isSinkOutput(spark, paths.get(0)) ? Optional.empty()
                    : Optional.of(new BinaryFileTree(spark, paths, glob).listing()));
        }
        Optional<List<FileStatus>> listed = concurrently(parts, Math.min(cores, parts.size()));
        return listed.isPresent() ? listed.get() : new BinaryFileTree(spark, root, glob).listing();
    }

    /**
     * The roots of the binaryFile sources that list the tree: each top folder alone, then the top-level files
     * together; or just {@code root} where one source must list it (a file, a single folder or none, names Spark
     * would expand as globs, a sink's output at the top, more top folders or files than Spark lists serially).
     */
    static List<List<Path>> sources(FileSystem fs, Path root, int serialThreshold) throws IOException {
        List<List<Path>> one = List.of(List.of(root));
        if (!fs.getFileStatus(root).isDirectory()) {
            return one;
        }
        List<List<Path>> sources = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        for (FileStatus child : fs.listStatus(root)) {
            String name = child.getPath().getName();
            if (name.equals(FileStreamSink.metadataDir()) || name.chars().anyMatch(c -> GLOB_CHARACTERS.indexOf(c) >= 0)) {
                return one;
            }
            if (!HadoopFSUtils.shouldFilterOutPathName(name)) {
                if (child.isDirectory()) {
                    sources.add(List.of(child.getPath()));
                } else {
                    files.add(child.getPath());
                }
            }
        }
        if (sources.size() > serialThreshold || files.size() > serialThreshold) {
            return one;
        }
        if (!files.isEmpty()) {
            sources.add(List.copyOf(files));
        }
        return sources.size() < 2 ? one : sources;
    }

    /** Whether Spark reads {@code folder}, as a source's root, as a streaming sink's output. */
    private static boolean isSinkOutput(SparkSession spark, Path folder) {
        return FileStreamSink.hasMetadata(JavaConverters.asScalaBuffer(List.of(folder.toString())).toSeq(),
                spark.sparkContext().hadoopConfiguration(), spark.sessionState().conf());
    }

    /**
     * All parts' files in the parts' order, or empty when a part is; a part's exception is thrown as it is (Spark's
     * AnalysisException, checked in Java's eyes, included), as the single listing would have thrown it.
     */
    static Optional<List<FileStatus>> concurrently(List<Callable<Optional<List<FileStatus>>>> parts, int threads)
            throws IOException {
        AtomicInteger made = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads, task -> {
            Thread thread = new Thread(task, "tree-listing-" + made.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        try {
            List<Future<Optional<List<FileStatus>>>> listed = new ArrayList<>();
            for (Callable<Optional<List<FileStatus>>> part : parts) {
                listed.add(pool.submit(part));
            }
            List<FileStatus> all = new ArrayList<>();
            for (Future<Optional<List<FileStatus>>> part : listed) {
                Optional<List<FileStatus>> files = part.get();
                if (files.isEmpty()) {
                    return Optional.empty();
                }
                all.addAll(files.get());
            }
            return Optional.of(all);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while listing", e);
        } catch (ExecutionException e) {
            throw FolderwiseTreeListing.<RuntimeException>unchanged(e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    /** Throws {@code t} as it is, checked or not (the compiler takes it for a {@code T}). */
    @SuppressWarnings("unchecked")
    private static <T extends Throwable> T unchanged(Throwable t) throws T {
        throw (T) t;
    }
}
