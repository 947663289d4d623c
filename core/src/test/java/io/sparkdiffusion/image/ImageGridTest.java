package io.sparkdiffusion.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class ImageGridTest {

    /** Image k of the batch is filled with the 8-bit value 20·(k+1) (and channel c adds c). */
    private static INDArray batch(int n, int c, int h, int w) {
        INDArray images = Nd4j.create(n, c, h, w);
        for (int k = 0; k < n; k++) {
            for (int ch = 0; ch < c; ch++) {
                images.get(org.nd4j.linalg.indexing.NDArrayIndex.point(k), org.nd4j.linalg.indexing.NDArrayIndex.point(ch))
                        .assign(Pixels.toUnit(value(k, ch)));
            }
        }
        return images;
    }

    private static int value(int k, int ch) {
        return 20 * (k + 1) + ch;
    }

    @Test
    void geometryMatchesMakeGrid() {
        // 5 images of 3×4, 2 per row, padding 1: 3 rows → (3·4+1) × (2·5+1).
        Uint8Image grid = new ImageGrid(2, 1, 7, 1).render(batch(5, 1, 3, 4));
        assertEquals(new ImageShape(1, 13, 11), grid.shape());

        // Fewer images than nrow: one row of N.
        Uint8Image row = new ImageGrid(8, 2, 0, 1).render(batch(3, 1, 3, 4));
        assertEquals(new ImageShape(1, 3 + 4, 3 * 6 + 2), row.shape());

        Uint8Image noPadding = new ImageGrid(3, 0, 0, 1).render(batch(6, 3, 2, 2));
        assertEquals(new ImageShape(3, 4, 6), noPadding.shape());
    }

    @Test
    void pixelsLandInTheirCellsAndPaddingElsewhere() {
        int h = 3;
        int w = 4;
        int pad = 1;
        Uint8Image grid = new ImageGrid(2, pad, 7, 1).render(batch(5, 1, h, w));
        int[] owner = new int[grid.height() * grid.width()];
        java.util.Arrays.fill(owner, -1);
        for (int k = 0; k < 5; k++) {
            int top = (k / 2) * (h + pad) + pad;
            int left = (k % 2) * (w + pad) + pad;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    owner[(top + y) * grid.width() + left + x] = k;
                }
            }
        }
        for (int y = 0; y < grid.height(); y++) {
            for (int x = 0; x < grid.width(); x++) {
                int k = owner[y * grid.width() + x];
                int expected = k < 0 ? 7 : value(k, 0);
                assertEquals(expected, grid.get(0, y, x), "pixel (" + y + ", " + x + ")");
            }
        }
        // The sixth cell (row 2, column 1) is unused and stays padding.
        assertEquals(7, grid.get(0, 2 * (h + pad) + pad, (w + pad) + pad));
    }

    @Test
    void rgbChannelsStayApart() {
        Uint8Image grid = new ImageGrid(2, 2, 0, 1).render(batch(2, 3, 2, 2));
        for (int ch = 0; ch < 3; ch++) {
            assertEquals(value(0, ch), grid.get(ch, 2, 2));
            assertEquals(value(1, ch), grid.get(ch, 3, 2 + 2 + 2 + 1));
            assertEquals(0, grid.get(ch, 0, 0));
        }
    }

    @Test
    void scaleEnlargesTheWholeGridByNearestNeighbour() {
        INDArray images = batch(3, 1, 2, 3);
        Uint8Image small = new ImageGrid(2, 1, 5, 1).render(images);
        Uint8Image big = new ImageGrid(2, 1, 5, 3).render(images);
        assertEquals(new ImageShape(1, small.height() * 3, small.width() * 3), big.shape());
        for (int y = 0; y < big.height(); y++) {
            for (int x = 0; x < big.width(); x++) {
                assertEquals(small.get(0, y / 3, x / 3), big.get(0, y, x));
            }
        }
    }

    @Test
    void pngOfTheGridDecodesToTheGrid() throws IOException {
        ImageGrid options = ImageGrid.of(4).withScale(2);
        INDArray images = batch(6, 3, 4, 4);
        assertArrayEquals(options.render(images).pixels(), PngImages.decode(options.png(images)).pixels());
    }

    @Test
    void badArgumentsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new ImageGrid(0, 2, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new ImageGrid(2, 2, 256, 1));
        assertThrows(IllegalArgumentException.class, () -> ImageGrid.DEFAULT.render(Nd4j.create(1, 2, 2)));
    }
}
