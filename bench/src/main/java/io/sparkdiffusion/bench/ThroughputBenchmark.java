package io.sparkdiffusion.bench;

import io.sparkdiffusion.data.FashionMnist;
import io.sparkdiffusion.data.LabeledImages;
import io.sparkdiffusion.diffusion.ImageNoise;
import io.sparkdiffusion.train.TrainingBatchMaker;
import io.sparkdiffusion.image.ImageShape;
import io.sparkdiffusion.model.NetworkDenoiser;
import io.sparkdiffusion.model.UNetBuilder;
import io.sparkdiffusion.model.UNetSpec;
import io.sparkdiffusion.runtime.NativeArrays;
import io.sparkdiffusion.runtime.NativeRuntime;
import io.sparkdiffusion.sampling.DdimSampler;
import io.sparkdiffusion.schedule.NoiseSchedule;
import io.sparkdiffusion.schedule.ScheduleSpec;
import io.sparkdiffusion.train.Ema;
import io.sparkdiffusion.train.LocalTrainer;
import io.sparkdiffusion.train.ReplicatedGradientStep;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.Adam;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Training and DDIM-50 sampling throughput of the default denoiser, in the same modes and output format as
 * the PyTorch reference {@code bench/reference/ddpm_ref.py}, so {@code bench/run.sh} can run both side by side.
 *
 * <pre>ThroughputBenchmark [--shape CxS [--no-attention]] --bench-train N [--windows W] [--warmup K] [--batch B]
 *                     [--replicas R] [--workspaces M] [--native-sites S]
 * ThroughputBenchmark [--shape CxS [--no-attention]] --bench-sample [--sample-reps R] [--sample-n N]</pre>
 *
 * <p>{@code --shape CxS} (default 1x28): the U-Net {@link FlopReport#benchSpec} gives for that image shape, trained on
 * random images unless it is Fashion-MNIST's 1×28×28; {@code --no-attention} drops its self-attention (the PyTorch
 * reference has none). {@code --sample-n N}: images per sampling repetition, in one batch (default 256).
 *
 * <p>{@code --replicas R} splits every training batch across R threads ({@link io.sparkdiffusion.train.ReplicatedGradientStep}),
 * each with OMP_NUM_THREADS / R native threads. {@code --workspaces ENABLED|NONE}: DL4J's training workspace mode
 * (default ENABLED, as {@link UNetBuilder} builds it), to measure what ND4J's workspaces buy. {@code --native-sites S}:
 * after the warm-up, counts for S steps the native objects ND4J leaves to the collector, by call site
 * ({@link NativeObjectSites}).
 */
public final class ThroughputBenchmark {
    private static final int SAMPLE_BATCH = 256;
    private static final int DDIM_STEPS = 50;

    private ThroughputBenchmark() {
    }

