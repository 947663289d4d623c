package io.sparkdiffusion.config;

import java.io.IOException;
import java.io.InputStream;

import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** Reading whole small files (a PNG, a model, a JSON record) through the Hadoop file system of any path. */
public final class HadoopFiles {
    private HadoopFiles() {
    }

    /** The file's whole content. */
    public static byte[] readAll(FileSystem fs, Path file) throws IOException {
        try (InputStream in = fs.open(file)) {
            return in.readAllBytes();
        }
    }
}
