package io.sparkdiffusion.generate;

import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** What a speculative task does to a unit: two attempts committing it at the same moment. */
class UnitWriterTest {
    @TempDir
    Path tmp;

    @Test
    void twoAttemptsOfOneUnitAtOnceLeaveExactlyItsImagesItsShardAndOneMarker() throws Exception {
        OutputLayout layout = new OutputLayout(tmp.resolve("out").toUri().toString(), List.of("a", "b"));
        List<PlannedImage> images = new ArrayList<>();
        List<byte[]> pngs = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            images.add(PlannedImage.sample(String.format("%08d", i), i % 2, i));
            pngs.add(("png bytes of image " + i).getBytes());
        }
        ExecutorService attempts = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 20; round++) {
                int unit = round;
                CyclicBarrier together = new CyclicBarrier(2);
                List<Future<?>> both = new ArrayList<>();
                for (int attempt = 0; attempt < 2; attempt++) {
                    both.add(attempts.submit(() -> {
                        UnitWriter writer = GenerationOutputTest.writer(layout, OutputFormat.BOTH);
                        together.await();
                        writer.commit(unit, images, pngs);
                        return null;
                    }));
                }
                for (Future<?> attempt : both) {
                    attempt.get();
                }
            }
        } finally {
            attempts.shutdownNow();
        }
        Path out = tmp.resolve("out");
        try (Stream<Path> files = Files.walk(out.resolve("images"))) {
            assertEquals(6, files.filter(p -> p.toString().endsWith(".png")).count());
        }
        for (int i = 0; i < 6; i++) {
            assertArrayEquals(pngs.get(i), Files.readAllBytes(out.resolve("images/" + (i % 2 == 0 ? "a" : "b")
                    + "/" + images.get(i).id() + ".png")));
        }
        try (Stream<Path> markers = Files.list(out.resolve("_units"))) {
            assertEquals(20, markers.filter(p -> p.getFileName().toString().matches("unit-\\d+")).count());
        }
        for (int unit = 0; unit < 20; unit++) {
            assertEquals(6, ImageShardsTest.rows(new Configuration(), layout.unitShard(unit)).size(), "unit " + unit);
        }
        try (Stream<Path> left = Files.walk(out.resolve("_tmp"))) {
            assertEquals(List.of(out.resolve("_tmp")), left.toList(), "every attempt removed its temporary files");
        }
    }
}