    public static void main(String[] args) throws IOException {
        Locale.setDefault(Locale.ROOT);
        int trainSteps = 0;
        int windows = 5;
        int warmup = 3;
        int batch = 64;
        int replicas = 1;
        WorkspaceMode workspaces = WorkspaceMode.ENABLED;
        boolean sample = false;
        int sampleReps = 3;
        int siteSteps = 0;
        int[] shape = {1, 28};
        boolean attention = true;
        int sampleN = SAMPLE_BATCH;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--bench-train" -> trainSteps = Integer.parseInt(args[++i]);
                case "--windows" -> windows = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--batch" -> batch = Integer.parseInt(args[++i]);
                case "--replicas" -> replicas = Integer.parseInt(args[++i]);
                case "--workspaces" -> workspaces = WorkspaceMode.valueOf(args[++i]);
                case "--bench-sample" -> sample = true;
                case "--sample-reps" -> sampleReps = Integer.parseInt(args[++i]);
                case "--native-sites" -> siteSteps = Integer.parseInt(args[++i]);
                case "--shape" -> shape = FlopReport.parseShape(args[++i]);
                case "--no-attention" -> attention = false;
                case "--sample-n" -> sampleN = Integer.parseInt(args[++i]);
                default -> {
                    System.err.println("unknown argument " + args[i]);
                    System.exit(2);
                }
            }
        }
        NativeRuntime.init();
        UNetSpec spec = FlopReport.benchSpec(shape[0], shape[1], attention);
        ComputationGraph net = UNetBuilder.network(spec, new Adam(2e-4), 0);
        net.getConfiguration().setTrainingWorkspaceMode(workspaces);
        System.out.println("java " + System.getProperty("java.version") + " " + NativeRuntime.describe()
                + " OMP_NUM_THREADS=" + System.getenv("OMP_NUM_THREADS"));
        System.out.printf("params: %,d, training workspaces %s%n", net.numParams(), workspaces);
        System.out.println(spec);
        if (trainSteps > 0) {
            benchTrain(net, spec, trainSteps, windows, warmup, batch, replicas, siteSteps);
        }
        if (sample) {
            benchSample(net, spec, sampleReps, sampleN);
        }
    }

    private static void benchTrain(ComputationGraph net, UNetSpec spec, int steps, int windows, int warmup, int batch,
                                   int replicas, int siteSteps) throws IOException {
        NativeObjectSites sites = siteSteps > 0 ? NativeObjectSites.install() : null;
        LabeledImages data = trainingImages(new ImageShape(spec.imageChannels(), spec.imageSize(), spec.imageSize()));
        TrainingBatchMaker maker = new TrainingBatchMaker(spec, ScheduleSpec.DEFAULT, 0);
        int perReplica = ReplicatedGradientStep.threadsPerReplica(NativeRuntime.configuredOmpThreads(), replicas);
        int threads = replicas * perReplica; // the cores the run keeps busy, for the per-CPU-second figures
        LocalTrainer trainer = new LocalTrainer(net, maker, Ema.start(net.params(), Ema.Settings.of(0.999)), 0, batch)
                .withReplicas(replicas, perReplica);
        System.out.printf("replicas: %d x %d native threads%n", replicas, perReplica);
        SplittableRandom random = new SplittableRandom(0);
        Runnable step = () -> {
            int[] idx = random.ints(batch, 0, data.count()).toArray();
            INDArray x0 = data.batch(idx);
            trainer.fitBatch(x0, data.labels(idx), random.nextLong());
            NativeArrays.free(x0);
        };
        for (int i = 0; i < warmup; i++) {
            step.run();
        }
        if (sites != null) {
            sites.record(true);
            for (int i = 0; i < siteSteps; i++) {
                step.run();
            }
            sites.record(false);
            System.out.printf("native objects ND4J frees at garbage collection, by site, over %d steps:%n", siteSteps);
            sites.report(siteSteps).forEach(line -> System.out.println("  " + line));
        }
        List<Double> rates = new ArrayList<>();
        List<Double> cpuRates = new ArrayList<>();
        for (int w = 0; w < windows; w++) {
            long t0 = System.nanoTime();
            long c0 = processCpuNanos();
            for (int i = 0; i < steps; i++) {
                step.run();
            }
            double dt = (System.nanoTime() - t0) / 1e9;
            double cpu = (processCpuNanos() - c0) / 1e9;
            rates.add(steps * batch / dt);
            cpuRates.add(steps * batch / (cpu / threads));
            System.out.printf("  window %d: %7.1f img/s wall (%.1f ms/step), cpu-util %.2f cores, %7.1f img/s per %d CPU-s, "
                    + "loss %.4f, %s%n", w, rates.get(w), dt / steps * 1e3, cpu / dt, cpuRates.get(w), threads,
                    trainer.lastScore(), MemoryUse.now());
        }
        trainer.close();
        System.out.printf("TRAIN batch=%d: wall median %.1f img/s  min %.1f max %.1f;  CPU-time-normalised median %.1f img/s%n",
                batch, median(rates), min(rates), max(rates), median(cpuRates));
    }

    private static void benchSample(ComputationGraph net, UNetSpec spec, int reps, int n) {
        NoiseSchedule schedule = NoiseSchedule.of(ScheduleSpec.DEFAULT);
        NetworkDenoiser denoiser = new NetworkDenoiser(net, spec, schedule);
        DdimSampler ddim = new DdimSampler(schedule, DDIM_STEPS, 0.0);
        sampleOnce(denoiser, spec, new DdimSampler(schedule, 2, 0.0), 16, 0); // warm-up
        List<Double> rates = new ArrayList<>();
        List<Double> cpuRates = new ArrayList<>();
        int threads = NativeRuntime.configuredOmpThreads();
        for (int r = 0; r < reps; r++) {
            long t0 = System.nanoTime();
            long c0 = processCpuNanos();
            sampleOnce(denoiser, spec, ddim, n, r);
            double dt = (System.nanoTime() - t0) / 1e9;
            double cpu = (processCpuNanos() - c0) / 1e9;
            rates.add(n / dt);
            cpuRates.add(n / (cpu / threads));
            System.out.printf("  rep %d: %.2f samples/s wall (%.1fs for %d imgs x %d steps), cpu-util %.2f, %.2f samples per %d CPU-s%n",
                    r, rates.get(r), dt, n, DDIM_STEPS, cpu / dt, cpuRates.get(r), threads);
        }
        System.out.printf("SAMPLE DDIM-%d batch=%d: wall median %.2f samples/s  min %.2f max %.2f;  CPU-time-normalised median %.2f%n",
                DDIM_STEPS, n, median(rates), min(rates), max(rates), median(cpuRates));
    }

    private static INDArray sampleOnce(NetworkDenoiser denoiser, UNetSpec spec, DdimSampler sampler, int n, long seed) {
        long[] seeds = new long[n];
        for (int i = 0; i < n; i++) {
            seeds[i] = ImageNoise.seedFor(seed, i);
        }
        return sampler.sample(denoiser, ImageNoise.initial(seeds, spec.imageChannels(), spec.imageSize(), spec.imageSize()), null, seeds);
    }

    /**
     * Fashion-MNIST's training set at 1×28×28 when Debian's package is installed; random images otherwise (same
     * cost).
     */
    private static LabeledImages trainingImages(ImageShape shape) throws IOException {
        Path images = Path.of(FashionMnist.DEBIAN_DIR, FashionMnist.TRAIN_IMAGES);
        Path labels = Path.of(FashionMnist.DEBIAN_DIR, FashionMnist.TRAIN_LABELS);
        boolean fashion = shape.equals(new ImageShape(1, 28, 28));
        if (fashion && Files.exists(images) && Files.exists(labels)) {
            try (InputStream i = new FileInputStream(images.toFile()); InputStream l = new FileInputStream(labels.toFile())) {
                return FashionMnist.read(i, l);
            }
        }
        System.out.println(fashion ? "(Fashion-MNIST not installed: random images)" : "(random images of " + shape + ")");
        byte[] pixels = new byte[Math.multiplyExact(4096, shape.channels() * shape.height() * shape.width())];
        SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) random.nextInt(256);
        }
        int[] noLabels = new int[4096];
        Arrays.fill(noLabels, LabeledImages.UNLABELED);
        return new LabeledImages(shape, pixels, noLabels, List.of());
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static double median(List<Double> values) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static double min(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
    }

    private static double max(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }
}
