package io.sparkdiffusion.jobs;

import io.sparkdiffusion.checkpoint.CheckpointInfo;
import io.sparkdiffusion.checkpoint.CheckpointStore;
import io.sparkdiffusion.image.ImageShape;
import io.sparkdiffusion.model.UNetBuilder;
import io.sparkdiffusion.model.UNetSpec;
import io.sparkdiffusion.schedule.ScheduleSpec;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Tiny checkpoints and output comparisons for the SampleJob and AugmentJob tests. */
final class GenerationFixtures {
    private GenerationFixtures() {
    }

    /**
     * A run directory with one checkpoint of a tiny untrained U-Net for grey 8x8 images (weights moved off their
     * init, EMA different from the raw weights), T = 100.
     *
     * @param classNames empty for an unconditional model
     * @param infoShape  the image shape written into checkpoint.json (normally 1x8x8)
     */
    static Path checkpoint(Path runDir, List<String> classNames, ImageShape infoShape) throws Exception {
        return checkpoint(runDir, classNames, 8, infoShape);
    }

    /** As above, for grey images of the given side. */
    static Path checkpoint(Path runDir, List<String> classNames, int size, ImageShape infoShape) throws Exception {
        UNetSpec spec = new UNetSpec(1, size, 8, List.of(1, 2), 1, 4, 16, classNames.size(), false,
                UNetSpec.Prediction.EPSILON);
        ComputationGraph network = UNetBuilder.network(spec, new Adam(1e-3), 5);
        Nd4j.getRandom().setSeed(6);
        network.params().addi(Nd4j.randn(DataType.FLOAT, network.params().shape()).muli(0.05));
        INDArray ema = network.params().dup().addi(Nd4j.randn(DataType.FLOAT, network.params().shape()).muli(0.02));
        CheckpointInfo info = CheckpointInfo.of(40, 2, ScheduleSpec.linear(100), spec, infoShape, classNames)
                .withEma(0.999, 40);
        CheckpointStore.open(runDir.toUri(), new Configuration()).save(info, network, ema);
        return runDir;
    }

    static Path checkpoint(Path runDir, List<String> classNames) throws Exception {
        return checkpoint(runDir, classNames, new ImageShape(1, 8, 8));
    }

    /** Every regular file under dir (relative path → bytes), hidden files included. */
    static TreeMap<String, byte[]> files(Path dir) throws Exception {
        TreeMap<String, byte[]> out = new TreeMap<>();
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.filter(Files::isRegularFile).toList()) {
                out.put(dir.relativize(p).toString(), Files.readAllBytes(p));
            }
        }
        return out;
    }

    /** The PNGs under images/, relative path → bytes. */
    static TreeMap<String, byte[]> images(Path output) throws Exception {
        TreeMap<String, byte[]> out = new TreeMap<>(files(output.resolve("images")));
        out.keySet().removeIf(name -> !name.endsWith(".png"));
        return out;
    }

    /** Puts some of a finished run's images into another output, as a killed run would have left them. */
    static void copyImages(TreeMap<String, byte[]> images, List<String> names, Path output) throws Exception {
        for (String name : names) {
            Path target = output.resolve("images").resolve(name);
            Files.createDirectories(target.getParent());
            Files.write(target, images.get(name));
        }
    }

    /** The same files with the same bytes. */
    static void assertSameImages(TreeMap<String, byte[]> expected, TreeMap<String, byte[]> actual, String what) {
        assertEquals(expected.keySet(), actual.keySet(), what + ": exactly the planned images");
        for (String name : expected.keySet()) {
            assertArrayEquals(expected.get(name), actual.get(name), what + ": " + name);
        }
    }

    static String[] sets(List<String> sets) {
        List<String> args = new ArrayList<>();
        for (String set : sets) {
            args.add("--set");
            args.add(set);
        }
        return args.toArray(String[]::new);
    }

    /** Runs a job with stderr captured; returns the exit code and what it printed on stderr. */
    record Result(int code, String stderr) {
    }

    static Result capturingStderr(Callable<Integer> job) throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream old = System.err;
        System.setErr(new PrintStream(err, true));
        try {
            return new Result(job.call(), err.toString());
        } finally {
            System.setErr(old);
        }
    }
}
