package io.sparkdiffusion.bench;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

/**
 * Writes a folder-per-class tree of JPEG photos cut from large pictures (e.g. a desktop wallpaper package): one class
 * per source picture, each file a random crop of it, scaled to a random width and height between the bounds, at
 * JPEG quality 0.9. A realistic corpus for PrepareJob, where decoding real photos dominates rather than the per-file
 * overhead of tiny PNGs. Deterministic: the same sources and arguments give the same files.
 *
 * <pre>PhotoCrops SOURCE_DIR OUT_DIR COUNT [MIN_SIDE MAX_SIDE]</pre>
 * SOURCE_DIR holds the pictures (*.jpg, *.jpeg, *.png); sides default to 64 and 512 pixels.
 */
public final class PhotoCrops {

    private PhotoCrops() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 3 && args.length != 5) {
            System.err.println("usage: PhotoCrops SOURCE_DIR OUT_DIR COUNT [MIN_SIDE MAX_SIDE]");
            System.exit(2);
        }
        Path out = Path.of(args[1]);
        int count = Integer.parseInt(args[2]);
        int min = args.length > 3 ? Integer.parseInt(args[3]) : 64;
        int max = args.length > 3 ? Integer.parseInt(args[4]) : 512;
        List<Path> sources;
        try (Stream<Path> files = Files.list(Path.of(args[0]))) {
            sources = files.filter(f -> f.getFileName().toString().toLowerCase(Locale.ROOT).matches(".*\\.(jpe?g|png)"))
                    .sorted().toList();
        }
        if (sources.isEmpty()) {
            System.err.println("PhotoCrops: no *.jpg or *.png in " + args[0]);
            System.exit(2);
        }
        Random random = new Random(42);
        long bytes = 0;
        for (int s = 0; s < sources.size(); s++) {
            BufferedImage picture = ImageIO.read(sources.get(s).toFile());
            String name = sources.get(s).getFileName().toString().replaceFirst("\\.[^.]*$", "");
            Path folder = out.resolve(name.replaceAll("[^A-Za-z0-9_-]", "-"));
            Files.createDirectories(folder);
            for (int i = s; i < count; i += sources.size()) {
                int width = min + random.nextInt(max - min + 1);
                int height = min + random.nextInt(max - min + 1);
                // the largest crop of that aspect ratio, scaled by 0.25-1, at a random place
                double fit = Math.min(picture.getWidth() / (double) width, picture.getHeight() / (double) height);
                double scale = fit * (0.25 + 0.75 * random.nextDouble());
                int cropW = Math.max(1, (int) (width * scale));
                int cropH = Math.max(1, (int) (height * scale));
                int x = random.nextInt(picture.getWidth() - cropW + 1);
                int y = random.nextInt(picture.getHeight() - cropH + 1);
                BufferedImage photo = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
                Graphics2D g = photo.createGraphics();
                g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
                g.drawImage(picture, 0, 0, width, height, x, y, x + cropW, y + cropH, null);
                g.dispose();
                Path file = folder.resolve(String.format(Locale.ROOT, "%06d.jpg", i));
                writeJpeg(photo, file);
                bytes += Files.size(file);
            }
        }
        System.out.printf(Locale.ROOT, "wrote %d JPEGs of %d-%d px (%.1f MB, %d classes) under %s%n", count, min, max,
                bytes / 1e6, Math.min(count, sources.size()), out);
    }

    private static void writeJpeg(BufferedImage image, Path file) throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ImageWriteParam param = writer.getDefaultWriteParam();
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(0.9f);
        try (ImageOutputStream stream = ImageIO.createImageOutputStream(Files.newOutputStream(file))) {
            writer.setOutput(stream);
            writer.write(null, new IIOImage(image, null, null), param);
        } finally {
            writer.dispose();
        }
    }
}
