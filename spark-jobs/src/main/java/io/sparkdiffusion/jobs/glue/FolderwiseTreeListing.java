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
 * and the files right under the root, if any, by one more source that names them. Spark skips names starting
 * with {@code _} or {@code .} below a source's root; the top level is filtered here by the same rule. A folder
 * that Spark would read as a streaming sink's output (it holds {@code _spark_metadata}) is read as such only when
 * it is a source's root: a tree with one at the top or in a top folder is listed by one source, as before.
 */
public final class FolderwiseTreeListing {
    static final String THRESHOLD_KEY = "spark.sql.sources.parallelPartitionDiscovery.threshold";

    private FolderwiseTreeListing() {
    }

    /** Every file below {@code root} (recursively) whose name matches the Hadoop glob {@code glob}. */
    public static List<FileStatus> list(SparkSession spark, Path root, String glob) throws IOException {
        return list(spark, root, glob, Runtime.getRuntime().availableProcessors());
    }

    /** As {@link #list(SparkSession, Path, String)}, with at most {@code cores} folders listed at a time. */
    static List<FileStatus> list(SparkSession spark, Path root, String glob, int cores) throws IOException {
        FileSystem fs = root.getFileSystem(spark.sparkContext().hadoopConfiguration());
        if (!fs.getFileStatus(root).isDirectory()) {
            return new BinaryFileTree(spark, root, glob).listing();
        }
        List<Path> folders = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        boolean sinkOutput = false;
        for (FileStatus child : fs.listStatus(root)) {
            String name = child.getPath().getName();
            sinkOutput |= name.equals(FileStreamSink.metadataDir());
            if (!HadoopFSUtils.shouldFilterOutPathName(name)) {
                (child.isDirectory() ? folders : files).add(child.getPath());
            }
        }
        int threads = Math.min(folders.size() + (files.isEmpty() ? 0 : 1), cores);
        if (sinkOutput || threads < 2 || folders.size() > Integer.parseInt(spark.conf().get(THRESHOLD_KEY))) {
            return new BinaryFileTree(spark, root, glob).listing();
        }
        List<Callable<Optional<List<FileStatus>>>> parts = new ArrayList<>();
        for (Path folder : folders) {
            parts.add(() -> isSinkOutput(spark, folder) ? Optional.empty()
                    : Optional.of(new BinaryFileTree(spark, List.of(folder), glob).listing()));
        }
        if (!files.isEmpty()) { // more than one path: Spark looks for no sink metadata
            parts.add(() -> Optional.of(new BinaryFileTree(spark, files, glob).listing()));
        }
        return concurrently(parts, threads).orElseGet(() -> new BinaryFileTree(spark, root, glob).listing());
    }

    private static boolean isSinkOutput(SparkSession spark, Path folder) {
        return FileStreamSink.hasMetadata(JavaConverters.asScalaBuffer(List.of(folder.toString())).toSeq(),
                spark.sparkContext().hadoopConfiguration(), spark.sessionState().conf());
    }

    /** All parts' files, or empty when a part is. */
    private static Optional<List<FileStatus>> concurrently(List<Callable<Optional<List<FileStatus>>>> parts, int threads)
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
            // Spark's own error (a folder that vanished, a permission) as the single listing would have thrown it
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw new IOException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }
}
