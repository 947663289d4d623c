package io.sparkdiffusion.cluster;

import io.sparkdiffusion.image.PngImages;
import io.sparkdiffusion.image.Uint8Image;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.util.List;
import java.util.SplittableRandom;

/** A folder-per-class corpus of grey 8x8 PNGs, written straight to a Hadoop file system. */
final class TinyCorpus {
    static final List<String> CLASSES = List.of("bars", "squares");
    static final int PER_CLASS = 24;

    private TinyCorpus() {
    }

    /** Bars along the bottom or a square top-left, with noise: two classes a tiny U-Net learns in a few steps. */
    static void write(FileSystem fs, Path root) throws IOException {
        SplittableRandom random = new SplittableRandom(5);
        for (String cls : CLASSES) {
            for (int i = 0; i < PER_CLASS; i++) {
                byte[] pixels = new byte[64];
                for (int p = 0; p < 64; p++) {
                    boolean on = cls.equals("bars") ? p / 8 >= 6 : (p % 8 < 4 && p / 8 < 4);
                    pixels[p] = (byte) ((on ? 200 : 20) + random.nextInt(40));
                }
                try (FSDataOutputStream out = fs.create(new Path(root, cls + "/" + i + ".png"), false)) {
                    out.write(PngImages.encode(new Uint8Image(1, 8, 8, pixels)));
                }
            }
        }
    }
}
