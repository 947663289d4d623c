package io.sparkdiffusion.cli;

import io.sparkdiffusion.config.CommitProtocol;
import io.sparkdiffusion.config.InputError;
import io.sparkdiffusion.data.IdxImages;
import io.sparkdiffusion.data.IdxWriter;
import io.sparkdiffusion.image.PngImages;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IdxToPngTreeTest {
    @TempDir
    Path dir;

    /** 5 images of 2×3, image i all of value 40·i, labelled 0 1 0 1 0. */
    private static final IdxImages IMAGES = images();
    private static final int[] LABELS = {0, 1, 0, 1, 0};

    private static IdxImages images() {
        byte[] pixels = new byte[5 * 6];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (40 * (i / 6));
        }
        return new IdxImages(5, 2, 3, pixels);
    }

    private String[] write() throws IOException {
        Path images = dir.resolve("images.idx3");
        Path labels = dir.resolve("labels.idx1");
        try (OutputStream out = Files.newOutputStream(images)) {
            IdxWriter.writeImages(IMAGES, out, false);
        }
        try (OutputStream out = Files.newOutputStream(labels)) {
            IdxWriter.writeLabels(LABELS, out, false);
        }
        return new String[]{images.toString(), labels.toString()};
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).map(f -> dir.relativize(f).toString()).sorted().toList();
        }
    }

    @Test
    void theTreeIsCommittedWholeWithEveryImageInItsClassAndNothingBeside() throws IOException {
        String[] idx = write();
        Path out = dir.resolve("tree");
        assertEquals(4, IdxToPngTree.export(idx[0], idx[1], out.toString(), 2, new Configuration()));

        assertEquals(List.of("0/00000.png", "0/00002.png", "1/00001.png", "1/00003.png", CommitProtocol.SUCCESS),
                names(out), "two a class (the limit), the marker, no .crc");
        assertArrayEquals(IMAGES.image(3).pixels(), PngImages.decode(Files.readAllBytes(out.resolve("1/00003.png")))
                .pixels());
        try (Stream<Path> siblings = Files.list(dir)) {
            assertEquals(List.of("images.idx3", "labels.idx1", "tree"),
                    siblings.map(p -> p.getFileName().toString()).sorted().toList(), "no staging directory left");
        }
    }

    @Test
    void anExistingOutputIsRefusedAndLeftAsItWas() throws IOException {
        String[] idx = write();
        Path out = Files.createDirectories(dir.resolve("tree"));
        Files.writeString(out.resolve("mine.txt"), "kept");
        InputError e = assertThrows(InputError.class,
                () -> IdxToPngTree.export(idx[0], idx[1], out.toString(), 10, new Configuration()));
        assertTrue(e.getMessage().endsWith("tree already exists; remove it or choose another OUT_DIR"), e.getMessage());
        assertEquals(List.of("mine.txt"), names(out));
    }
}
