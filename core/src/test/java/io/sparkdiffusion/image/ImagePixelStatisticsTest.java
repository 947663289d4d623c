package io.sparkdiffusion.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;

import org.junit.jupiter.api.Test;

class ImagePixelStatisticsTest {

    @Test
    void matchesTwoPassStatisticsAndDoesNotDependOnMergeOrder() {
        Random random = new Random(4);
        byte[][] images = new byte[10][3 * 4 * 4];
        for (byte[] img : images) {
            random.nextBytes(img);
        }
        PixelStatistics all = new PixelStatistics(3);
        PixelStatistics a = new PixelStatistics(3);
        PixelStatistics b = new PixelStatistics(3);
        for (int i = 0; i < images.length; i++) {
            all.add(images[i]);
            (i % 3 == 0 ? a : b).add(images[i]);
        }
        PixelStatistics merged = b.merge(a);
        assertArrayEquals(all.mean(), merged.mean(), 0);
        assertArrayEquals(all.std(), merged.std(), 0);
        assertEquals(10, merged.images());
        for (int c = 0; c < 3; c++) {
            double sum = 0;
            int n = 0;
            for (byte[] img : images) {
                for (int i = c * 16; i < (c + 1) * 16; i++) {
                    sum += (img[i] & 0xFF) / 255.0;
                    n++;
                }
            }
            double mean = sum / n;
            double sq = 0;
            for (byte[] img : images) {
                for (int i = c * 16; i < (c + 1) * 16; i++) {
                    sq += Math.pow((img[i] & 0xFF) / 255.0 - mean, 2);
                }
            }
            assertEquals(mean, all.mean()[c], 1e-12);
            assertEquals(Math.sqrt(sq / n), all.std()[c], 1e-12);
        }
    }
}
