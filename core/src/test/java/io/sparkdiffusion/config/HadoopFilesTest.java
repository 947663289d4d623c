package io.sparkdiffusion.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.FileNotFoundException;
import java.nio.file.Files;
import java.util.Random;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HadoopFilesTest {
    @TempDir
    java.nio.file.Path tmp;

    @Test
    void readsTheWholeFileWhateverItsSize() throws Exception {
        FileSystem fs = FileSystem.getLocal(new Configuration());
        byte[] large = new byte[3 * 65536 + 17]; // more than one read of any stream buffer
        new Random(7).nextBytes(large);
        Files.write(tmp.resolve("large.bin"), large);
        Files.write(tmp.resolve("empty.bin"), new byte[0]);

        assertArrayEquals(large, HadoopFiles.readAll(fs, new Path(tmp.resolve("large.bin").toUri())));
        assertArrayEquals(new byte[0], HadoopFiles.readAll(fs, new Path(tmp.resolve("empty.bin").toUri())));
        assertThrows(FileNotFoundException.class,
                () -> HadoopFiles.readAll(fs, new Path(tmp.resolve("missing.bin").toUri())));
    }
}
