package io.sparkdiffusion.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The real colour corpus bundled under data/: Tango icons (RGBA PNG on a transparent ground) at 32 px
 * (data/tango-icons-demo) and 96 px (data/tango-icons-96), prepared at 32, 48 and 64: from sources smaller than,
 * equal to and larger than the target.
 */
class TangoIconsPrepareTest {
    private static final Path ICONS_32 = Path.of("..", "data", "tango-icons-demo");
    private static final Path ICONS_96 = Path.of("..", "data", "tango-icons-96");

    @ParameterizedTest(name = "{0} px sources at {1}")
    @CsvSource({"32, 32", "32, 48", "32, 64", "96, 32", "96, 48", "96, 64"})
    void everyIconEndsInShapeInColourWithItsGroundOnTheBackground(int sourceSize, int size) throws IOException {
        List<Path> files = pngs(sourceSize == 32 ? ICONS_32 : ICONS_96);
        assertTrue(files.size() >= (sourceSize == 32 ? 200 : 8), files.size() + " files");
        ImagePreparer onBlack = new ImagePreparer(rgbOver(size, Background.BLACK));
        ImagePreparer onWhite = new ImagePreparer(rgbOver(size, Background.WHITE));
        PixelStatistics black = new PixelStatistics(3);
        PixelStatistics white = new PixelStatistics(3);
        int coloured = 0;
        int cornerIsGround = 0;
        for (Path file : files) {
            byte[] bytes = Files.readAllBytes(file);
            PreparedImage b = onBlack.prepare(bytes);
            PreparedImage w = onWhite.prepare(bytes);
            assertTrue(b.ok() && w.ok(), file + ": " + b.reason());
            assertEquals(new ImageShape(3, size, size), b.image().shape(), file.toString());
            black.add(b.image().pixels());
            white.add(w.image().pixels());
            coloured += hasColour(b.image()) ? 1 : 0;
            cornerIsGround += b.image().get(0, 0, 0) == 0 && w.image().get(0, 0, 0) == 255 ? 1 : 0;
        }
        // icons are colour pictures, not grey ones widened: most have pixels whose red and blue differ a lot (3 in 4
        // of the 32 px slice; the rest are grey tools and documents)
        assertTrue(coloured >= files.size() * 2 / 3, coloured + " of " + files.size() + " in colour");
        // their corners are transparent in (nearly) every icon, so they take the background
        assertTrue(cornerIsGround >= files.size() * 8 / 10, cornerIsGround + " of " + files.size() + " corners");
        for (int c = 0; c < 3; c++) {
            assertTrue(black.mean()[c] + 0.2 < white.mean()[c], "channel " + c + ": " + black + " vs " + white);
        }
    }

    private static boolean hasColour(Uint8Image image) {
        int n = image.height() * image.width();
        byte[] p = image.pixels();
        for (int i = 0; i < n; i++) {
            if (Math.abs((p[i] & 0xFF) - (p[2 * n + i] & 0xFF)) > 40) {
                return true;
            }
        }
        return false;
    }

    static List<Path> pngs(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(p -> p.toString().endsWith(".png")).sorted().toList();
        }
    }

    private static PrepareOptions rgbOver(int size, Background background) {
        return new PrepareOptions(size, 3, 0, 1_000_000, PrepareOptions.DEFAULT_MAX_DECODE_BYTES, background);
    }
}
