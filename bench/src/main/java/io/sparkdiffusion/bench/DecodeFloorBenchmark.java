package io.sparkdiffusion.bench;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import javax.imageio.ImageIO;

import io.sparkdiffusion.image.ImagePreparer;
import io.sparkdiffusion.image.PrepareOptions;

/**
 * The floor PrepareJob is measured against: the same files read and decoded by plain ImageIO in one JVM, no
 * Spark, with 1 and with N threads; and, for reference, our whole per-file path ({@link ImagePreparer}:
 * decode, convert, hash, resize) the same way.
 *
 * <pre>DecodeFloorBenchmark DIR [THREADS] [SIZE] [CHANNELS]</pre>
 * Prints one line per mode: files, seconds, this JVM's CPU seconds meanwhile (on a shared machine the fairer
 * base), images/s. Files are listed and read from disk inside the timed part, as the job must.
 */
public final class DecodeFloorBenchmark {

    private DecodeFloorBenchmark() {
    }

    @FunctionalInterface
    private interface PerFile {
        boolean handle(byte[] bytes) throws IOException;
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : Runtime.getRuntime().availableProcessors();
        int size = args.length > 2 ? Integer.parseInt(args[2]) : 28;
        int channels = args.length > 3 ? Integer.parseInt(args[3]) : 1;
        ImageIO.setUseCache(false);
        PerFile imageIo = bytes -> {
            BufferedImage img = ImageIO.read(new ByteArrayInputStream(bytes));
            return img != null;
        };
        PrepareOptions options = new PrepareOptions(size, channels, 0, 100_000_000);
        ThreadLocal<ImagePreparer> preparers = ThreadLocal.withInitial(() -> new ImagePreparer(options));
        PerFile prepare = bytes -> preparers.get().prepare(bytes).ok();
        // A whole pass each before timing: after 2,000 files the JIT had not finished, and the first timed pass ran
        // ~1.5-2x slower than a second one.
        run("warm-up imageio", dir, 1, imageIo, Long.MAX_VALUE);
        run("warm-up prepare", dir, 1, prepare, Long.MAX_VALUE);
        run("imageio-decode", dir, 1, imageIo, Long.MAX_VALUE);
        run("imageio-decode", dir, threads, imageIo, Long.MAX_VALUE);
        run("image-preparer", dir, 1, prepare, Long.MAX_VALUE);
        run("image-preparer", dir, threads, prepare, Long.MAX_VALUE);
    }

    private static void run(String mode, Path dir, int threads, PerFile perFile, long limit) throws Exception {
        long start = System.nanoTime();
        long cpuStart = cpuNanos();
        List<Path> files;
        try (Stream<Path> walk = Files.walk(dir)) {
            files = walk.filter(Files::isRegularFile).limit(limit).toList();
        }
        AtomicLong ok = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        int chunk = (files.size() + threads - 1) / threads;
        List<Future<?>> parts = new java.util.ArrayList<>();
        for (int t = 0; t < threads; t++) {
            List<Path> mine = files.subList(Math.min(files.size(), t * chunk), Math.min(files.size(), (t + 1) * chunk));
            parts.add(pool.submit(() -> {
                for (Path file : mine) {
                    try {
                        if (perFile.handle(Files.readAllBytes(file))) {
                            ok.incrementAndGet();
                        }
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            }));
        }
        for (Future<?> part : parts) {
            part.get();
        }
        pool.shutdown();
        double seconds = (System.nanoTime() - start) / 1e9;
        double cpuSeconds = (cpuNanos() - cpuStart) / 1e9;
        if (!mode.startsWith("warm-up")) {
            System.out.printf("%-15s threads=%d files=%d decoded=%d seconds=%.2f cpu-seconds=%.2f images/s=%.0f%n", mode,
                    threads, files.size(), ok.get(), seconds, cpuSeconds, files.size() / seconds);
        }
    }

    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }
}
