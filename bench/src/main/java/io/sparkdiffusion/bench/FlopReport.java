package io.sparkdiffusion.bench;

import java.util.List;
import java.util.Locale;

import io.sparkdiffusion.model.FlopCount;
import io.sparkdiffusion.model.UNetBuilder;
import io.sparkdiffusion.model.UNetPreset;
import io.sparkdiffusion.model.UNetSpec;
import org.nd4j.linalg.learning.config.Adam;

/**
 * Prints {@link FlopCount}s: {@code FlopReport [--classes N] [--attention]} the counts of the default U-Net
 * (1×28×28); {@code FlopReport --presets [--classes N]} the parameter count and FLOPs of every {@link UNetPreset} at
 * its size in RGB; {@code FlopReport --shape CxS [--no-attention]} those of the U-Net {@code bench/all.sh} benchmarks
 * at that shape ({@link #benchSpec}), with its parameter count and the PyTorch reference's arguments for the same
 * layout.
 */
public final class FlopReport {

    private FlopReport() {
    }

    /** One preset's figures: name, shape, parameters, forward and training MFLOP per image. */
    public static String presetLine(UNetPreset preset, int channels, int size, int classes) {
        io.sparkdiffusion.runtime.NativeRuntime.init(); // before anything touches ND4J: it picks the native build
        UNetSpec spec = preset.spec(channels, size, classes);
        long parameters = UNetBuilder.network(spec, new Adam(1e-3), 0).numParams();
        FlopCount count = FlopCount.of(spec);
        return String.format(Locale.ROOT, "%-8s %dx%dx%d classes=%d: %,d parameters, forward %.1f MFLOP/image "
                        + "(attention %.1f), training ~%.1f MFLOP/image; %s", preset.name(), channels, size, size,
                classes, parameters, count.forward() / 1e6, count.attention() / 1e6, count.training() / 1e6, spec);
    }

    /**
     * The U-Net benchmarked at an image shape: the reference network at 1×28×28, else the {@code auto} preset for the
     * size (unconditional), without self-attention if asked (the PyTorch reference has none).
     */
    public static UNetSpec benchSpec(int channels, int size, boolean attention) {
        if (channels == 1 && size == 28) {
            return UNetSpec.reference();
        }
        UNetSpec spec = UNetPreset.named(UNetPreset.AUTO, size).spec(channels, size, 0);
        return attention ? spec : new UNetSpec(spec.imageChannels(), spec.imageSize(), spec.baseChannels(),
                spec.channelMultipliers(), spec.resBlocksPerLevel(), spec.groupNormGroups(), spec.timeEmbeddingDim(),
                spec.numClasses(), false, spec.prediction(), List.of());
    }

    /** A shape written CxS, e.g. 3x32: {channels, size}. */
    public static int[] parseShape(String shape) {
        String[] parts = shape.toLowerCase(Locale.ROOT).split("x");
        if (parts.length != 2) {
            throw new IllegalArgumentException("shape '" + shape + "': expected CxS, e.g. 3x32");
        }
        return new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1])};
    }

    public static void main(String[] args) {
        UNetSpec spec = UNetSpec.reference();
        boolean presets = false;
        String shape = null;
        boolean attention = true;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--presets" -> presets = true;
                case "--shape" -> shape = args[++i];
                case "--no-attention" -> attention = false;
                case "--classes" -> spec = spec.withClasses(Integer.parseInt(args[++i]));
                case "--attention" -> spec = new UNetSpec(spec.imageChannels(), spec.imageSize(), spec.baseChannels(),
                        spec.channelMultipliers(), spec.resBlocksPerLevel(), spec.groupNormGroups(),
                        spec.timeEmbeddingDim(), spec.numClasses(), true, spec.prediction());
                default -> {
                    System.err.println("FlopReport: unknown argument " + args[i]
                            + " (expected --presets, --classes N, --attention, --shape CxS, --no-attention)");
                    System.exit(2);
                }
            }
        }
        if (presets) {
            for (UNetPreset preset : UNetPreset.ALL) {
                System.out.println(presetLine(preset, 3, preset.imageSize(), spec.numClasses()));
            }
            return;
        }
        if (shape != null) {
            int[] cs = parseShape(shape);
            spec = benchSpec(cs[0], cs[1], attention).withClasses(spec.numClasses());
            io.sparkdiffusion.runtime.NativeRuntime.init();
            System.out.printf(Locale.ROOT, "params: %,d%n", UNetBuilder.network(spec, new Adam(1e-3), 0).numParams());
            System.out.println("reference: --size " + spec.imageSize() + " --in-channels " + spec.imageChannels()
                    + " --mults " + String.join(",", spec.channelMultipliers().stream().map(String::valueOf).toList())
                    + (spec.hasAttention() ? " (the reference has no attention: no like network)" : ""));
        }
        FlopCount count = FlopCount.of(spec);
        System.out.println(spec);
        System.out.printf(Locale.ROOT, "forward FLOPs/image: %d (conv %d, dense %d, attention %d) = %.2f MFLOP; "
                        + "training ~3x = %.2f MFLOP/image%n", count.forward(), count.convolution(), count.dense(),
                count.attention(), count.forward() / 1e6, count.training() / 1e6);
    }
}
