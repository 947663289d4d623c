package io.sparkdiffusion.bench;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import javax.imageio.ImageIO;

/**
 * Writes a folder-per-class tree of photo-sized RGB JPEGs (smooth colour fields with noise, so they compress
 * like photographs, not like flat test patterns), for benchmarks where decoding, not per-file overhead,
 * dominates.
 *
 * <pre>SyntheticPhotoCorpus OUT_DIR COUNT [WIDTH] [HEIGHT]</pre>
 */
public final class SyntheticPhotoCorpus {

    private SyntheticPhotoCorpus() {
    }

    public static void main(String[] args) throws IOException {
        Path out = Path.of(args[0]);
        int count = Integer.parseInt(args[1]);
        int width = args.length > 2 ? Integer.parseInt(args[2]) : 400;
        int height = args.length > 3 ? Integer.parseInt(args[3]) : 300;
        Random random = new Random(42);
        for (int i = 0; i < count; i++) {
            BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
            double fx = 0.005 + random.nextDouble() * 0.05;
            double fy = 0.005 + random.nextDouble() * 0.05;
            int base = random.nextInt(0xFFFFFF);
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    int r = clamp(((base >> 16) & 0xFF) * 0.5 + 100 * Math.sin(x * fx) + random.nextGaussian() * 12);
                    int g = clamp(((base >> 8) & 0xFF) * 0.5 + 100 * Math.cos(y * fy) + random.nextGaussian() * 12);
                    int b = clamp((base & 0xFF) * 0.5 + 60 * Math.sin((x + y) * fx * fy * 40) + random.nextGaussian() * 12);
                    img.setRGB(x, y, (r << 16) | (g << 8) | b);
                }
            }
            Path file = out.resolve("class-" + (i % 10)).resolve(String.format("%06d.jpg", i));
            Files.createDirectories(file.getParent());
            ImageIO.write(img, "jpeg", file.toFile());
        }
        System.out.println("wrote " + count + " JPEGs of " + width + "x" + height + " under " + out);
    }

    private static int clamp(double v) {
        return (int) Math.max(0, Math.min(255, Math.round(v + 64)));
    }
}
