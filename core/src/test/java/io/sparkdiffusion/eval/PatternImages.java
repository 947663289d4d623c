package io.sparkdiffusion.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import io.sparkdiffusion.data.LabeledImages;
import io.sparkdiffusion.image.ImageShape;
import io.sparkdiffusion.image.Uint8Image;

/** Tiny grey test images whose class shows as a pattern a small CNN learns in seconds, and pure noise. */
public final class PatternImages {
    public static final List<String> CLASSES = List.of("bars", "columns", "diagonals", "squares");

    private PatternImages() {
    }

    /** A size×size grey image of class {@code cls} (index into {@link #CLASSES}) with random brightness jitter. */
    public static Uint8Image pattern(int cls, int size, SplittableRandom random) {
        byte[] pixels = new byte[size * size];
        int shift = random.nextInt(2); // a little position jitter
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                boolean on = switch (cls) {
                    case 0 -> y >= size - size / 4 - shift && y < size - shift;
                    case 1 -> x >= size - size / 4 - shift && x < size - shift;
                    case 2 -> Math.abs(x - y - shift) <= size / 8;
                    case 3 -> x >= shift && x < size / 2 + shift && y >= shift && y < size / 2 + shift;
                    default -> throw new IllegalArgumentException("no class " + cls);
                };
                pixels[y * size + x] = (byte) ((on ? 190 : 20) + random.nextInt(50));
            }
        }
        return new Uint8Image(1, size, size, pixels);
    }

    /** Uniform noise: no class at all. */
    public static Uint8Image noise(int size, SplittableRandom random) {
        byte[] pixels = new byte[size * size];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) random.nextInt(256);
        }
        return new Uint8Image(1, size, size, pixels);
    }

    /** {@code perClass} pattern images of every class, classes interleaved. */
    public static LabeledImages labeled(int perClass, int size, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<Uint8Image> images = new ArrayList<>();
        int[] labels = new int[perClass * CLASSES.size()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i % CLASSES.size();
            images.add(pattern(labels[i], size, random));
        }
        byte[] pixels = new byte[labels.length * size * size];
        for (int i = 0; i < images.size(); i++) {
            System.arraycopy(images.get(i).pixels(), 0, pixels, i * size * size, size * size);
        }
        return new LabeledImages(new ImageShape(1, size, size), pixels, labels, CLASSES);
    }
}
