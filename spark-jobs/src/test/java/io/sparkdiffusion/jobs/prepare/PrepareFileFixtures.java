package io.sparkdiffusion.jobs.prepare;

import java.io.IOException;
import java.nio.file.Path;

/** Files a corpus should not have, made for tests. */
public final class PrepareFileFixtures {
    private PrepareFileFixtures() {
    }

    /** A named pipe at {@code path} (opening it for reading blocks until a writer comes). */
    public static void mkfifo(Path path) throws IOException, InterruptedException {
        Process mkfifo = new ProcessBuilder("mkfifo", path.toString()).inheritIO().start();
        if (mkfifo.waitFor() != 0) {
            throw new IOException("mkfifo " + path + " failed");
        }
    }
}
